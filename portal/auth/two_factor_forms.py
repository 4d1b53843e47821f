"""The write services behind the two-factor forms: each checks (throttled), changes and audits in one call."""

from __future__ import annotations

from dataclasses import dataclass

import anyio

from portal.audit import services as audit
from portal.auth import sessions, two_factor
from portal.auth.current_user import CurrentUser
from portal.auth.passwords import verify_password
from portal.db.rows import existing
from portal.db.tables import PortalUser
from portal.i18n import gettext as _

RECORD = "user"


def _too_many() -> str:
    return _("Too many wrong codes. Wait 15 minutes and try again.")


def _wrong_code() -> str:
    return _("That code is not right, or was used already. Enter the current code from your app.")


@dataclass(frozen=True)
class CodeForm:
    """What a form with a code led to: the new recovery codes (shown once), or the message for the code field.

    ``refused`` is set instead when the user may not do this at all (the page answers 403).
    """

    codes: tuple[str, ...] = ()
    error: str = ""
    throttled: bool = False
    refused: str = ""

    @property
    def ok(self) -> bool:
        return not (self.error or self.refused)


async def start(user: CurrentUser, address: str) -> None:
    """A new secret, not yet in force (nothing happens when two-factor is on already)."""
    if await two_factor.begin_enrolment(user.id):
        await audit.record(user, address, "update", RECORD, user.id, "two-factor sign-in: new secret, not confirmed")


async def confirm(user: CurrentUser, address: str, code: str) -> CodeForm:
    """Turn two-factor on with a code from the pending secret; the first recovery codes."""
    codes, throttled = await two_factor.throttled_check(
        user.username, address, lambda: two_factor.confirm_enrolment(user.id, code)
    )
    if not codes:
        return CodeForm(error=_too_many() if throttled else _wrong_code(), throttled=throttled)
    await audit.record(user, address, "update", RECORD, user.id, "two-factor sign-in turned on")
    return CodeForm(codes=tuple(codes))


async def renew_codes(user: CurrentUser, address: str, code: str) -> CodeForm:
    """Replace the recovery codes, given a current code."""
    ok, throttled = await two_factor.throttled_check(user.username, address, lambda: two_factor.use_code(user.id, code))
    if not ok:
        return CodeForm(error=_too_many() if throttled else _wrong_code(), throttled=throttled)
    codes = await two_factor.new_recovery_codes(user.id)
    await audit.record(user, address, "update", RECORD, user.id, "two-factor recovery codes replaced")
    return CodeForm(codes=tuple(codes))


async def turn_off(user: CurrentUser, address: str, password: str, code: str) -> CodeForm:
    """Turn two-factor off, given the password and a current code; a no-op when it is off already."""
    if user.role in two_factor.required_roles():
        return CodeForm(refused=_("Your role must use two-factor sign-in: it cannot be turned off."))
    if not await two_factor.is_enabled(user.id):
        return CodeForm()

    async def both_right() -> bool:
        row = await existing(PortalUser.select(PortalUser.password_hash).where(PortalUser.id == user.id).first())
        # Argon2 takes CPU time on purpose: keep the event loop serving others meanwhile.
        password_ok = await anyio.to_thread.run_sync(verify_password, row["password_hash"], password)
        # The code is used up only when the password was right too.
        return password_ok and await two_factor.use_code(user.id, code)

    ok, throttled = await two_factor.throttled_check(user.username, address, both_right)
    if not ok:
        message = _too_many() if throttled else _("The password or the code is not right. Nothing was changed.")
        return CodeForm(error=message, throttled=throttled)
    await two_factor.turn_off(user.id)
    await audit.record(user, address, "update", RECORD, user.id, "two-factor sign-in turned off")
    return CodeForm()


@dataclass(frozen=True)
class LoginCode:
    """The second step of a login: the signed-in session's token, or why not.

    ``no_pending``: no sign-in waits for a code (back to the password). ``throttled``: too many wrong codes,
    the pending sign-in was ended (``username`` refills the login form). Otherwise ``error`` for the code field.
    """

    token: str | None = None
    no_pending: bool = False
    throttled: bool = False
    username: str = ""
    error: str = ""


async def check_login_code(pending_token: str | None, code: str, address: str, user_agent: str) -> LoginCode:
    """Check the code of the sign-in waiting under ``pending_token``; on success a new session replaces it."""
    pending = await sessions.pending_user(pending_token)
    if pending is None or pending_token is None:  # no token, no pending user
        return LoginCode(no_pending=True)
    user_id = pending["id"]
    by_recovery = not two_factor.looks_like_totp(code)

    async def right() -> bool:
        if by_recovery:
            return await two_factor.use_recovery_code(user_id, code)
        return await two_factor.use_code(user_id, code)

    ok, throttled = await two_factor.throttled_check(pending["username"], address, right)
    if throttled:
        # Start again from the password, and say why.
        await sessions.end_session(pending_token)
        return LoginCode(
            throttled=True,
            username=pending["username"],
            error=_("Too many wrong codes. This sign-in was ended: wait 15 minutes and log in again."),
        )
    if not ok:
        return LoginCode(error=_("That code is not right, or was used already."))
    # A new session id for the signed-in session; the pending one is dropped.
    token = await sessions.start_session(user_id, address, previous_token=pending_token, user_agent=user_agent)
    if by_recovery:
        signed_in = await sessions.user_for_token(token)
        await audit.record(signed_in, address, "update", RECORD, user_id, "signed in with a recovery code")
    return LoginCode(token=token)
