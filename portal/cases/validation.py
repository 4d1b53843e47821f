"""Checking a participant's profile input, shared by the case forms (and the API when it comes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from portal.geo import find_place, regions_for
from portal.i18n import gettext as _
from portal.organisations.kinds import SPOKEN_LANGUAGES
from portal.skills.entries import parse_skills
from portal.vocab import EDUCATION_LEVELS, SECTORS, SUPPORT
from portal.web.fields import integer, texts

_TEXT_LIMITS = {"first_name": 100, "last_name": 100, "phone": 50, "email": 200, "address": 200, "municipality": 100}


def _codes(raw: Any, allowed: Mapping[str, Any]) -> list[str] | None:
    # Not portal.web.fields.codes: that one also takes upper case ("SL") and ";" as a separator, which
    # this form has always refused with "Choose from the list."; keeping what is accepted unchanged.
    values = raw if isinstance(raw, list | tuple) else [v for v in str(raw or "").split(",")]
    codes = [str(v).strip() for v in values if str(v).strip()]
    return None if any(code not in allowed for code in codes) else list(dict.fromkeys(codes))


def clean_participant(data: Mapping[str, Any], country: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the values to store and, per field, what is wrong."""
    errors: dict[str, str] = {}
    values = texts(data, _TEXT_LIMITS, errors)
    for field in ("first_name", "last_name", "municipality"):
        if not values[field] and field not in errors:
            errors[field] = _("This is required.")
    this_year = dt.date.today().year
    values["birth_year"] = integer(data.get("birth_year"), this_year - 100, this_year - 15)
    if values["birth_year"] is None:
        errors["birth_year"] = _("Enter a year between %(low)s and %(high)s.") % {
            "low": this_year - 100,
            "high": this_year - 15,
        }
    values["region"] = str(data.get("region") or "").strip()
    if values["region"] not in regions_for(country):
        errors["region"] = _("Choose one of this country's regions or counties.")
    values["education_level"] = str(data.get("education_level") or "")
    if values["education_level"] not in EDUCATION_LEVELS:
        errors["education_level"] = _("Choose an education level.")
    for field, allowed in (("languages", SPOKEN_LANGUAGES), ("interests", SECTORS), ("support_needs", SUPPORT)):
        codes = _codes(data.get(field), allowed)
        if codes is None:
            errors[field] = _("Choose from the list.")
        values[field] = ",".join(codes or [])
    values["hours_per_week"] = integer(data.get("hours_per_week"), 1, 60)
    if values["hours_per_week"] is None:
        errors["hours_per_week"] = _("Enter a number of hours from 1 to 60.")
    values["travel_km"] = integer(data.get("travel_km"), 0, 300)
    if values["travel_km"] is None:
        errors["travel_km"] = _("Enter a distance from 0 to 300 km.")
    # Not portal.web.fields.date: that one refuses a date of only spaces, which this form takes as none.
    raw_date = str(data.get("available_from") or "").strip()
    try:
        values["available_from"] = dt.date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        values["available_from"] = None
        errors["available_from"] = _("Enter a date as YYYY-MM-DD.")
    # A list here; the page gives ESCO addresses to the ones the vocabulary knows before storing.
    values["skills"], problem = parse_skills(data.get("skills"))
    if problem:
        errors["skills"] = problem
    place = find_place(country, values["municipality"]) if values["municipality"] else None
    # Coordinates come from the municipality: counsellors should not have to look them up.
    values["latitude"], values["longitude"] = (place.latitude, place.longitude) if place else (None, None)
    return values, errors
