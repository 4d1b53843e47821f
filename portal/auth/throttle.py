"""Login throttling per account and per address, counted in the database so all workers agree."""

from __future__ import annotations

import datetime as dt

from portal.db.tables import LoginAttempt

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
# An office behind one NAT address has many honest users: allow more there.
MAX_FAILURES_PER_ADDRESS = 20


async def is_throttled(username: str, address: str) -> bool:
    since = dt.datetime.now(dt.timezone.utc) - WINDOW
    failed = (LoginAttempt.succeeded == False) & (LoginAttempt.attempted_at > since)  # noqa: E712
    by_account = await LoginAttempt.count().where(failed & (LoginAttempt.username == username.lower()))
    if by_account >= MAX_FAILURES_PER_ACCOUNT:
        return True
    by_address = await LoginAttempt.count().where(failed & (LoginAttempt.address == address))
    return by_address >= MAX_FAILURES_PER_ADDRESS


async def record_attempt(username: str, address: str, succeeded: bool) -> None:
    await LoginAttempt.insert(
        LoginAttempt(
            username=username.lower()[:100],
            address=address[:64],
            succeeded=succeeded,
            attempted_at=dt.datetime.now(dt.timezone.utc),
        )
    )
    # Attempts older than the window no longer count: drop them so the table stays small.
    await LoginAttempt.delete().where(LoginAttempt.attempted_at < dt.datetime.now(dt.timezone.utc) - 4 * WINDOW)
    if succeeded:
        # A good login forgives the account's earlier slips, not the address's.
        await LoginAttempt.delete().where(
            (LoginAttempt.username == username.lower()) & (LoginAttempt.succeeded == False)  # noqa: E712
        )
