"""The case form's input rules (portal.cases.validation): what it takes, what it refuses and with which message."""

from __future__ import annotations

import datetime as dt

from portal.cases.validation import clean_participant
from tests.flows import CASE

# The shared intake form with spaces to trim, a repeated language and no support needs.
VALID = {**CASE, "first_name": " Mojca ", "languages": ["sl", "hr", "sl"], "support_needs": [], "skills": "sorting"}


def test_a_valid_form_gives_clean_values_and_coordinates_from_the_municipality():
    values, errors = clean_participant(VALID, "SI")
    assert errors == {}
    assert values["first_name"] == "Mojca" and values["phone"] == "" and values["birth_year"] == 1980
    assert values["languages"] == "sl,hr" and values["interests"] == "reuse_repair" and values["support_needs"] == ""
    assert values["available_from"] is None and values["latitude"] is not None


def test_texts_are_required_and_bounded():
    values, errors = clean_participant({**VALID, "first_name": "  ", "phone": "1" * 51, "address": None}, "SI")
    assert errors == {"first_name": "This is required.", "phone": "At most 50 characters."}
    assert values["address"] == ""
    _, errors = clean_participant({**VALID, "last_name": "x" * 101}, "SI")
    assert errors == {"last_name": "At most 100 characters."}  # too long, not also "required"


def test_codes_are_lower_case_and_comma_separated_only():
    """Stricter than portal.web.fields.codes on purpose: upper case and ";" were never taken here."""
    values, errors = clean_participant({**VALID, "languages": "sl, hr,,sl", "interests": ""}, "SI")
    assert errors == {} and values["languages"] == "sl,hr" and values["interests"] == ""
    for wrong in (["SL"], "sl;hr", ["sl", "xx"]):
        values, errors = clean_participant({**VALID, "languages": wrong}, "SI")
        assert errors == {"languages": "Choose from the list."} and values["languages"] == "", wrong


def test_the_availability_date_is_iso_and_blank_means_none():
    """A date of only spaces counts as none here (portal.web.fields.date would refuse it)."""
    values, errors = clean_participant({**VALID, "available_from": " 2027-01-04 "}, "SI")
    assert errors == {} and values["available_from"] == dt.date(2027, 1, 4)
    values, errors = clean_participant({**VALID, "available_from": "   "}, "SI")
    assert errors == {} and values["available_from"] is None
    values, errors = clean_participant({**VALID, "available_from": "4.1.2027"}, "SI")
    assert errors == {"available_from": "Enter a date as YYYY-MM-DD."} and values["available_from"] is None


def test_numbers_regions_and_levels_are_checked():
    this_year = dt.date.today().year
    _, errors = clean_participant(
        {
            **VALID,
            "birth_year": str(this_year - 10),
            "hours_per_week": "0",
            "travel_km": "301",
            "region": "Dalmacija",
            "education_level": "doctorate",
        },
        "SI",
    )
    assert errors == {
        "birth_year": f"Enter a year between {this_year - 100} and {this_year - 15}.",
        "hours_per_week": "Enter a number of hours from 1 to 60.",
        "travel_km": "Enter a distance from 0 to 300 km.",
        "region": "Choose one of this country's regions or counties.",
        "education_level": "Choose an education level.",
    }
