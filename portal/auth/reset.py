"""Forgotten passwords: throttled requests, reset links by e-mail, and choosing a new password with one."""

from __future__ import annotations

import datetime as dt
import logging

from piccolo.columns.combination import WhereRaw

from portal.auth import emails, self_service, sessions, throttle, tokens
from portal.clock import utc_now
from portal.db.rows import existing
from portal.db.tables import PasswordResetRequest, PortalUser
from portal.mail.sender import MailError, send

log = logging.getLogger(__name__)

# Per client address: enough for a typo or two, too few to probe many accounts.
MAX_REQUESTS_PER_ADDRESS = 5
ADDRESS_WINDOW = dt.timedelta(minutes=15)
# Per account: a user is not flooded with mails by someone who knows their username.
MAX_MAILS_PER_ACCOUNT = 3
ACCOUNT_WINDOW = dt.timedelta(hours=1)


async def note_request(address: str) -> bool:
    """Count a request from ``address``; False when the address has made too many lately.

    Recorded before counting, like login attempts, so parallel requests cannot all pass a check.
    """
    now = utc_now()
    await PasswordResetRequest.insert(PasswordResetRequest(address=address[:64], username="", requested_at=now))
    await purge_requests()  # nothing older than the longer window counts: keep the table small
    recent = await PasswordResetRequest.count().where(
        (PasswordResetRequest.address == address[:64])
        & (PasswordResetRequest.username == "")
        & (PasswordResetRequest.requested_at > now - ADDRESS_WINDOW)
    )
    return recent <= MAX_REQUESTS_PER_ADDRESS


async def purge_requests() -> int:
    """Drop requests too old to count (each request does this too; a retention job may call it when none come)."""
    gone = await (
        PasswordResetRequest.delete()
        .where(PasswordResetRequest.requested_at < utc_now() - ACCOUNT_WINDOW)
        .returning(PasswordResetRequest.id)
    )
    return len(gone)


async def _may_mail(username: str, address: str) -> bool:
    """Count a mail to the account; False (and not counted) when it had its share within the hour."""
    now = utc_now()
    rows = await PasswordResetRequest.insert(
        PasswordResetRequest(address=address[:64], username=username, requested_at=now)
    )
    sent = await PasswordResetRequest.count().where(
        (PasswordResetRequest.username == username) & (PasswordResetRequest.requested_at > now - ACCOUNT_WINDOW)
    )
    if sent <= MAX_MAILS_PER_ACCOUNT:
        return True
    # Only mails sent count: a flood of requests must not keep the owner's own request from working later.
    await PasswordResetRequest.delete().where(PasswordResetRequest.id == rows[0]["id"])
    return False


async def accounts_matching(identifier: str) -> list[dict]:
    """Active accounts with an e-mail address that ``identifier`` names: the username, else the e-mail."""
    identifier = identifier.strip()
    if not identifier or len(identifier) > 254:
        return []
    columns = (PortalUser.id, PortalUser.username, PortalUser.email, PortalUser.language, PortalUser.display_name)
    can_receive = PortalUser.is_active.eq(True) & (PortalUser.email != "")
    by_name = await PortalUser.select(*columns).where(can_receive & (PortalUser.username == identifier.lower()))
    if by_name or "@" not in identifier:
        return by_name
    return await PortalUser.select(*columns).where(can_receive & WhereRaw("lower(email) = {}", identifier.lower()))


async def send_reset_links(identifier: str, address: str) -> None:
    """Mail a reset link to each account ``identifier`` names. Runs after the answer went out (a background
    task), so neither its time nor its failures can tell the asker whether an account exists."""
    try:
        for account in await accounts_matching(identifier):
            if not await _may_mail(account["username"], address):
                log.info(
                    "reset mail to user %s withheld: %s sent within the hour", account["id"], MAX_MAILS_PER_ACCOUNT
                )
                continue
            token = await tokens.issue(account["id"], tokens.RESET)
            try:
                mail = emails.reset_mail(
                    account["email"], account["language"], token, account["display_name"], account["username"]
                )
                await send(mail)
            except (MailError, ValueError):  # ValueError: an address the mail library refuses
                log.exception("could not send a password reset mail to user %s", account["id"])
    except Exception:  # a background task has nobody to answer to: log, never raise into the server
        log.exception("password reset request failed")


async def reset_password(token: str, password: str) -> int | None:
    """Use the link once to set ``password``; the user id, or None when the link is dead.

    Every session ends (whoever holds one may be the reason for the reset), and the account's failed
    logins are forgotten so that a throttling lock lifts at once.
    """
    user_id = await tokens.redeem(token, tokens.RESET)
    if user_id is None:
        return None
    await self_service.set_password(user_id, password)
    await sessions.end_all_sessions(user_id)
    row = await existing(PortalUser.select(PortalUser.username).where(PortalUser.id == user_id).first())
    await throttle.unlock_account(row["username"])
    return user_id


async def username_for_token(token: str) -> str | None:
    """The username a live reset link belongs to (the form checks the new password against it).

    A link of an account switched off since it was sent is dead too: deactivation must not be undone by mail.
    """
    user_id = await tokens.peek(token, tokens.RESET)
    if user_id is None:
        return None
    row = await (
        PortalUser.select(PortalUser.username).where((PortalUser.id == user_id) & PortalUser.is_active.eq(True)).first()
    )
    return row["username"] if row else None
