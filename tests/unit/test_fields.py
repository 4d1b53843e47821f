"""The shared field parsers of portal.web.fields, with the options the areas rely on."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.web.fields import choice, codes, coordinate, date, integer, text, texts


def test_text_drops_control_characters_unless_asked_to_keep_them():
    data = {"a": "  x\x00y\tz\n ", "n": None, "i": 7}
    assert text(data, "a") == "xy\tz"
    assert text(data, "a", keep_control=True) == "x\x00y\tz"
    assert text(data, "n") == text(data, "missing") == ""
    assert text(data, "i") == "7"


def test_texts_say_which_field_is_too_long():
    errors: dict[str, str] = {}
    values = texts({"name": " Ana ", "note": "x" * 11}, {"name": 5, "note": 10, "other": 3}, errors)
    assert values == {"name": "Ana", "note": "x" * 11, "other": ""}
    assert errors == {"note": "At most 10 characters."}


def test_a_choice_is_one_of_the_options_or_its_default():
    errors: dict[str, str] = {}
    options = {"draft": "Draft", "open": "Open"}
    assert choice({"status": " open "}, "status", options, "Choose.", errors) == "open"
    assert choice({}, "status", options, "Choose.", errors, default="draft") == "draft" and errors == {}
    assert choice({"status": "gone"}, "status", options, "Choose.", errors) == "gone"
    assert errors == {"status": "Choose."}
    errors.clear()
    assert choice({"kind": "ngo\x01"}, "kind", ("ngo",), "Choose.", errors) == "ngo" and errors == {}
    assert choice({"kind": "ngo\x01"}, "kind", ("ngo",), "Choose.", errors, keep_control=True) == "ngo\x01"
    assert errors == {"kind": "Choose."}


@pytest.mark.parametrize(
    ("raw", "whole", "digits"),
    [("5", 5, 5), (" 5 ", 5, 5), (5, 5, 5), ("+5", 5, None), ("1_0", 10, None), ("٥", 5, None), ("0", None, None)]
    + [("11", None, None), ("", None, None), (None, None, None), (True, None, None), (5.0, None, None)],
)
def test_integer_reads_whole_numbers_in_range(raw, whole, digits):
    assert integer(raw, 1, 10) == whole
    assert integer(raw, 1, 10, digits_only=True) == digits


def test_date_reads_iso_dates_and_says_what_is_wrong():
    errors: dict[str, str] = {}
    data = {"a": " 2026-03-01 ", "b": "", "c": "01.03.2026", "d": dt.date(2026, 3, 1)}
    assert date(data, "a", errors) == dt.date(2026, 3, 1) == date(data, "d", errors)
    assert date(data, "b", errors) is None and date(data, "missing", errors) is None
    assert errors == {}
    assert date(data, "c", errors) is None
    assert errors == {"c": "Enter a date as YYYY-MM-DD."}


def test_coordinate_reads_json_booleans_as_empty_or_as_no_number():
    errors: dict[str, str] = {}
    assert coordinate({"lat": "46,05"}, "lat", 90, errors) == 46.05
    assert coordinate({"lat": True}, "lat", 90, errors) is None and errors == {}
    assert coordinate({"lat": True}, "lat", 90, errors, bool_is_empty=False) is None
    assert errors == {"lat": "Enter a number."}
    assert coordinate({"lon": "-181"}, "lon", 180, errors) is None
    assert errors["lon"] == "Enter a number between -180 and 180."


def test_codes_keep_known_codes_once_in_order_and_name_an_unknown_one():
    known = {"sl": 1, "hr": 1, "en": 1}
    errors: dict[str, str] = {}
    assert codes("HR; sl,hr,,", known, "languages", "Unknown: %(code)s", errors) == "hr,sl"
    assert codes(["en", "sl"], known, "languages", "Unknown: %(code)s", errors) == "en,sl"
    assert codes(None, known, "languages", "Unknown: %(code)s", errors) == "" and errors == {}
    long_code = "abcdefghijklmnopqrstuvwxyz"
    assert codes(["sl", long_code], known, "languages", "Unknown: %(code)s", errors, shown=10) == ""
    assert errors == {"languages": "Unknown: abcdefghij"}
