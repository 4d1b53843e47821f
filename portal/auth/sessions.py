"""Server-side sessions: a random token in an HttpOnly cookie, its SHA-256 in the database."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from piccolo.custom_types import Combinable

from portal.auth.current_user import CurrentUser
from portal.clock import utc_now
from portal.db.tables import UserSession

COOKIE_NAME = "portal_session"
SESSION_LIFETIME = dt.timedelta(hours=12)
# Between a correct password and the two-factor code: long enough to find the phone, no longer.
PENDING_LIFETIME = dt.timedelta(minutes=10)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(
    user_id: int,
    address: str,
    previous_token: str | None = None,
    user_agent: str = "",
    *,
    pending_second_factor: bool = False,
) -> str:
    """Open a new session and drop the one the browser had: the id is renewed at every login.

    A session ``pending_second_factor`` belongs to a user who gave the password but not yet the code:
    it lets nobody in (see :func:`user_for_token`), only the code form finds it.
    """
    if previous_token:
        await end_session(previous_token)
    await purge_expired()  # logins are rare enough to carry the clean-up
    token = secrets.token_urlsafe(32)
    now = utc_now()
    await UserSession.insert(
        UserSession(
            token_hash=_hash(token),
            user=user_id,
            created_at=now,
            expires_at=now + (PENDING_LIFETIME if pending_second_factor else SESSION_LIFETIME),
            address=address[:64],
            user_agent=user_agent[:200],
            pending_second_factor=pending_second_factor,
        )
    )
    return token


async def end_session(token: str) -> None:
    await UserSession.delete().where(UserSession.token_hash == _hash(token))


async def sessions_of(user_id: int, current_token: str | None) -> list[dict]:
    """The user's live sessions, newest first, each with ``current`` telling the one this browser holds."""
    rows = await (
        UserSession.select(
            UserSession.id,
            UserSession.token_hash,
            UserSession.created_at,
            UserSession.address,
            UserSession.user_agent,
            UserSession.pending_second_factor,
        )
        .where((UserSession.user == user_id) & (UserSession.expires_at > utc_now()))
        .order_by(UserSession.created_at, ascending=False)
        .order_by(UserSession.id, ascending=False)
    )
    current_hash = _hash(current_token) if current_token else None
    for row in rows:
        row["current"] = row.pop("token_hash") == current_hash
    return rows


async def end_session_of(user_id: int, session_id: int) -> bool:
    """End one session, only if it is ``user_id``'s own; whether there was one to end."""
    gone = await (
        UserSession.delete()
        .where((UserSession.id == session_id) & (UserSession.user == user_id))
        .returning(UserSession.id)
    )
    return bool(gone)


async def end_other_sessions(user_id: int, keep_token: str | None) -> int:
    """End every session of the user but the one holding ``keep_token``; how many ended."""
    condition: Combinable = UserSession.user == user_id
    if keep_token:
        condition &= UserSession.token_hash != _hash(keep_token)
    return len(await UserSession.delete().where(condition).returning(UserSession.id))


async def end_all_sessions(user_id: int) -> int:
    """Sign the user out everywhere (a password reset, a deactivated account); how many ended."""
    return await end_other_sessions(user_id, None)


# Every request asks this: written out once, as Piccolo's select with its joins cost more to build each time
# (about 40% of a small page's time) than the query took to run.
_USER_FOR_TOKEN = """
    SELECT u.id AS id, u.username AS username, u.display_name AS display_name, u.role AS role,
           u.language AS language, u.totp_enabled AS totp_enabled,
           o.id AS organisation_id, o.name AS organisation_name
    FROM user_session s JOIN portal_user u ON u.id = s."user" LEFT JOIN organisation o ON o.id = u.organisation
    WHERE s.token_hash = {} AND s.expires_at > {} AND u.is_active = {} AND s.pending_second_factor = {}
    LIMIT 1"""


async def user_for_token(token: str | None) -> CurrentUser | None:
    """The active user a live session token belongs to, in one query."""
    if not token or len(token) > 100:
        return None
    rows = await UserSession.raw(_USER_FOR_TOKEN, _hash(token), utc_now(), True, False)
    if not rows:
        return None
    user = rows[0]
    return CurrentUser(
        id=user["id"],
        username=user["username"],
        display_name=user["display_name"],
        role=user["role"],
        organisation_id=user["organisation_id"],
        organisation_name=user["organisation_name"],
        language=user["language"],
        totp_enabled=bool(user["totp_enabled"]),  # SQLite answers 0 or 1
    )


async def pending_user(token: str | None) -> dict | None:
    """``id`` and ``username`` of the active user whose live session waits for the two-factor code."""
    if not token or len(token) > 100:
        return None
    return await (
        UserSession.select(UserSession.user.id.as_alias("id"), UserSession.user.username.as_alias("username"))
        .where(
            (UserSession.token_hash == _hash(token))
            & (UserSession.expires_at > utc_now())
            & (UserSession.user._.is_active.eq(True))
            & UserSession.pending_second_factor.eq(True)
        )
        .first()
    )


async def purge_expired() -> None:
    await UserSession.delete().where(UserSession.expires_at <= utc_now())
