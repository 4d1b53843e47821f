"""Checking training input: the event form, the programme form and the public registration form."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from portal.geo import find_place
from portal.i18n import gettext as _
from portal.organisations.params import is_record_id
from portal.training.kinds import (
    EVENT_COUNTRIES,
    EVENT_KINDS,
    EVENT_LANGUAGES,
    EVENT_STATUSES,
    LOCAL_ZONE,
    MAX_CAPACITY,
)
from portal.web.fields import choice, coordinate, integer, text

Errors = dict[str, str]

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_LIMITS = {
    "title": 300,
    "description": 5000,
    "topics": 1000,
    "online_url": 500,
    "place_name": 200,
    "municipality": 100,
    "name": 200,
    "organisation_name": 200,
    "email": 254,
    "material_title": 200,
    "url": 500,
}


def _limited(data: Mapping[str, Any], field: str, errors: Errors, required: bool = False) -> str:
    value = text(data, field)
    limit = _LIMITS[field]
    if required and not value:
        errors[field] = _("This field is required.")
    elif len(value) > limit:
        errors[field] = _("At most %(n)s characters.") % {"n": limit}
    return value[:limit]


def parse_local(value: str) -> dt.datetime | None:
    """A ``datetime-local`` field (local time in Slovenia and Croatia) as an aware UTC datetime."""
    try:
        moment = dt.datetime.strptime(value.strip()[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    if not 2000 <= moment.year <= 2100:
        return None
    return moment.replace(tzinfo=LOCAL_ZONE).astimezone(dt.UTC)


def local_input(value: dt.datetime | None) -> str:
    """A stored UTC moment as the value of a ``datetime-local`` field."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M")


def _moment(data: Mapping[str, Any], field: str, errors: Errors, required: bool) -> dt.datetime | None:
    raw = text(data, field)
    if not raw:
        if required:
            errors[field] = _("Enter a date and time.")
        return None
    moment = parse_local(raw)
    if moment is None:
        errors[field] = _("Enter a date and time such as 2026-11-06 09:00.")
    return moment


def is_web_address(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def clean_event(data: Mapping[str, Any], places_taken: int = 0) -> tuple[dict[str, Any], Errors]:
    """The event form's values ready to store, and the errors by field (empty when all is well)."""
    errors: Errors = {}
    values: dict[str, Any] = {
        "title": _limited(data, "title", errors, required=True),
        "description": _limited(data, "description", errors),
        "place_name": _limited(data, "place_name", errors),
        "online_url": _limited(data, "online_url", errors),
    }
    topics = [t.strip() for t in text(data, "topics").replace(";", ",").split(",") if t.strip()]
    values["topics"] = ", ".join(topics)
    if len(values["topics"]) > _LIMITS["topics"]:
        errors["topics"] = _("At most %(n)s characters.") % {"n": _LIMITS["topics"]}
    for field, options in (("kind", EVENT_KINDS), ("language", EVENT_LANGUAGES), ("status", EVENT_STATUSES)):
        values[field] = choice(data, field, options, _("Choose one of the options."), errors)
    programme = text(data, "programme_id")
    values["programme"] = int(programme) if is_record_id(programme) else None
    if programme and values["programme"] is None:
        errors["programme_id"] = _("Choose one of the options.")
    module = text(data, "module_number")
    values["module_number"] = integer(module, 1, 99, digits_only=True) if module else None
    if module and values["module_number"] is None:
        errors["module_number"] = _("Enter a whole number from %(low)s to %(high)s.") % {"low": 1, "high": 99}
    elif values.get("kind") == "module" and values["module_number"] is None:
        errors["module_number"] = _("A module needs its number in the programme.")
    values["starts_at"] = _moment(data, "starts_at", errors, required=True)
    values["ends_at"] = _moment(data, "ends_at", errors, required=True)
    if values["starts_at"] and values["ends_at"] and values["ends_at"] <= values["starts_at"]:
        errors["ends_at"] = _("The end must come after the start.")
    values["registration_deadline"] = _moment(data, "registration_deadline", errors, required=False)
    deadline = values["registration_deadline"]
    if deadline and values["starts_at"] and deadline > values["starts_at"]:
        errors["registration_deadline"] = _("Registration must close before the event starts.")
    capacity = integer(text(data, "capacity"), 1, MAX_CAPACITY, digits_only=True)
    if capacity is None:
        errors["capacity"] = _("Enter a whole number from %(low)s to %(high)s.") % {"low": 1, "high": MAX_CAPACITY}
    elif capacity < places_taken:
        errors["capacity"] = _("%(n)s people already have a place: the capacity cannot be lower.") % {"n": places_taken}
    values["capacity"] = capacity
    values["online"] = text(data, "online") in ("on", "true", "1")
    if values["online"] and not is_web_address(values["online_url"]):
        errors["online_url"] = _("An online event needs its link (starting with https://).")
    elif values["online_url"] and not is_web_address(values["online_url"]):
        errors["online_url"] = _("Enter a web address starting with https://.")
    _clean_place(data, values, errors)
    return values, errors


def _clean_place(data: Mapping[str, Any], values: dict[str, Any], errors: Errors) -> None:
    """Country and municipality (the region and default coordinates follow from them); optional online."""
    values["country"] = text(data, "country")
    values["municipality"] = _limited(data, "municipality", errors)
    values["latitude"] = coordinate(data, "latitude", 90, errors)
    values["longitude"] = coordinate(data, "longitude", 180, errors)
    values["region"] = ""
    if (values["latitude"] is None) != (values["longitude"] is None):
        errors["longitude"] = _("Give both coordinates or neither.")
    if values["online"] and not values["municipality"]:
        if values["country"] and values["country"] not in EVENT_COUNTRIES:
            errors["country"] = _("Choose one of the options.")
        return
    if values["country"] not in EVENT_COUNTRIES:
        errors["country"] = _("Choose one of the options.")
        return
    if not values["municipality"]:
        errors["municipality"] = _("An event in a place needs its municipality.")
        return
    place = find_place(values["country"], values["municipality"])
    if place is None:
        errors["municipality"] = _("No such municipality in the chosen country.")
        return
    values["municipality"] = place.name
    values["region"] = place.region
    if values["latitude"] is None:
        values["latitude"], values["longitude"] = place.latitude, place.longitude


def clean_programme(data: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    title = text(data, "title")
    if not title:
        errors["title"] = _("This field is required.")
    elif len(title) > 200:
        errors["title"] = _("At most %(n)s characters.") % {"n": 200}
    description = text(data, "description")
    if len(description) > 5000:
        errors["description"] = _("At most %(n)s characters.") % {"n": 5000}
    return {"title": title[:200], "description": description[:5000]}, errors


def clean_external(data: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """The public form: name, organisation, e-mail and the consent box."""
    errors: Errors = {}
    values = {
        "name": _limited(data, "name", errors, required=True),
        "organisation_name": _limited(data, "organisation_name", errors, required=True),
        "email": _limited(data, "email", errors, required=True).lower(),
    }
    if "email" not in errors and not _EMAIL.match(values["email"]):
        errors["email"] = _("Enter an e-mail address such as ana@example.org.")
    if text(data, "consent") not in ("on", "true", "1"):
        errors["consent"] = _("Please agree to how your details are used, or do not register.")
    return values, errors


def clean_link(data: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    title = _limited(data, "material_title", errors, required=True)
    url = _limited(data, "url", errors, required=True)
    if "url" not in errors and not is_web_address(url):
        errors["url"] = _("Enter a web address starting with https://.")
    return {"title": title, "url": url}, errors
