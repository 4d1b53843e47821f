"""What a user may change on their own account: profile, language, password; and how a password is replaced."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

import anyio

from portal.auth import emails, throttle
from portal.auth.accounts import MIN_PASSWORD_LENGTH, valid_email
from portal.auth.passwords import hash_password, verify_password
from portal.clock import utc_now
from portal.db.tables import PortalUser
from portal.i18n import LANGUAGES
from portal.i18n import gettext as _
from portal.mail.sender import MailError, send

log = logging.getLogger(__name__)

Errors = dict[str, str]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A password longer than this is refused rather than hashed: Argon2 would take it, but nobody types it.
MAX_PASSWORD_LENGTH = 1000

# What check_password answers.
OK, WRONG, THROTTLED = "ok", "wrong", "throttled"


def _text(data: Mapping[str, Any], field: str) -> str:
    value = data.get(field)
    return "" if value is None else str(value).strip()


async def profile_of(user_id: int) -> dict[str, Any]:
    row = await (
        PortalUser.select(PortalUser.username, PortalUser.display_name, PortalUser.email, PortalUser.language)
        .where(PortalUser.id == user_id)
        .first()
    )
    return row or {}


def clean_profile(data: Mapping[str, Any]) -> tuple[dict[str, str], Errors]:
    """The profile fields a user may set themselves, checked; errors keyed by field."""
    errors: Errors = {}
    values = {
        "display_name": _text(data, "display_name"),
        "email": _text(data, "email"),
        "language": _text(data, "language"),
    }
    if not values["display_name"]:
        errors["display_name"] = _("Enter the name others see.")
    elif len(values["display_name"]) > 200 or _CONTROL.search(values["display_name"]):
        errors["display_name"] = _("Use at most 200 characters, without control characters.")
    if values["email"] and not valid_email(values["email"]):
        errors["email"] = _("Enter an e-mail address like name@example.org.")
    if values["language"] and values["language"] not in LANGUAGES:
        errors["language"] = _("Choose one of the listed languages.")
    return values, errors


async def update_profile(user_id: int, values: Mapping[str, str]) -> list[str]:
    """Save the profile; the names of the fields that changed (for the audit log)."""
    before = await profile_of(user_id)
    changed = [field for field in ("display_name", "email", "language") if before.get(field) != values[field]]
    if changed:
        await PortalUser.update({getattr(PortalUser, field): values[field] for field in changed}).where(
            PortalUser.id == user_id
        )
    return changed


async def set_language(user_id: int, language: str) -> None:
    """The language the user chose from the switch in the header (checked against ``LANGUAGES`` by the caller)."""
    await PortalUser.update({PortalUser.language: language}).where(PortalUser.id == user_id)


async def check_password(username: str, password: str, address: str) -> str:
    """Whether ``password`` is the user's, counted like a login attempt so it cannot be guessed at leisure."""
    attempt_id, throttled = await throttle.begin_attempt(username, address)
    if throttled:
        return THROTTLED
    row = await PortalUser.select(PortalUser.password_hash).where(PortalUser.username == username).first()
    valid = await anyio.to_thread.run_sync(verify_password, row["password_hash"] if row else None, password)
    if not valid:
        return WRONG
    await throttle.mark_succeeded(attempt_id, username)
    return OK


def new_password_errors(password: str, again: str, username: str) -> Errors:
    """What is wrong with a new password typed twice; empty when it may be used."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return {"new_password": _("Use at least %(count)s characters.") % {"count": MIN_PASSWORD_LENGTH}}
    if len(password) > MAX_PASSWORD_LENGTH:
        return {"new_password": _("Use at most %(count)s characters.") % {"count": MAX_PASSWORD_LENGTH}}
    if password.strip().lower() == username.strip().lower():
        return {"new_password": _("The password must not be your username.")}
    if password != again:
        return {"new_password_again": _("The two passwords differ. Type the same one twice.")}
    return {}


async def set_password(user_id: int, password: str) -> None:
    # Argon2 takes CPU time on purpose: keep the event loop serving others meanwhile.
    password_hash = await anyio.to_thread.run_sync(hash_password, password)
    await PortalUser.update({PortalUser.password_hash: password_hash, PortalUser.password_changed_at: utc_now()}).where(
        PortalUser.id == user_id
    )


async def notify_password_changed(user_id: int) -> None:
    """Tell the owner by e-mail, when they have an address. A mail failure is logged: the change stands."""
    row = await (
        PortalUser.select(PortalUser.email, PortalUser.language, PortalUser.display_name)
        .where(PortalUser.id == user_id)
        .first()
    )
    if not row or not row["email"]:
        return
    try:
        await send(emails.password_changed_mail(row["email"], row["language"], row["display_name"]))
    except (MailError, ValueError):  # ValueError: an address the mail library refuses
        log.exception("could not send the password-changed notice to user %s", user_id)
