"""Single-use, expiring links sent by e-mail (invitations, password resets): only their SHA-256 is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from portal.clock import utc_now
from portal.db.tables import AccountToken

INVITATION = "invitation"
RESET = "reset"
LIFETIMES = {INVITATION: dt.timedelta(days=7), RESET: dt.timedelta(hours=1)}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(user_id: int, purpose: str, created_by: int | None = None) -> str:
    """A new token for ``user_id``; earlier unused tokens of the same purpose stop working."""
    if purpose not in LIFETIMES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    now = utc_now()
    await AccountToken.delete().where(
        (AccountToken.user == user_id) & (AccountToken.purpose == purpose) & AccountToken.used_at.is_null()
    )
    token = secrets.token_urlsafe(32)
    await AccountToken.insert(
        AccountToken(
            token_hash=_hash(token),
            user=user_id,
            purpose=purpose,
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
            created_by=created_by,
        )
    )
    return token


async def peek(token: str, purpose: str) -> int | None:
    """The user a live, unused token belongs to, without using it (to show the form it opens)."""
    if not token or len(token) > 100:
        return None
    row = (
        await AccountToken.select(AccountToken.user)
        .where(
            (AccountToken.token_hash == _hash(token))
            & (AccountToken.purpose == purpose)
            & AccountToken.used_at.is_null()
            & (AccountToken.expires_at > utc_now())
        )
        .first()
    )
    return row["user"] if row else None


async def redeem(token: str, purpose: str) -> int | None:
    """Use the token once: the user it belonged to, or None when unknown, used, expired or for another purpose.

    One conditional UPDATE marks it used, so two requests racing with the same link cannot both win.
    """
    if not token or len(token) > 100:
        return None
    rows = await (
        AccountToken.update({AccountToken.used_at: utc_now()})
        .where(
            (AccountToken.token_hash == _hash(token))
            & (AccountToken.purpose == purpose)
            & AccountToken.used_at.is_null()
            & (AccountToken.expires_at > utc_now())
        )
        .returning(AccountToken.user)
    )
    return rows[0]["user"] if rows else None


async def purge(before: dt.datetime) -> int:
    """Drop tokens that expired or were used before ``before``; the number dropped."""
    gone = await (
        AccountToken.delete()
        .where((AccountToken.expires_at < before) | (AccountToken.used_at < before))
        .returning(AccountToken.id)
    )
    return len(gone)
