"""The write services behind the account forms: each checks (throttled), changes and audits in one call."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.audit import services as audit
from portal.auth import reset as password_reset
from portal.auth import self_service, sessions
from portal.auth.current_user import CurrentUser
from portal.i18n import gettext as _

RECORD = "user"
Errors = dict[str, str]


def _throttled_message() -> str:
    return _("Too many failed attempts. Wait 15 minutes and try again.")


def _password_message(verdict: str, wrong: str) -> str:
    return _throttled_message() if verdict == self_service.THROTTLED else wrong


@dataclass(frozen=True)
class FormResult:
    """Errors keyed by field (empty: done), whether too many failures refused it, and what to show again."""

    errors: Errors = field(default_factory=dict)
    throttled: bool = False
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


async def save_profile(user: CurrentUser, data: Mapping[str, str], address: str) -> FormResult:
    """Save one's own name, e-mail address and language; a new address needs the current password."""
    values, errors = self_service.clean_profile(data)
    stored = await self_service.profile_of(user.id)
    verdict = self_service.OK
    # The e-mail address decides where reset links go: whoever holds a stolen session must not redirect them.
    if not errors and values["email"] != stored["email"]:
        verdict = await self_service.check_password(user.username, data.get("current_password", ""), address)
        if verdict != self_service.OK:
            wrong = _("To change the e-mail address, enter your current password.")
            errors["current_password"] = _password_message(verdict, wrong)
    if errors:
        return FormResult(errors, verdict == self_service.THROTTLED, {**stored, **values})
    changed = await self_service.update_profile(user.id, values)
    if changed:
        await audit.record(user, address, "update", RECORD, user.id, "own profile: " + ", ".join(changed))
    return FormResult()


async def change_password(
    user: CurrentUser, data: Mapping[str, str], address: str, session_token: str | None
) -> FormResult:
    """Replace one's own password; every other session ends (the one holding ``session_token`` stays)."""
    # Checked (and counted) first, whatever else is wrong: the form must not be a free password oracle.
    verdict = await self_service.check_password(user.username, data.get("current_password", ""), address)
    errors = {}
    if verdict != self_service.OK:
        errors["current_password"] = _password_message(verdict, _("This is not your current password."))
    errors.update(
        self_service.new_password_errors(
            data.get("new_password", ""), data.get("new_password_again", ""), user.username
        )
    )
    if errors:
        return FormResult(errors, verdict == self_service.THROTTLED)
    await self_service.set_password(user.id, data["new_password"])
    ended = await sessions.end_other_sessions(user.id, session_token)
    await audit.record(user, address, "update", RECORD, user.id, f"own password changed; {ended} other sessions ended")
    await self_service.notify_password_changed(user.id)
    return FormResult()


@dataclass(frozen=True)
class EndedSession:
    """Whether the session was the user's own (else "not found"), and whether it was this browser's."""

    found: bool
    was_current: bool = False


async def end_session(user: CurrentUser, session_id: int, session_token: str | None, address: str) -> EndedSession:
    """End one of the user's own sessions; another user's session id is "not found", never ended."""
    was_current = any(
        row["id"] == session_id and row["current"] for row in await sessions.sessions_of(user.id, session_token)
    )
    if not await sessions.end_session_of(user.id, session_id):
        return EndedSession(found=False)
    await audit.record(user, address, "update", RECORD, user.id, f"own session {session_id} ended")
    return EndedSession(found=True, was_current=was_current)


async def end_other_sessions(user: CurrentUser, session_token: str | None, address: str) -> int:
    """End every session of the user but the one holding ``session_token``; how many ended."""
    ended = await sessions.end_other_sessions(user.id, session_token)
    await audit.record(user, address, "update", RECORD, user.id, f"{ended} other own sessions ended")
    return ended


@dataclass(frozen=True)
class ResetRequest:
    """A forgotten-password request: refused (no ``send_links``: too many from the address), else the mailing.

    ``send_links`` is run after the answer went out, so its time tells nothing about which accounts exist.
    """

    identifier: str
    send_links: Callable[[], Awaitable[None]] | None = None


async def request_reset(data: Mapping[str, str], address: str) -> ResetRequest:
    """Count the request from ``address``; when allowed, the reset mails to send for the identifier given."""
    identifier = data.get("identifier", "").strip()[:254]
    if not await password_reset.note_request(address):
        return ResetRequest(identifier)
    return ResetRequest(identifier, functools.partial(password_reset.send_reset_links, identifier, address))


@dataclass(frozen=True)
class PasswordReset:
    """Choosing a new password with a reset link: ``dead`` (the link will never work), errors, or done."""

    dead: bool = False
    errors: Errors = field(default_factory=dict)


async def reset_password(token: str, data: Mapping[str, str], address: str) -> PasswordReset:
    """Set the new password a live link allows; a typo leaves the link usable."""
    username = await password_reset.username_for_token(token)
    if username is None:
        return PasswordReset(dead=True)
    errors = self_service.new_password_errors(
        data.get("new_password", ""), data.get("new_password_again", ""), username
    )
    if errors:
        return PasswordReset(errors=errors)
    user_id = await password_reset.reset_password(token, data["new_password"])
    if user_id is None:  # used by a parallel request a moment ago
        return PasswordReset(dead=True)
    await audit.record(None, address, "update", RECORD, user_id, "password reset by e-mail link; all sessions ended")
    await self_service.notify_password_changed(user_id)
    return PasswordReset()
