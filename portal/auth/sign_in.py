"""Signing in with a password: the check, then a new session (waiting for the code when two-factor is on)."""

from __future__ import annotations

from dataclasses import dataclass

from portal.auth import accounts, sessions, two_factor


@dataclass(frozen=True)
class SignIn:
    """A new session's token, or none with whether too many failures refused the attempt."""

    token: str | None
    pending_second_factor: bool = False  # the session opens nothing until the code is given
    throttled: bool = False


async def sign_in(username: str, password: str, address: str, previous_token: str | None, user_agent: str) -> SignIn:
    """Check the password from ``address``; on success replace the browser's session (``previous_token``)."""
    result = await accounts.authenticate(username, password, address)
    if result.user_id is None:
        return SignIn(None, throttled=result.throttled)
    pending = await two_factor.is_enabled(result.user_id)
    token = await sessions.start_session(
        result.user_id,
        address,
        previous_token=previous_token,
        user_agent=user_agent,
        pending_second_factor=pending,
    )
    return SignIn(token, pending_second_factor=pending)
