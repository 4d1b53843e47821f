"""Checking opportunity input, shared by the HTML forms and the JSON API."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from portal.geo import find_place, regions_for
from portal.i18n import gettext as _
from portal.organisations.kinds import COUNTRIES, SPOKEN_LANGUAGES
from portal.skills.entries import parse_skills, skill_key
from portal.vocab import OPPORTUNITY_KINDS, OPPORTUNITY_STATUSES, SECTORS, SUPPORT
from portal.web.fields import coordinate

Errors = dict[str, str]

MAX_HOURS = 60
MAX_CAPACITY = 500
_TEXT_LIMITS = {"title": 200, "description": 5000}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # keeps tab, line feed and carriage return
PLACE_FIELDS = ("country", "region", "municipality")


def _text(data: Mapping[str, Any], field: str) -> str:
    value = data.get(field)
    return "" if value is None else _CONTROL.sub("", str(value)).strip()


def _whole(data: Mapping[str, Any], field: str, low: int, high: int, message: str, errors: Errors) -> int | None:
    raw = data.get(field)
    if isinstance(raw, bool):
        raw = None
    text = "" if raw is None else str(raw).strip()
    if not text:
        errors[field] = message
        return None
    try:
        value = int(text)
    except ValueError:
        errors[field] = message
        return None
    if not low <= value <= high:
        errors[field] = message
        return None
    return value


def _date(data: Mapping[str, Any], field: str, errors: Errors) -> dt.date | None:
    raw = data.get(field)
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        errors[field] = _("Enter a date as YYYY-MM-DD.")
        return None


def _codes(raw: Any, known: Mapping[str, Any], field: str, message: str, errors: Errors) -> str:
    """Checked codes from checkboxes, a JSON list or a comma-separated text, stored comma-separated."""
    if raw is None:
        return ""
    items = raw if isinstance(raw, list | tuple) else str(raw).replace(";", ",").split(",")
    codes: list[str] = []
    for code in (str(item).strip().lower() for item in items):
        if not code:
            continue
        if code not in known:
            errors[field] = message % {"code": code[:20]}
            return ""
        if code not in codes:
            codes.append(code)
    return ",".join(codes)


def _place(
    data: Mapping[str, Any], organisation: Mapping[str, Any] | None, values: dict[str, Any], errors: Errors
) -> None:
    place = {field: _text(data, field) for field in PLACE_FIELDS}
    if organisation is not None and not place["region"] and not place["municipality"]:
        # Nothing said about the place (a country alone says little): the opportunity is at the organisation.
        place = {field: str(organisation.get(field) or "") for field in PLACE_FIELDS}
    values.update(place)
    values["country"] = values["country"].upper()
    if values["country"] not in COUNTRIES:
        errors["country"] = _("Choose a country.")
    known_regions = regions_for(values["country"])
    if not values["region"]:
        errors["region"] = _("Enter the region or county.")
    elif known_regions and values["region"] not in known_regions:
        errors["region"] = _("Choose one of this country's regions or counties.")
    elif len(values["region"]) > 100:
        errors["region"] = _("At most %(limit)s characters.") % {"limit": 100}
    if not values["municipality"]:
        errors["municipality"] = _("Enter the municipality.")
    elif len(values["municipality"]) > 100:
        errors["municipality"] = _("At most %(limit)s characters.") % {"limit": 100}


def _coordinates(
    data: Mapping[str, Any], organisation: Mapping[str, Any] | None, values: dict[str, Any], errors: Errors
) -> None:
    values["latitude"] = coordinate(data, "latitude", 90, errors)
    values["longitude"] = coordinate(data, "longitude", 180, errors)
    if (values["latitude"] is None) != (values["longitude"] is None) and not {"latitude", "longitude"} & errors.keys():
        errors["longitude" if values["longitude"] is None else "latitude"] = _("Give both coordinates or neither.")
    if values["latitude"] is None and values["longitude"] is None and not errors:
        # From the municipality when it is a known one, else where the organisation is.
        place = find_place(values["country"], values["municipality"])
        if place is not None:
            values["latitude"], values["longitude"] = place.latitude, place.longitude
        elif organisation is not None:
            values["latitude"], values["longitude"] = organisation.get("latitude"), organisation.get("longitude")


def capacity_message(taken: int) -> str:
    return _(
        "%(taken)s places are already taken by accepted referrals, so the capacity cannot be lower than %(taken)s."
    ) % {"taken": taken}


def clean_opportunity(
    data: Mapping[str, Any], *, organisation: Mapping[str, Any] | None = None, places_taken: int = 0
) -> tuple[dict[str, Any], Errors]:
    """Return the values to store and, per field, what is wrong with the input.

    ``organisation`` (the posting organisation's record) gives the place and the coordinates when
    the input has none; ``places_taken`` is the floor for the capacity of an existing opportunity.
    Skills come back as lists of ``{"uri", "label"}``; the service recognises vocabulary labels.
    """
    errors: Errors = {}
    values: dict[str, Any] = {field: _text(data, field) for field in _TEXT_LIMITS}
    for field, limit in _TEXT_LIMITS.items():
        if len(values[field]) > limit:
            errors[field] = _("At most %(limit)s characters.") % {"limit": limit}
    if len(values["title"]) < 3 and "title" not in errors:
        errors["title"] = _("Enter a title of at least three characters.")
    values["kind"] = _text(data, "kind")
    if values["kind"] not in OPPORTUNITY_KINDS:
        errors["kind"] = _("Choose a kind of opportunity.")
    values["sector"] = _text(data, "sector")
    if values["sector"] not in SECTORS:
        errors["sector"] = _("Choose a sector.")
    values["status"] = _text(data, "status") or "draft"
    if values["status"] not in OPPORTUNITY_STATUSES:
        errors["status"] = _("Choose draft, open or closed.")
    for field in ("required_skills", "optional_skills"):
        values[field], problem = parse_skills(data.get(field))
        if problem:
            errors[field] = problem
    required = {skill_key(entry) for entry in values["required_skills"]}
    values["optional_skills"] = [e for e in values["optional_skills"] if skill_key(e) not in required]
    _place(data, organisation, values, errors)
    values["hours_per_week"] = _whole(
        data, "hours_per_week", 1, MAX_HOURS, _("Enter the hours per week, a whole number from 1 to 60."), errors
    )
    values["starts_on"] = _date(data, "starts_on", errors)
    values["ends_on"] = _date(data, "ends_on", errors)
    if values["starts_on"] and values["ends_on"] and values["ends_on"] < values["starts_on"]:
        errors["ends_on"] = _("The end cannot be before the start.")
    values["capacity"] = _whole(
        data, "capacity", 1, MAX_CAPACITY, _("Enter the number of places, a whole number from 1 to 500."), errors
    )
    if values["capacity"] is not None and values["capacity"] < places_taken:
        errors["capacity"] = capacity_message(places_taken)
    values["support_offered"] = _codes(
        data.get("support_offered"), SUPPORT, "support_offered", _("Unknown kind of support: %(code)s."), errors
    )
    values["languages"] = _codes(
        data.get("languages"), SPOKEN_LANGUAGES, "languages", _("Unknown language code: %(code)s."), errors
    )
    _coordinates(data, organisation, values, errors)
    return values, errors
