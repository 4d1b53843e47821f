"""Who a manager may see and change, and the changes themselves; the user pages call only these.

Admins manage everyone. A coordinator manages the counsellors, enterprise and employer users of
organisations in their programme, read as: in the country of the coordinator's own organisation.
A user outside the manager's scope is reported as not found, so that ids do not leak.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable
from piccolo.query.functions.aggregate import Count

from portal.auth import emails, self_service, sessions, throttle, tokens, two_factor
from portal.auth.current_user import CurrentUser
from portal.auth.roles import ADMIN, COORDINATOR, COUNSELLOR, EMPLOYER, ENTERPRISE, ROLES
from portal.clock import utc_now
from portal.db.piccolo_conf import DB
from portal.db.tables import AccountToken, LoginAttempt, Organisation, PortalUser
from portal.i18n import current_language
from portal.i18n import gettext as _
from portal.mail.sender import Mail, MailError, send
from portal.pagination import Page, clamp_page
from portal.service_errors import Conflict, NotFound, Refused
from portal.users.search import folded_contains, search_words

log = logging.getLogger(__name__)

PER_PAGE = 25
# What a coordinator may manage and hand out: never the roles that manage others.
COORDINATED_ROLES = (COUNSELLOR, ENTERPRISE, EMPLOYER)


@dataclass(frozen=True)
class Scope:
    """The users a manager may see and change, and the roles they may give."""

    manager: CurrentUser
    country: str | None  # None: every country (an admin)
    roles: tuple[str, ...]

    def covers(self, role: str, country: str) -> bool:
        return role in self.roles and (self.country is None or country == self.country)

    def conditions(self) -> list[Combinable]:
        conditions: list[Combinable] = [PortalUser.role.is_in(list(self.roles))]
        if self.country is not None:
            conditions.append(
                WhereRaw("portal_user.organisation IN (SELECT id FROM organisation WHERE country = {})", self.country)
            )
        return conditions


async def scope_of(user: CurrentUser) -> Scope:
    if user.role == ADMIN:
        return Scope(manager=user, country=None, roles=ROLES)
    if user.role == COORDINATOR:
        return Scope(manager=user, country=await organisation_country(user.organisation_id), roles=COORDINATED_ROLES)
    return Scope(manager=user, country="", roles=())  # sees nobody


async def organisation_country(organisation_id: int) -> str | None:
    """The organisation's country, or None when there is no such organisation."""
    row = await Organisation.select(Organisation.country).where(Organisation.id == organisation_id).first()
    return row["country"] if row else None


# --- the list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    role: str = ""
    active: str = ""  # "yes", "no" or "" for both
    invited: bool = False  # only those who have not accepted their invitation yet

    @property
    def any(self) -> bool:
        return bool(self.q or self.role or self.active or self.invited)


def _filter_conditions(filters: UserFilters) -> list[Combinable]:
    conditions: list[Combinable] = []
    for word in search_words(filters.q):
        conditions.append(
            folded_contains("portal_user.display_name", word)
            | folded_contains("portal_user.username", word)
            | folded_contains("portal_user.email", word)
            | WhereRaw(
                "portal_user.organisation IN (SELECT id FROM organisation WHERE {})",
                folded_contains("organisation.name", word).querystring,
            )
        )
    if filters.role:
        conditions.append(PortalUser.role == filters.role)
    if filters.active in ("yes", "no"):
        conditions.append(PortalUser.is_active.eq(filters.active == "yes"))
    if filters.invited:
        conditions.append(PortalUser.password_hash == "")
    return conditions


_LIST_COLUMNS = (
    PortalUser.id,
    PortalUser.username,
    PortalUser.display_name,
    PortalUser.email,
    PortalUser.role,
    PortalUser.is_active,
    PortalUser.last_login_at,
    PortalUser.totp_enabled,
    PortalUser.password_hash,
    PortalUser.organisation.id.as_alias("organisation_id"),
    PortalUser.organisation.name.as_alias("organisation_name"),
    PortalUser.organisation.country.as_alias("organisation_country"),
)


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """A user row as pages see it: whether the invitation is pending, never the hash itself."""
    row["invited"] = not row.pop("password_hash")
    return row


