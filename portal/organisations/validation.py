"""Checking organisation and relationship input, shared by the HTML forms and the JSON API."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from portal.geo import find_place, regions_for
from portal.i18n import gettext as _
from portal.organisations.kinds import COUNTRIES, ORGANISATION_KINDS, RELATIONSHIP_KINDS, SPOKEN_LANGUAGES
from portal.web.fields import choice, codes, coordinate, date, integer, texts
from portal.web.fields import text as field_text

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
    # Control characters are kept as they came (the web layer refuses them in requests).
    return field_text(data, field, keep_control=True)


def clean_organisation(data: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """Return the values to store and, per field, what is wrong with the input."""
    errors: Errors = {}
    values = texts(data, _TEXT_LIMITS, errors, keep_control=True)
    if len(values["name"]) < 2 and "name" not in errors:
        errors["name"] = _("Enter the organisation's name.")
    values["kind"] = choice(
        data, "kind", ORGANISATION_KINDS, _("Choose a kind of organisation."), errors, keep_control=True
    )
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
    # A JSON true or false here is "no number", as it always was for organisations.
    values["latitude"] = coordinate(data, "latitude", 90, errors, bool_is_empty=False)
    values["longitude"] = coordinate(data, "longitude", 180, errors, bool_is_empty=False)
    if (values["latitude"] is None) != (values["longitude"] is None) and not {"latitude", "longitude"} & errors.keys():
        errors["longitude" if values["longitude"] is None else "latitude"] = _("Give both coordinates or neither.")
    values["languages"] = codes(
        data.get("languages"), SPOKEN_LANGUAGES, "languages", _("Unknown language code: %(code)s."), errors, shown=10
    )
    if values["latitude"] is None and values["longitude"] is None and not errors:
        # Place the organisation at its municipality so it shows on maps and in distance checks.
        if place is not None:
            values["latitude"], values["longitude"] = place.latitude, place.longitude
    return values, errors


def clean_relationship(data: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """Check a relationship's kind, dates, strength and note (endpoints are checked by the service)."""
    errors: Errors = {}
    kind = choice(data, "kind", RELATIONSHIP_KINDS, _("Choose a kind of relationship."), errors, keep_control=True)
    values: dict[str, Any] = {"kind": kind, "note": _text(data, "note")}
    values["since"] = date(data, "since", errors)
    values["until"] = date(data, "until", errors)
    if values["since"] and values["until"] and values["until"] < values["since"]:
        errors["until"] = _("The end cannot be before the start.")
    raw_strength = data.get("strength")
    values["strength"] = 3 if raw_strength in (None, "") else integer(raw_strength, 1, 5)
    if values["strength"] is None:
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
