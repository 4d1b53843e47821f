"""Jinja set-up and the one way handlers render: a full page, or one block of it for htmx."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from portal.auth.roles import ROLE_LABELS
from portal.i18n import LANGUAGES, current_language, format_date, format_datetime, format_number, gettext, ngettext
from portal.settings import PROJECT_ROOT

# Responses differ for htmx and plain requests at the same URL: tell caches.
VARY_HX = {"Vary": "HX-Request"}


def _configure(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.add_extension("jinja2.ext.i18n")
    # jinja2.ext.i18n adds this method to the environment when the extension loads; the type does not show it.
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(date=format_date, datetime=format_datetime, number=format_number)
    env.globals.update(current_language=current_language, LANGUAGES=LANGUAGES, ROLE_LABELS=ROLE_LABELS)
    env.trim_blocks = True
    env.lstrip_blocks = True


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