async def list_users(scope: Scope, filters: UserFilters, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of the users in ``scope`` that match ``filters``, by name, with their lock state."""
    conditions = scope.conditions() + _filter_conditions(filters)
    total = await PortalUser.count().where(*conditions)
    page = clamp_page(page, total, per_page)
    rows = await (
        PortalUser.select(*_LIST_COLUMNS)
        .where(*conditions)
        .order_by(PortalUser.display_name)
        .order_by(PortalUser.id)  # names repeat: the id keeps the pages apart
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    locked = await locked_usernames([row["username"] for row in rows])
    items = [{**_shown(row), "locked": row["username"] in locked} for row in rows]
    return Page(items=items, total=total, page=page, per_page=per_page)


async def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of ``usernames`` the login throttle refuses now (too many wrong passwords or two-factor codes)."""
    if not usernames:
        return set()
    # Wrong two-factor codes are counted under a key of their own: either count locks the account.
    owner = {**{two_factor.throttle_key(name): name for name in usernames}, **{name: name for name in usernames}}
    rows = await (
        LoginAttempt.select(LoginAttempt.username, Count(alias="failures"))
        .where(
            LoginAttempt.username.is_in(list(owner))
            & LoginAttempt.succeeded.eq(False)
            & (LoginAttempt.attempted_at > utc_now() - throttle.WINDOW)
        )
        .group_by(LoginAttempt.username)
    )
    # The next attempt is counted before it is judged: with the limit reached, it is refused.
    return {owner[row["username"]] for row in rows if row["failures"] >= throttle.MAX_FAILURES_PER_ACCOUNT}


# --- one user ----------------------------------------------------------------------------------


async def get_user(scope: Scope, user_id: int) -> dict[str, Any]:
    """The user with what their page shows; :class:`NotFound` when absent or outside ``scope``."""
    row = (
        await PortalUser.select(
            *_LIST_COLUMNS, PortalUser.language, PortalUser.created_at, PortalUser.password_changed_at
        )
        .where(PortalUser.id == user_id)
        .first()
    )
    if row is None or not scope.covers(row["role"], row["organisation_country"]):
        raise NotFound(user_id)
    user = _shown(row)
    user["locked"] = bool(await locked_usernames([user["username"]]))
    pending = await (
        AccountToken.select(AccountToken.expires_at)
        .where(
            (AccountToken.user == user_id)
            & (AccountToken.purpose == tokens.INVITATION)
            & AccountToken.used_at.is_null()
            & (AccountToken.expires_at > utc_now())
        )
        .order_by(AccountToken.id, ascending=False)
        .first()
    )
    user["invitation_expires_at"] = pending["expires_at"] if pending else None
    return user


async def username_taken(username: str) -> bool:
    return await PortalUser.exists().where(PortalUser.username == username)


async def create_invited_user(values: dict[str, Any]) -> int:
    """Add a user who has no password yet (an empty hash never verifies) until they accept the invitation."""
    row = PortalUser(
        username=values["username"],
        password_hash="",
        display_name=values["display_name"],
        email=values["email"],
        organisation=values["organisation_id"],
        role=values["role"],
        language=values["language"],
        created_at=utc_now(),
    )
    try:
        rows = await PortalUser.insert(row)
    except Exception as exc:
        # Two managers inviting the same username at once: the second meets the unique index, not a 500.
        # asyncpg's UniqueViolationError names the index; sqlite3's IntegrityError says UNIQUE.
        if "portal_user_username" in str(exc) or "UNIQUE constraint failed: portal_user.username" in str(exc):
            raise Conflict("username", _("This username is taken: choose another.")) from exc
        raise
    return rows[0]["id"]


async def update_user(user: dict[str, Any], values: dict[str, Any]) -> list[str]:
    """Save the changed fields of ``user``; a description of each change for the audit log (no personal data)."""
    changes: list[str] = []
    updates: dict[Any, Any] = {}
    for field, label in (("display_name", "display name"), ("email", "e-mail")):
        if values[field] != user[field]:
            updates[getattr(PortalUser, field)] = values[field]
            changes.append(f"{label} changed")
    if values["role"] != user["role"]:
        updates[PortalUser.role] = values["role"]
        changes.append(f"role {user['role']} -> {values['role']}")
    if values["organisation_id"] != user["organisation_id"]:
        updates[PortalUser.organisation] = values["organisation_id"]
        changes.append(f"organisation {user['organisation_id']} -> {values['organisation_id']}")
    if not updates:
        return changes
    async with DB.transaction():
        await PortalUser.update(updates).where(PortalUser.id == user["id"])
        if values["email"] != user["email"]:
            # A link mailed to the old address (perhaps a mistyped one) must not stay usable.
            withdrawn = await (
                AccountToken.delete()
                .where((AccountToken.user == user["id"]) & AccountToken.used_at.is_null())
                .returning(AccountToken.id)
            )
            if withdrawn:
                changes.append(f"{len(withdrawn)} unused mailed links withdrawn")
    return changes


async def deactivate(scope: Scope, user: dict[str, Any]) -> None:
    """Switch the account off: every session ends at once and the links sent by e-mail stop working."""
    if user["id"] == scope.manager.id:
        raise Refused("self_deactivate")
    async with DB.transaction():
        await PortalUser.update({PortalUser.is_active: False}).where(PortalUser.id == user["id"])
        await sessions.end_all_sessions(user["id"])
        await AccountToken.delete().where((AccountToken.user == user["id"]) & AccountToken.used_at.is_null())


async def reactivate(user: dict[str, Any]) -> None:
    await PortalUser.update({PortalUser.is_active: True}).where(PortalUser.id == user["id"])


async def unlock(user: dict[str, Any]) -> int:
    """Forget the failed logins and failed two-factor codes of the account; how many were forgotten."""
    forgotten = await throttle.unlock_account(user["username"])
    return forgotten + await throttle.unlock_account(two_factor.throttle_key(user["username"]))


async def reset_two_factor(user: dict[str, Any]) -> None:
    """Two-factor off (the user lost the device and the codes); their sessions end."""
    await two_factor.reset(user["id"])


# --- mails -------------------------------------------------------------------------------------


async def _deliver(mail: Mail, user_id: int, what: str) -> bool:
    try:
        await send(mail)
    except (MailError, ValueError):  # ValueError: an address the mail library refuses
        log.exception("could not send the %s mail to user %s", what, user_id)
        return False
    return True


async def send_invitation(user: dict[str, Any], by: CurrentUser) -> bool:
    """A new invitation link (earlier ones stop working) mailed in the invitee's language; whether it went out."""
    if not user["invited"]:
        raise Refused("already_accepted")
    if not user["is_active"]:
        raise Refused("inactive")
    token = await tokens.issue(user["id"], tokens.INVITATION, created_by=by.id)
    mail = emails.invitation_mail(
        user["email"], user["language"] or current_language(), token, user["display_name"], by.display_name
    )
    return await _deliver(mail, user["id"], "invitation")


async def send_reset_link(user: dict[str, Any], by: CurrentUser) -> bool:
    """A password reset link mailed to the user (it also lifts a lock when used); whether it went out."""
    if not user["is_active"]:
        raise Refused("inactive")
    if not user["email"]:
        raise Refused("no_email")
    if user["invited"]:
        raise Refused("not_accepted")
    token = await tokens.issue(user["id"], tokens.RESET, created_by=by.id)
    mail = emails.reset_mail(user["email"], user["language"] or current_language(), token, user["display_name"])
    return await _deliver(mail, user["id"], "password reset")


# --- accepting an invitation --------------------------------------------------------------------


async def invited_user(token: str) -> dict[str, Any] | None:
    """The active, still invited user a live invitation link belongs to, without using the link."""
    user_id = await tokens.peek(token, tokens.INVITATION)
    if user_id is None:
        return None
    return (
        await PortalUser.select(PortalUser.id, PortalUser.username, PortalUser.display_name)
        .where((PortalUser.id == user_id) & PortalUser.is_active.eq(True) & (PortalUser.password_hash == ""))
        .first()
    )


async def accept_invitation(token: str, password: str) -> int | None:
    """Use the link once to set the first password; the user id, or None when the link is dead."""
    user_id = await tokens.redeem(token, tokens.INVITATION)
    if user_id is None:
        return None
    await self_service.set_password(user_id, password)
    return user_id


__all__ = ["Conflict", "NotFound", "Refused"]
