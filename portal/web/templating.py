"""Jinja set-up and the one way handlers render: a full page, or one block of it for htmx."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from markupsafe import Markup, escape

from portal.auth.roles import ROLE_LABELS
from portal.i18n import LANGUAGES, current_language, format_date, format_datetime, format_number, gettext, ngettext
from portal.settings import PROJECT_ROOT, get_settings

# Responses differ for htmx and plain requests at the same URL: tell caches.
VARY_HX = {"Vary": "HX-Request"}


def _configure(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.add_extension("jinja2.ext.i18n")
    # jinja2.ext.i18n adds this method to the environment when the extension loads; the type does not show it.
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["gettext"] = _kept_per_language(env.globals["gettext"])  # type: ignore[arg-type]  # set just above
    env.filters.update(date=format_date, datetime=format_datetime, number=format_number, names=names)
    env.globals.update(current_language=current_language, LANGUAGES=LANGUAGES, ROLE_LABELS=ROLE_LABELS)
    env.trim_blocks = True
    env.lstrip_blocks = True
    # A served template changes only with a deployment: not looked up on disk again at every render.
    env.auto_reload = not get_settings().is_production


def _kept_per_language(newstyle_gettext: Callable[..., str]) -> Callable[..., str]:
    """Jinja's ``_()``, the translated text kept per language.

    A page says ``_("…")`` a few hundred times, and Jinja's wrapper (the call through the context,
    ``Markup`` and the ``%`` it always applies) cost about 7 µs each, 1-2 ms of a page. The
    translation depends only on the language and the text, so it is looked up once; a text with
    variables is then formatted as Jinja's wrapper does (``Markup % variables`` escapes them).
    Without autoescaping, Jinja's wrapper as before. Bounded: texts come from the templates (and a
    few codes)."""

    @pass_context
    @functools.wraps(newstyle_gettext)
    def gettext_(context: Context, message: str, **variables: Any) -> str:
        if not context.eval_ctx.autoescape:
            return newstyle_gettext(context, message, **variables)
        if variables:
            return _translated(current_language(), message) % variables
        return _formatted(current_language(), message)

    @functools.lru_cache(maxsize=8192)
    def _translated(language: str, message: str) -> Markup:
        return Markup(gettext(message))

    @functools.lru_cache(maxsize=8192)
    def _formatted(language: str, message: str) -> str:
        return _translated(language, message) % {}  # as Jinja's wrapper gives it ("%%" becomes "%")

    return gettext_


def names(codes: Iterable[str], labels: Mapping[str, Any], separator: str = ", ") -> Markup:
    """The labels of ``codes`` (a code without one as itself), escaped and joined: one call for a list a loop printed.

    A card of the employers' candidate list printed four such lists item by item, each item a
    call through Jinja's context; with 20 cards that was a tenth of the page's rendering.
    """
    return Markup(escape(separator)).join([escape(labels.get(code, code)) for code in codes])


def template_config() -> TemplateConfig:
    return TemplateConfig(directory=PROJECT_ROOT / "templates", engine=JinjaTemplateEngine, engine_callback=_configure)


def wants_fragment(headers: Mapping[str, str]) -> bool:
    """An htmx request that wants a fragment; boosted and history-restore requests want the page."""
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


def is_partial_request(request: Request) -> bool:
    return wants_fragment(request.headers)


def render(
    request: Request,
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Template:
    """Render ``template_name``; only ``block`` of it when htmx asks for a fragment."""
    context = context or {}
    if block and is_partial_request(request):
        return HTMXBlockTemplate(
            template_name=template_name, block_name=block, context=context, status_code=status_code, headers=VARY_HX
        )
    return Template(template_name=template_name, context=context, status_code=status_code, headers=VARY_HX)
