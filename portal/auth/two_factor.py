"""Two-factor sign-in: TOTP secrets, codes that are never accepted twice, and one-time recovery codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pyotp
import segno
from markupsafe import Markup, escape

from portal.auth import throttle
from portal.auth.current_user import CurrentUser
from portal.clock import utc_now
from portal.db.piccolo_conf import DB
from portal.db.rows import existing
from portal.db.tables import LoginAttempt, PortalUser, RecoveryCode, UserSession
from portal.settings import get_settings

ISSUER = "Activation portal"
RECOVERY_CODE_COUNT = 10
# Letters and digits nobody confuses when copying from paper (no 0/o, 1/l/i).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10
# Code failures are throttled under their own key, so a correct password (which forgives the
# account's password slips) does not also forgive wrong codes. Usernames never contain '#', and a
# prefix survives the throttle's cut at 100 characters.
THROTTLE_PREFIX = "2fa#"
_SIX_DIGITS = re.compile(r"[0-9]{6}")  # not \d: that matches digits of every script
T = TypeVar("T")


def _clock() -> float:
    """Seconds since the epoch; tests move it to reach the next 30-second step without waiting."""
    return time.time()


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def required_roles() -> frozenset[str]:
    """Roles that may use the portal only with two-factor sign-in (PORTAL_TWO_FACTOR_ROLES)."""
    return frozenset(get_settings().two_factor_roles)


def must_enrol(user: CurrentUser | None) -> bool:
    """Whether this user's role requires two-factor sign-in that they have not set up yet."""
    return user is not None and not user.totp_enabled and user.role in required_roles()


def throttle_key(username: str) -> str:
    """The name wrong codes are counted under in the login throttle (an admin's unlock clears it too)."""
    return (THROTTLE_PREFIX + username.lower())[:100]


async def throttled_check(username: str, address: str, check: Callable[[], Awaitable[T]]) -> tuple[T | None, bool]:
    """Run ``check`` (a code check) counted like a login attempt: ``(result, throttled)``.

    The attempt is written as a failure before the check, as for passwords, so parallel guesses
    cannot all slip under the limit; a truthy result forgives the account's earlier wrong codes.
    """
    key = throttle_key(username)
    attempt_id, throttled = await throttle.begin_attempt(key, address)
    if throttled:
        return None, True
    result = await check()
    if result:
        await throttle.mark_succeeded(attempt_id, key)
    return result, False


async def is_enabled(user_id: int) -> bool:
    row = await PortalUser.select(PortalUser.totp_enabled).where(PortalUser.id == user_id).first()
    return bool(row and row["totp_enabled"])


# --- turning it on and off ----------------------------------------------------------------------


async def reset(user_id: int) -> None:
    """Turn two-factor off for a user who lost the device and the codes; end all their sessions.

    The caller (an admin page) audits it. The next login asks for enrolment again when the role requires it.
    """
    row = await PortalUser.select(PortalUser.username).where(PortalUser.id == user_id).first()
    async with DB.transaction():
        await _clear(user_id)
        await UserSession.delete().where(UserSession.user == user_id)
        if row:  # wrong codes counted before no longer lock the sign-in
            await LoginAttempt.delete().where(LoginAttempt.username == throttle_key(row["username"]))


async def turn_off(user_id: int) -> None:
    """The user's own choice (password and code checked by the caller); their sessions stay."""
    async with DB.transaction():
        await _clear(user_id)


async def _clear(user_id: int) -> None:
    await PortalUser.update(
        {PortalUser.totp_enabled: False, PortalUser.totp_secret: "", PortalUser.totp_last_step: 0}
    ).where(PortalUser.id == user_id)
    await RecoveryCode.delete().where(RecoveryCode.user == user_id)


async def state(user_id: int) -> dict:
    """``enabled``, the ``secret`` (pending or active), ``username`` and unused ``recovery_codes`` left."""
    row = await existing(
        PortalUser.select(PortalUser.username, PortalUser.totp_enabled, PortalUser.totp_secret)
        .where(PortalUser.id == user_id)
        .first()
    )
    left = await RecoveryCode.count().where((RecoveryCode.user == user_id) & RecoveryCode.used_at.is_null())
    return {
        "enabled": row["totp_enabled"],
        "secret": row["totp_secret"],
        "username": row["username"],
        "recovery_codes": left,
    }


