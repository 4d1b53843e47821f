"""Templates' ``_()``: each text kept per language, variables escaped and filled as Jinja's own does."""

from __future__ import annotations

from jinja2 import Environment

from portal.i18n import gettext, ngettext, use_language
from portal.web.templating import _kept_per_language


def _environment() -> Environment:
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["gettext"] = _kept_per_language(env.globals["gettext"])
    return env


def test_a_kept_text_follows_the_language_of_each_page():
    page = _environment().from_string('{{ _("Region") }}')
    seen = []
    for language in ("sl", "hr", "en", "sl"):
        with use_language(language):
            seen.append(page.render())
    assert seen == ["Regija", "Županija ili regija", "Region", "Regija"]


def test_variables_are_escaped_and_a_doubled_percent_is_one():
    page = _environment().from_string('{{ _("Hello %(name)s", name="<b>") }}|{{ _("100%% sure") }}')
    with use_language("en"):
        assert page.render() == "Hello &lt;b&gt;|100% sure"
