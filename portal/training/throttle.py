"""Throttling of the public registration form by address, counted in the database so all workers agree."""

from __future__ import annotations

import datetime as dt

from portal.clock import utc_now
from portal.db.tables import TrainingSignupAttempt

WINDOW = dt.timedelta(hours=1)
# A training room behind one address registers several colleagues: allow a handful, not a flood.
MAX_PER_ADDRESS = 10


async def begin(address: str) -> bool:
    """Count this use of the form first (so parallel posts cannot all pass), then say whether it is throttled."""
    now = utc_now()
    address = address[:64]
    await TrainingSignupAttempt.insert(TrainingSignupAttempt(address=address, attempted_at=now))
    # Uses long past the window no longer count: drop them so the table stays small.
    await TrainingSignupAttempt.delete().where(TrainingSignupAttempt.attempted_at < now - 24 * WINDOW)
    recent = await TrainingSignupAttempt.count().where(
        (TrainingSignupAttempt.address == address) & (TrainingSignupAttempt.attempted_at > now - WINDOW)
    )
    return recent > MAX_PER_ADDRESS
