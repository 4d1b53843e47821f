"""Templates' ``_()``: each text kept per language, variables escaped and filled as Jinja's own does; the ``names`` filter."""

from __future__ import annotations

from jinja2 import Environment

from portal.i18n import gettext, in_language, ngettext, use_language
from portal.i18n import lazy_gettext as _l
from portal.web.templating import _kept_per_language, names


def _environment() -> Environment:
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["gettext"] = _kept_per_language(env.globals["gettext"])
    env.filters["names"] = names
    return env


def _jinja_own() -> Environment:
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
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


def test_a_text_with_variables_follows_the_language_and_reads_as_jinjas_own():
    source = '{{ _("Candidate %(name)s", name=code) }}'
    kept, own = _environment().from_string(source), _jinja_own().from_string(source)
    for language, expected in (
        ("sl", "Kandidat K-&lt;1&gt;"),
        ("en", "Candidate K-&lt;1&gt;"),
        ("hr", "Kandidat K-&lt;1&gt;"),
    ):
        with use_language(language):
            assert kept.render(code="K-<1>") == own.render(code="K-<1>") == expected


def test_names_prints_each_code_by_its_label_escaped_and_an_unknown_code_as_itself():
    page = _environment().from_string(
        '{{ codes | names(labels) }}|{{ codes | names(labels, "; ") }}|{{ [] | names(labels) or "—" }}'
    )
    labels = {"sl": "Slovenian", "x": "<b>bold</b>"}
    assert page.render(codes=["sl", "x", "<i>"], labels=labels) == (
        "Slovenian, &lt;b&gt;bold&lt;/b&gt;, &lt;i&gt;|Slovenian; &lt;b&gt;bold&lt;/b&gt;; &lt;i&gt;|—"
    )


def test_a_table_of_lazy_labels_reads_in_each_pages_language():
    table = {"sl": _l("Slovenian"), "hr": _l("Croatian")}
    seen = []
    for language in ("sl", "en", "sl"):
        with use_language(language):
            seen.append(in_language(table))
    assert seen[0] == {"sl": "slovenščina", "hr": "hrvaščina"} and seen[0] is seen[2]
    assert seen[1] == {"sl": "Slovenian", "hr": "Croatian"}
    assert all(type(label) is str for label in seen[1].values())
