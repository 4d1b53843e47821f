"""Login throttling per account and per address, counted in the database so all workers agree."""

from __future__ import annotations

import datetime as dt

from portal.clock import utc_now
from portal.db.tables import LoginAttempt

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
# An office behind one NAT address has many honest users: allow more there.
MAX_FAILURES_PER_ADDRESS = 20


async def begin_attempt(username: str, address: str) -> tuple[int, bool]:
    """Count this attempt as a failure *before* checking the password, then say whether it is throttled.

    Writing first closes the race where many parallel guesses all pass a check-then-record.
    """
    now = utc_now()
    username, address = username.lower()[:100], address[:64]
    rows = await LoginAttempt.insert(
        LoginAttempt(username=username, address=address, succeeded=False, attempted_at=now)
    )
    # Attempts long past the window no longer count: drop them so the table stays small.
    await LoginAttempt.delete().where(LoginAttempt.attempted_at < now - 4 * WINDOW)
    failed = (LoginAttempt.succeeded.eq(False)) & (LoginAttempt.attempted_at > now - WINDOW)
    by_account = await LoginAttempt.count().where(failed & (LoginAttempt.username == username))
    by_address = await LoginAttempt.count().where(failed & (LoginAttempt.address == address))
    throttled = by_account > MAX_FAILURES_PER_ACCOUNT or by_address > MAX_FAILURES_PER_ADDRESS
    return rows[0]["id"], throttled


async def mark_succeeded(attempt_id: int, username: str) -> None:
    """A good login forgives the account's earlier slips, not the address's."""
    await LoginAttempt.update({LoginAttempt.succeeded: True}).where(LoginAttempt.id == attempt_id)
    await LoginAttempt.delete().where((LoginAttempt.username == username.lower()) & (LoginAttempt.succeeded.eq(False)))


async def unlock_account(username: str) -> int:
    """Forget the account's failed logins, lifting its lock at once (a password reset, an admin's Unlock).

    The address's count stays: it guards against one source guessing many accounts.
    """
    gone = await (
        LoginAttempt.delete()
        .where((LoginAttempt.username == username.lower()[:100]) & LoginAttempt.succeeded.eq(False))
        .returning(LoginAttempt.id)
    )
    return len(gone)