async def begin_enrolment(user_id: int) -> str | None:
    """A new secret, stored but not yet in force; None when two-factor is already on."""
    secret = pyotp.random_base32()
    rows = await (
        PortalUser.update({PortalUser.totp_secret: secret, PortalUser.totp_last_step: 0})
        .where((PortalUser.id == user_id) & PortalUser.totp_enabled.eq(False))
        .returning(PortalUser.id)
    )
    return secret if rows else None


async def confirm_enrolment(user_id: int, code: str) -> list[str] | None:
    """Switch two-factor on when ``code`` matches the pending secret: the new recovery codes, else None."""
    row = await (
        PortalUser.select(PortalUser.totp_secret)
        .where((PortalUser.id == user_id) & PortalUser.totp_enabled.eq(False))
        .first()
    )
    if not row or not row["totp_secret"]:
        return None
    step = matching_step(row["totp_secret"], code)
    if step is None:
        return None
    async with DB.transaction():
        # One conditional statement: the same secret still pending, and the step not used before.
        rows = await (
            PortalUser.update({PortalUser.totp_enabled: True, PortalUser.totp_last_step: step})
            .where(
                (PortalUser.id == user_id)
                & PortalUser.totp_enabled.eq(False)
                & (PortalUser.totp_secret == row["totp_secret"])
                & (PortalUser.totp_last_step < step)
            )
            .returning(PortalUser.id)
        )
        if not rows:
            return None
        return await _replace_recovery_codes(user_id)


async def new_recovery_codes(user_id: int) -> list[str]:
    """Replace the user's recovery codes (the caller checked a current code); shown to them once."""
    async with DB.transaction():
        return await _replace_recovery_codes(user_id)


async def _replace_recovery_codes(user_id: int) -> list[str]:
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    await RecoveryCode.delete().where(RecoveryCode.user == user_id)
    await RecoveryCode.insert(*[RecoveryCode(user=user_id, code_hash=_hash(_normalise(code))) for code in codes])
    return codes


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


# --- checking codes -----------------------------------------------------------------------------


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The 30-second step (current, previous or next: clocks drift) whose code ``code`` is, else None."""
    code = code.strip().replace(" ", "")
    if not _SIX_DIGITS.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    now = _clock() if at is None else at
    current = totp.timecode(dt.datetime.fromtimestamp(now, dt.UTC))
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def use_code(user_id: int, code: str) -> bool:
    """Accept a current TOTP code of an enabled user once: its step must be newer than the last one accepted.

    The step is recorded by one conditional UPDATE, so two requests racing with the same code cannot both pass.
    """
    row = await (
        PortalUser.select(PortalUser.totp_secret)
        .where((PortalUser.id == user_id) & PortalUser.totp_enabled.eq(True))
        .first()
    )
    if not row or not row["totp_secret"]:
        return False
    step = matching_step(row["totp_secret"], code)
    if step is None:
        return False
    rows = await (
        PortalUser.update({PortalUser.totp_last_step: step})
        .where((PortalUser.id == user_id) & PortalUser.totp_enabled.eq(True) & (PortalUser.totp_last_step < step))
        .returning(PortalUser.id)
    )
    return bool(rows)


async def use_recovery_code(user_id: int, code: str) -> bool:
    """Accept an unused recovery code once (one conditional UPDATE marks it used)."""
    normalised = _normalise(code)
    if len(normalised) != _RECOVERY_LENGTH:
        return False
    rows = await (
        RecoveryCode.update({RecoveryCode.used_at: utc_now()})
        .where(
            (RecoveryCode.user == user_id)
            & (RecoveryCode.code_hash == _hash(normalised))
            & RecoveryCode.used_at.is_null()
        )
        .returning(RecoveryCode.id)
    )
    return bool(rows)


def looks_like_totp(code: str) -> bool:
    return bool(_SIX_DIGITS.fullmatch(code.strip().replace(" ", "")))


# --- the QR code --------------------------------------------------------------------------------


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// address authenticator apps read; pyotp percent-encodes the name and issuer."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


# Every tag segno writes, with attribute values of digits, letters, '#', '(', ')', '.', ' ' and '-' only.
_SAFE_TAG = re.compile(r'</?(?:svg|g|path)(?: [a-z-]+="[A-Za-z0-9#(). -]*")*\s*/?>')


def qr_svg(uri: str, label: str) -> Markup:
    """The QR code as inline SVG with an accessible name.

    segno draws only path data from the encoded bits: no text of the URI (where the username is) reaches the
    markup. The pattern check makes that a guarantee, not an assumption about segno's output.
    """
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    if _SAFE_TAG.sub("", svg):
        raise ValueError("unexpected SVG from segno")
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))
