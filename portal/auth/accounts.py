"""Creating users and checking their passwords."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import anyio
from piccolo.columns import Column

from portal.auth import throttle
from portal.auth.passwords import hash_password, needs_rehash, verify_password
from portal.auth.roles import ROLES
from portal.clock import utc_now
from portal.db.tables import Organisation, PortalUser

MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A user cannot be created as asked; the message says why."""


@dataclass(frozen=True)
class LoginResult:
    user_id: int | None
    throttled: bool = False

    @property
    def ok(self) -> bool:
        return self.user_id is not None


async def authenticate(username: str, password: str, address: str) -> LoginResult:
    """Check a password, counting the attempt; refuse while the account or address is throttled."""
    username = username.strip().lower()
    attempt_id, throttled = await throttle.begin_attempt(username, address)
    if throttled:
        return LoginResult(user_id=None, throttled=True)
    row = (
        await PortalUser.select(PortalUser.id, PortalUser.password_hash, PortalUser.is_active)
        .where(PortalUser.username == username)
        .first()
    )
    # Argon2 takes a few hundred milliseconds of CPU: keep the event loop serving others meanwhile.
    valid = await anyio.to_thread.run_sync(verify_password, row["password_hash"] if row else None, password)
    if not (row and valid and row["is_active"]):
        return LoginResult(user_id=None)
    await throttle.mark_succeeded(attempt_id, username)
    updates: dict[Column | str, Any] = {PortalUser.last_login_at: utc_now()}
    if needs_rehash(row["password_hash"]):
        updates[PortalUser.password_hash] = hash_password(password)
    await PortalUser.update(updates).where(PortalUser.id == row["id"])
    return LoginResult(user_id=row["id"])


def valid_username(username: str) -> bool:
    """Letters, digits, '.', '-' or '_', at most 100 characters (already stripped and lower-cased)."""
    return 0 < len(username) <= 100 and username.replace(".", "").replace("-", "").replace("_", "").isalnum()


def valid_email(email: str) -> bool:
    """One '@', a dot in the domain, no spaces or control characters, at most 254 characters."""
    return len(email) <= 254 and _EMAIL.match(email) is not None and email.isprintable()


async def create_user(
    username: str,
    password: str,
    role: str,
    organisation_slug: str,
    display_name: str = "",
    language: str = "",
    email: str = "",
) -> int:
    """Add a user to an organisation; raise :class:`AccountError` on bad input."""
    username = username.strip().lower()
    if not valid_username(username):
        raise AccountError("username: use letters, digits, '.', '-' or '_' (at most 100)")
    if role not in ROLES:
        raise AccountError(f"role: must be one of {', '.join(ROLES)}")
    email = email.strip()
    if email and not valid_email(email):
        raise AccountError(f"email: {email!r} is not an e-mail address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password: at least {MIN_PASSWORD_LENGTH} characters")
    organisation = await Organisation.select(Organisation.id).where(Organisation.slug == organisation_slug).first()
    if organisation is None:
        raise AccountError(f"organisation: no organisation with key {organisation_slug!r}")
    if await PortalUser.exists().where(PortalUser.username == username):
        raise AccountError(f"username: {username!r} is taken")
    rows = await PortalUser.insert(
        PortalUser(
            username=username,
            password_hash=hash_password(password),
            display_name=display_name or username,
            organisation=organisation["id"],
            role=role,
            language=language,
            email=email,
            created_at=utc_now(),
        )
    )
    return rows[0]["id"]
