"""Language negotiation, catalogs and locale formatting."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.i18n import LANGUAGES, format_date, format_number, gettext, negotiate_language, use_language
from portal.web.context import choose_language

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("sl-SI,sl;q=0.9,en;q=0.8", "sl"),
        ("hr", "hr"),
        ("de-DE,de;q=0.9,hr;q=0.5,en;q=0.4", "hr"),
        ("en;q=0.3, sl;q=0.7", "sl"),
        ("fr, de", None),
        ("sl;q=0, en", "en"),
        ("", None),
        ("garbage;;;q=x", None),
    ],
)
def test_negotiate_language(header, expected):
    assert negotiate_language(header) == expected


def test_choice_order_is_user_then_cookie_then_browser():
    from portal.auth.current_user import CurrentUser

    user = CurrentUser(1, "a", "A", "counsellor", 1, "Org", language="hr")
    assert choose_language(user, "sl", "en") == "hr"
    assert choose_language(None, "sl", "hr") == "sl"
    assert choose_language(None, "xx", "hr") == "hr"
    assert choose_language(None, None, None) == "en"


def test_numbers_and_dates_follow_the_language():
    with use_language("sl"):
        assert format_number(1234.5) == "1.234,5"
        assert format_date(dt.date(2018, 9, 13)) == "13. sep. 2018"
    with use_language("en"):
        assert format_number(1234.5) == "1,234.5"
        assert format_date(dt.date(2018, 9, 13)) == "Sep 13, 2018"
    with use_language("hr"):
        assert format_number(1234.5) == "1.234,5"


@pytest.mark.parametrize("language", ["sl", "hr"])
def test_catalogs_translate_every_message_with_the_same_placeholders(language):
    with open(ROOT / "portal" / "locale" / language / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    missing, broken = [], []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            missing.append(ids[0])
        expected = set(PLACEHOLDER.findall(ids[-1]))
        if any(set(PLACEHOLDER.findall(s)) != expected for s in strings if s):
            broken.append(ids[0])
    assert not missing, f"untranslated in {language}: {missing[:10]}"
    assert not broken, f"placeholders differ in {language}: {broken[:10]}"


def test_every_ui_string_is_in_the_catalog_template(tmp_path):
    """The committed messages.pot matches the code and templates (run `make messages` when it fails)."""
    out = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "-o",
            str(out),
            "--sort-output",
            "--no-wrap",
            ".",
        ],
        cwd=ROOT,
        check=True,
    )

    def ids(path):
        with open(path, "rb") as fh:
            return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}

    assert ids(out) == ids(ROOT / "portal" / "locale" / "messages.pot")
    for language in LANGUAGES:
        assert ids(out) <= ids(ROOT / "portal" / "locale" / language / "LC_MESSAGES" / "messages.po")


def test_lookups_use_the_current_language():
    with use_language("en"):
        assert gettext("Organisations") == "Organisations"
    with use_language("sl"):
        assert gettext("Organisations") != "Organisations"
