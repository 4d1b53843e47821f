"""Checking organisation and relationship input, shared by the HTML forms and the JSON API."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from portal.geo import find_place, regions_for
from portal.i18n import gettext as _
from portal.organisations.kinds import COUNTRIES, ORGANISATION_KINDS, RELATIONSHIP_KINDS, SPOKEN_LANGUAGES

Errors = dict[str, str]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TEXT_LIMITS = {
    "name": 200,
    "municipality": 100,
    "address": 200,
    "postcode": 20,
    "email": 200,
    "phone": 50,
    "website": 300,
    "contact_person": 200,
    "description": 5000,
    "registry_id": 50,
}


def _text(data: Mapping[str, Any], field: str) -> str:
    value = data.get(field)
    return "" if value is None else str(value).strip()


def _number(data: Mapping[str, Any], field: str, low: float, high: float, errors: Errors) -> float | None:
    raw = data.get(field)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = float(str(raw).replace(",", "."))
    except ValueError:
        errors[field] = _("Enter a number.")
        return None
    if not low <= value <= high:
        errors[field] = _("Enter a number between %(low)s and %(high)s.") % {"low": low, "high": high}
        return None
    return value


def _languages(raw: Any, errors: Errors) -> str:
    if raw is None:
        return ""
    codes = raw if isinstance(raw, list | tuple) else str(raw).replace(";", ",").split(",")
    cleaned = []
    for code in (str(c).strip().lower() for c in codes):
        if not code:
            continue
        if code not in SPOKEN_LANGUAGES:
            errors["languages"] = _("Unknown language code: %(code)s.") % {"code": code[:10]}
            return ""
        if code not in cleaned:
            cleaned.append(code)
    return ",".join(cleaned)


def clean_organisation(data: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """Return the values to store and, per field, what is wrong with the input."""
    errors: Errors = {}
    values: dict[str, Any] = {field: _text(data, field) for field in _TEXT_LIMITS}
    for field, limit in _TEXT_LIMITS.items():
        if len(values[field]) > limit:
            errors[field] = _("At most %(limit)s characters.") % {"limit": limit}
    if len(values["name"]) < 2 and "name" not in errors:
        errors["name"] = _("Enter the organisation's name.")
    values["kind"] = _text(data, "kind")
    if values["kind"] not in ORGANISATION_KINDS:
        errors["kind"] = _("Choose a kind of organisation.")
    values["country"] = _text(data, "country").upper()
    if values["country"] not in COUNTRIES:
        errors["country"] = _("Choose a country.")
    values["region"] = _text(data, "region")
    known_regions = regions_for(values["country"])
    if not values["region"]:
        errors["region"] = _("Enter the region or county.")
    elif known_regions and values["region"] not in known_regions:
        errors["region"] = _("Choose one of this country's regions or counties.")
    elif len(values["region"]) > 100:
        errors["region"] = _("At most %(limit)s characters.") % {"limit": 100}
    if not values["municipality"] and "municipality" not in errors:
        errors["municipality"] = _("Enter the municipality.")
    if values["email"] and not _EMAIL.match(values["email"]):
        errors["email"] = _("Enter an e-mail address such as info@example.org.")
    if values["website"] and not values["website"].startswith(("https://", "http://")):
        errors["website"] = _("Enter an address starting with https://.")
    place = find_place(values["country"], values["municipality"]) if values["municipality"] else None
    if place is not None and values["region"] and place.region != values["region"] and "region" not in errors:
        errors["municipality"] = _("%(municipality)s lies in %(region)s.") % {
            "municipality": place.name,
            "region": place.region,
        }
    values["latitude"] = _number(data, "latitude", -90, 90, errors)
    values["longitude"] = _number(data, "longitude", -180, 180, errors)
    if (values["latitude"] is None) != (values["longitude"] is None) and not {"latitude", "longitude"} & errors.keys():
        errors["longitude" if values["longitude"] is None else "latitude"] = _("Give both coordinates or neither.")
    values["languages"] = _languages(data.get("languages"), errors)
    if values["latitude"] is None and values["longitude"] is None and not errors:
        # Place the organisation at its municipality so it shows on maps and in distance checks.
        if place is not None:
            values["latitude"], values["longitude"] = place.latitude, place.longitude
    return values, errors


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


def clean_relationship(data: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """Check a relationship's kind, dates, strength and note (endpoints are checked by the service)."""
    errors: Errors = {}
    values: dict[str, Any] = {"kind": _text(data, "kind"), "note": _text(data, "note")}
    if values["kind"] not in RELATIONSHIP_KINDS:
        errors["kind"] = _("Choose a kind of relationship.")
    values["since"] = _date(data, "since", errors)
    values["until"] = _date(data, "until", errors)
    if values["since"] and values["until"] and values["until"] < values["since"]:
        errors["until"] = _("The end cannot be before the start.")
    raw_strength = data.get("strength")
    try:
        values["strength"] = 3 if raw_strength in (None, "") else int(str(raw_strength))
        if not 1 <= values["strength"] <= 5:
            raise ValueError
    except ValueError:
        errors["strength"] = _("Choose a strength from 1 to 5.")
    if len(values["note"]) > 1000:
        errors["note"] = _("At most %(limit)s characters.") % {"limit": 1000}
    return values, errors


def check_member_changes(stored: Mapping[str, Any], values: Mapping[str, Any]) -> Errors:
    """What an organisation's own users may not change themselves: what it is and where it is registered."""
    errors: Errors = {}
    if values["kind"] != stored["kind"]:
        errors["kind"] = _("Only a coordinator can change the kind of organisation.")
    if values["country"] != stored["country"]:
        errors["country"] = _("Only a coordinator can change the country.")
    return errors


PROGRAMME_KINDS = frozenset({"project_partner", "associated_partner"})
