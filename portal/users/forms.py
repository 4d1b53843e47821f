"""The write services behind the user forms: each finds the user in the manager's scope, changes and audits in one call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.audit import services as audit
from portal.auth import self_service
from portal.auth.current_user import CurrentUser
from portal.users import services, view
from portal.users.validation import clean_changes, clean_invitation

RECORD = view.RECORD


@dataclass(frozen=True)
class Done:
    """Where a manager's form leads: the user's page with a notice, or (refused) a page to show again with 422.

    ``form`` is the invitation form again; ``page`` the user's page with the refused changes."""

    user_id: int = 0
    notice: str = ""
    form: view.UserForm | None = None
    page: view.UserPage | None = None


async def invite(manager: CurrentUser, data: Mapping[str, str], address: str) -> Done:
    """Create an invited user and mail them the link; a refused form comes back with its errors."""
    scope = await services.scope_of(manager)
    values, errors = await clean_invitation(dict(data), scope)
    if errors:
        return Done(form=await view.user_form(scope, dict(data), errors, ""))
    try:
        user_id = await services.create_invited_user(values)
    except services.Conflict as conflict:
        return Done(form=await view.user_form(scope, dict(data), {conflict.field: conflict.message}, ""))
    sent = await services.send_invitation(await services.get_user(scope, user_id), manager)
    detail = f"invited as {values['role']} at organisation {values['organisation_id']}; " + (
        "invitation mailed" if sent else "invitation mail failed"
    )
    await audit.record(manager, address, "create", RECORD, user_id, detail)
    return Done(user_id, "invited" if sent else "invite_mail_failed")


async def edit(manager: CurrentUser, user_id: int, data: Mapping[str, str], address: str) -> Done:
    """Change a user ``manager`` may manage (:class:`services.NotFound` otherwise); audited when anything changed."""
    scope = await services.scope_of(manager)
    user = await services.get_user(scope, user_id)
    values, errors = await clean_changes(dict(data), scope, user)
    if errors:
        # The user's page again (not audited as a read: the change is what was asked).
        return Done(user_id, page=await view.user_page(scope, user, form=dict(data), errors=errors, status_code=422))
    changes = await services.update_user(user, values)
    if not changes:
        return Done(user_id, "unchanged")
    await audit.record(manager, address, "update", RECORD, user_id, "; ".join(changes))
    return Done(user_id, "saved")


# --- the one-button actions on a user's page: each returns (notice, audit detail) or raises Refused ---


async def _deactivate(scope: services.Scope, user: dict[str, Any], by: CurrentUser) -> tuple[str, str]:
    await services.deactivate(scope, user)
    return "deactivated", "deactivated; sessions ended"


async def _reactivate(scope: services.Scope, user: dict[str, Any], by: CurrentUser) -> tuple[str, str]:
    await services.reactivate(user)
    return "reactivated", "reactivated"


async def _unlock(scope: services.Scope, user: dict[str, Any], by: CurrentUser) -> tuple[str, str]:
    forgotten = await services.unlock(user)
    return "unlocked", f"unlocked: {forgotten} failed login attempts forgotten"


async def _send_invitation(scope: services.Scope, user: dict[str, Any], by: CurrentUser) -> tuple[str, str]:
    if await services.send_invitation(user, by):
        return "invitation_sent", "invitation sent again"
    return "invitation_mail_failed", "invitation issued again; the mail failed"


async def _send_reset_link(scope: services.Scope, user: dict[str, Any], by: CurrentUser) -> tuple[str, str]:
    if await services.send_reset_link(user, by):
        return "reset_sent", "password reset link sent"
    return "reset_mail_failed", "password reset link issued; the mail failed"


async def _reset_two_factor(scope: services.Scope, user: dict[str, Any], by: CurrentUser) -> tuple[str, str]:
    await services.reset_two_factor(user)
    return "two_factor_reset", "two-factor sign-in reset; sessions ended"


Action = Callable[[services.Scope, dict[str, Any], CurrentUser], Awaitable[tuple[str, str]]]
ACTIONS: dict[str, Action] = {
    "deactivate": _deactivate,
    "reactivate": _reactivate,
    "unlock": _unlock,
    "invitation": _send_invitation,
    "password-reset": _send_reset_link,
    "two-factor-reset": _reset_two_factor,
}


async def act(manager: CurrentUser, user_id: int, action: str, address: str) -> Done:
    """Run one of :data:`ACTIONS` on a user ``manager`` may manage (:class:`services.NotFound` otherwise).

    A refusal (say, deactivating oneself) changes nothing, is not audited, and becomes the notice."""
    scope = await services.scope_of(manager)
    user = await services.get_user(scope, user_id)
    try:
        notice, detail = await ACTIONS[action](scope, user, manager)
    except services.Refused as refused:
        return Done(user_id, refused.code)
    await audit.record(manager, address, "update", RECORD, user_id, detail)
    return Done(user_id, notice)


@dataclass(frozen=True)
class Acceptance:
    """Accepting an invitation: ``dead`` (the link will never work), errors (with who is invited), or done."""

    dead: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    invitee: dict[str, Any] = field(default_factory=dict)


async def accept(token: str, data: Mapping[str, str], address: str) -> Acceptance:
    """Set the invited user's password with a live link; a typo leaves the link usable."""
    user = await services.invited_user(token)
    if user is None:
        return Acceptance(dead=True)
    password = data.get("new_password", "")
    errors = self_service.new_password_errors(password, data.get("new_password_again", ""), user["username"])
    if errors:
        return Acceptance(errors=errors, invitee=user)
    user_id = await services.accept_invitation(token, password)
    if user_id is None:  # used by a parallel request a moment ago
        return Acceptance(dead=True)
    detail = f"invitation accepted by {user['username']}: password set"
    await audit.record(None, address, "update", RECORD, user_id, detail)
    return Acceptance()
