"""Checking the invitation and change forms: cleaned values, or a message per field and nothing written."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from portal.auth.accounts import valid_email, valid_username
from portal.i18n import LANGUAGES
from portal.i18n import gettext as _
from portal.organisations.params import is_record_id
from portal.users import services

Errors = dict[str, str]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(data: Mapping[str, Any], field: str) -> str:
    value = data.get(field)
    return "" if value is None else str(value).strip()


async def _profile(
    data: Mapping[str, Any], scope: services.Scope, email_required: bool
) -> tuple[dict[str, Any], Errors]:
    """The fields both forms have: display name, e-mail, role and organisation."""
    errors: Errors = {}
    values: dict[str, Any] = {field: _text(data, field) for field in ("display_name", "email", "role")}
    if not values["display_name"]:
        errors["display_name"] = _("Enter the name others see.")
    elif len(values["display_name"]) > 200 or _CONTROL.search(values["display_name"]):
        errors["display_name"] = _("Use at most 200 characters, without control characters.")
    if not values["email"] and email_required:
        errors["email"] = _("Enter the e-mail address the invitation and password links go to.")
    elif values["email"] and not valid_email(values["email"]):
        errors["email"] = _("Enter an e-mail address like name@example.org.")
    if values["role"] not in scope.roles:
        errors["role"] = _("Choose one of the listed roles.")
    chosen = _text(data, "organisation_id")
    country = await services.organisation_country(int(chosen)) if is_record_id(chosen) else None
    if country is None:
        errors["organisation_id"] = _("Choose an organisation from the list.")
    elif scope.country is not None and country != scope.country:
        errors["organisation_id"] = _("Choose an organisation in your programme (%(country)s).") % {
            "country": scope.country
        }
    else:
        values["organisation_id"] = int(chosen)
    return values, errors


async def clean_invitation(data: Mapping[str, Any], scope: services.Scope) -> tuple[dict[str, Any], Errors]:
    """A new user to invite: the rules of ``accounts.create_user`` plus a required e-mail address."""
    values, errors = await _profile(data, scope, email_required=True)
    values["username"] = _text(data, "username").lower()
    values["language"] = _text(data, "language")
    if not valid_username(values["username"]):
        errors["username"] = _("Use letters, digits, '.', '-' or '_' (at most 100).")
    elif await services.username_taken(values["username"]):
        errors["username"] = _("This username is taken: choose another.")
    if values["language"] and values["language"] not in LANGUAGES:
        errors["language"] = _("Choose one of the listed languages.")
    return values, errors


async def clean_changes(
    data: Mapping[str, Any], scope: services.Scope, user: Mapping[str, Any]
) -> tuple[dict[str, Any], Errors]:
    """Changes to ``user``; a manager cannot take their own role away. An invited user keeps an e-mail address."""
    values, errors = await _profile(data, scope, email_required=user["invited"])
    if user["id"] == scope.manager.id and values["role"] != user["role"] and "role" not in errors:
        errors["role"] = _("You cannot change your own role: ask another administrator.")
    # Reset links go to this address: a coordinator who could change it could take over the account.
    if scope.country is not None and not user["invited"] and values.get("email") != user["email"]:
        errors.setdefault(
            "email",
            _("Only an administrator can change the e-mail address of an account in use: reset links go there."),
        )
    return values, errors
