"""Checking opportunity input, shared by the HTML forms and the JSON API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.geo import find_place, regions_for
from portal.i18n import gettext as _
from portal.organisations.kinds import COUNTRIES, SPOKEN_LANGUAGES
from portal.skills.entries import parse_skills, skill_key
from portal.vocab import OPPORTUNITY_KINDS, OPPORTUNITY_STATUSES, SECTORS, SUPPORT
from portal.web.fields import choice, codes, coordinate, date, integer, text, texts

Errors = dict[str, str]

MAX_HOURS = 60
MAX_CAPACITY = 500
_TEXT_LIMITS = {"title": 200, "description": 5000}
PLACE_FIELDS = ("country", "region", "municipality")


def _whole(data: Mapping[str, Any], field: str, low: int, high: int, message: str, errors: Errors) -> int | None:
    value = integer(data.get(field), low, high)
    if value is None:
        errors[field] = message
    return value


def _place(
    data: Mapping[str, Any], organisation: Mapping[str, Any] | None, values: dict[str, Any], errors: Errors
) -> None:
    place = {field: text(data, field) for field in PLACE_FIELDS}
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
    values = texts(data, _TEXT_LIMITS, errors)
    if len(values["title"]) < 3 and "title" not in errors:
        errors["title"] = _("Enter a title of at least three characters.")
    values["kind"] = choice(data, "kind", OPPORTUNITY_KINDS, _("Choose a kind of opportunity."), errors)
    values["sector"] = choice(data, "sector", SECTORS, _("Choose a sector."), errors)
    values["status"] = choice(
        data, "status", OPPORTUNITY_STATUSES, _("Choose draft, open or closed."), errors, default="draft"
    )
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
    values["starts_on"] = date(data, "starts_on", errors)
    values["ends_on"] = date(data, "ends_on", errors)
    if values["starts_on"] and values["ends_on"] and values["ends_on"] < values["starts_on"]:
        errors["ends_on"] = _("The end cannot be before the start.")
    values["capacity"] = _whole(
        data, "capacity", 1, MAX_CAPACITY, _("Enter the number of places, a whole number from 1 to 500."), errors
    )
    if values["capacity"] is not None and values["capacity"] < places_taken:
        errors["capacity"] = capacity_message(places_taken)
    values["support_offered"] = codes(
        data.get("support_offered"), SUPPORT, "support_offered", _("Unknown kind of support: %(code)s."), errors
    )
    values["languages"] = codes(
        data.get("languages"), SPOKEN_LANGUAGES, "languages", _("Unknown language code: %(code)s."), errors
    )
    _coordinates(data, organisation, values, errors)
    return values, errors
