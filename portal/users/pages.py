"""Pages for managing users (admins and coordinators) and for accepting an invitation (public, by link)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from portal.audit import services as audit
from portal.auth import self_service, tokens
from portal.auth.accounts import MIN_PASSWORD_LENGTH
from portal.auth.guards import network_manager, signed_in_user
from portal.auth.link_params import TOKEN_PAGE_HEADERS, Token
from portal.auth.roles import COUNSELLOR, ROLE_LABELS
from portal.i18n import LANGUAGES
from portal.i18n import gettext as _
from portal.organisations import services as organisation_services
from portal.organisations.params import Filter, PageNumber, RecordId, is_record_id
from portal.users import services
from portal.users.validation import clean_changes, clean_invitation
from portal.web.client import client_address
from portal.web.templating import render

RECORD = "user"
INVITATION_DAYS = tokens.LIFETIMES[tokens.INVITATION].days


def _notices() -> dict[str, str]:
    """What the user page says after a change (``?notice=``); failures first say what went wrong."""
    return {
        "invited": _("The user is invited: the invitation link was sent by e-mail."),
        "invite_mail_failed": _(
            "The user is invited, but the invitation e-mail could not be sent. Check the address and send the "
            "invitation again."
        ),
        "invitation_sent": _("The invitation was sent again. Earlier links no longer work."),
        "invitation_mail_failed": _("The invitation e-mail could not be sent. Check the address and try again."),
        "saved": _("The changes are saved."),
        "unchanged": _("Nothing was changed."),
        "deactivated": _("The user is deactivated and was signed out everywhere."),
        "reactivated": _("The user is active again and can log in."),
        "unlocked": _("The failed logins are forgotten: the user can log in again at once."),
        "reset_sent": _("A password reset link was sent to the user's e-mail address."),
        "reset_mail_failed": _("The password reset e-mail could not be sent. Check the address and try again."),
        "two_factor_reset": _(
            "Two-factor sign-in is off for this user and their sessions ended. They set it up again at the next "
            "login if their role requires it."
        ),
        "self_deactivate": _("You cannot deactivate your own account: ask another administrator."),
        "already_accepted": _("The user has already accepted the invitation."),
        "not_accepted": _("The user has not accepted the invitation yet: send the invitation again instead."),
        "inactive": _("The user is deactivated: reactivate them first."),
        "no_email": _("The user has no e-mail address: add one first."),
    }


async def _form_data(request: Request) -> dict[str, str]:
    form = await request.form()
    # Passwords are refused above 1,000 characters: keep enough to tell, not whatever was sent.
    return {key: str(form.get(key) or "")[:2000] for key in form.keys()}


async def _scope(request: Request) -> services.Scope:
    return await services.scope_of(signed_in_user(request))


async def _user_or_404(scope: services.Scope, user_id: int) -> dict[str, Any]:
    """The user, if the manager may manage them; a 404 otherwise, so that ids outside the scope do not leak."""
    try:
        return await services.get_user(scope, user_id)
    except services.NotFound as exc:
        raise NotFoundException() from exc


async def _form_context(
    scope: services.Scope, form: dict[str, Any], errors: dict[str, str], org_q: str
) -> dict[str, Any]:
    chosen = str(form.get("organisation_id") or "")
    organisations, more = await organisation_services.organisation_choices(
        org_q, int(chosen) if is_record_id(chosen) else None
    )
    return {
        "form": form,
        "errors": errors,
        "roles": {role: ROLE_LABELS[role] for role in scope.roles},
        "languages": {"": _("The browser's language"), **LANGUAGES},
        "organisations": organisations,
        "more_organisations": more,
        "org_q": org_q,
        "scope": scope,
        "invitation_days": INVITATION_DAYS,
    }


def _editable(user: dict[str, Any]) -> dict[str, Any]:
    return {key: user[key] for key in ("display_name", "email", "role", "organisation_id")}


async def _detail(
    request: Request,
    scope: services.Scope,
    user: dict[str, Any],
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    org_q: str = "",
    notice: str = "",
    status_code: int = 200,
) -> Template:
    context = await _form_context(scope, form or _editable(user), errors or {}, org_q)
    context.update(user=user, notice=_notices().get(notice, ""), notice_code=notice)
    context["is_self"] = user["id"] == scope.manager.id
    return render(request, "users/detail.html", context, status_code=status_code)


def _back(user_id: int, notice: str) -> Redirect:
    return Redirect(path=f"/admin/users/{user_id}?notice={notice}", status_code=303)


class UserAdminPages(Controller):
    path = "/admin/users"
    include_in_schema = False
    guards = [network_manager]

    @get("/", name="users:list")
    async def users(
        self,
        request: Request,
        q: Filter = "",
        role: Filter = "",
        active: Filter = "",
        invited: Filter = "",
        page: PageNumber = 1,
    ) -> Template:
        scope = await _scope(request)
        filters = services.UserFilters(
            q=q.strip(),
            role=role if role in scope.roles else "",
            active=active if active in ("yes", "no") else "",
            invited=invited == "1",
        )
        results = await services.list_users(scope, filters, page)
        context = {"filters": filters, "results": results, "roles": {r: ROLE_LABELS[r] for r in scope.roles}}
        return render(request, "users/list.html", context, block="results")

    @get("/new", name="users:new")
    async def new_form(self, request: Request, org_q: Filter = "") -> Template:
        scope = await _scope(request)
        form = {"role": COUNSELLOR, "language": ""}  # most invitations are for counsellors
        return render(request, "users/new.html", await _form_context(scope, form, {}, org_q))

    @post("/new", status_code=303)
    async def invite(self, request: Request) -> Redirect | Template:
        scope = await _scope(request)
        data = await _form_data(request)
        values, errors = await clean_invitation(data, scope)
        if errors:
            context = await _form_context(scope, data, errors, "")
            return render(request, "users/new.html", context, status_code=422)
        manager = signed_in_user(request)
        try:
            user_id = await services.create_invited_user(values)
        except services.Conflict as conflict:
            context = await _form_context(scope, data, {conflict.field: conflict.message}, "")
            return render(request, "users/new.html", context, status_code=422)
        sent = await services.send_invitation(await services.get_user(scope, user_id), manager)
        detail = f"invited as {values['role']} at organisation {values['organisation_id']}; " + (
            "invitation mailed" if sent else "invitation mail failed"
        )
        await audit.record(manager, client_address(request), "create", RECORD, user_id, detail)
        return _back(user_id, "invited" if sent else "invite_mail_failed")

    @get("/{user_id:int}", name="users:detail")
    async def detail(self, request: Request, user_id: RecordId, notice: Filter = "", org_q: Filter = "") -> Template:
        scope = await _scope(request)
        user = await _user_or_404(scope, user_id)
        await audit.record(signed_in_user(request), client_address(request), "read", RECORD, user_id, "user page")
        return await _detail(request, scope, user, org_q=org_q, notice=notice)

    @post("/{user_id:int}/edit", status_code=303)
    async def edit(self, request: Request, user_id: RecordId) -> Redirect | Template:
        scope = await _scope(request)
        user = await _user_or_404(scope, user_id)
        data = await _form_data(request)
        values, errors = await clean_changes(data, scope, user)
        if errors:
            return await _detail(request, scope, user, form=data, errors=errors, status_code=422)
        changes = await services.update_user(user, values)
        if not changes:
            return _back(user_id, "unchanged")
        await audit.record(
            signed_in_user(request), client_address(request), "update", RECORD, user_id, "; ".join(changes)
        )
        return _back(user_id, "saved")

    @post("/{user_id:int}/deactivate", status_code=303)
    async def deactivate(self, request: Request, user_id: RecordId) -> Redirect:
        scope = await _scope(request)
        user = await _user_or_404(scope, user_id)
        try:
            await services.deactivate(scope, user)
        except services.Refused as refused:
            return _back(user_id, refused.code)
        await audit.record(
            signed_in_user(request), client_address(request), "update", RECORD, user_id, "deactivated; sessions ended"
        )
        return _back(user_id, "deactivated")

    @post("/{user_id:int}/reactivate", status_code=303)
    async def reactivate(self, request: Request, user_id: RecordId) -> Redirect:
        scope = await _scope(request)
        user = await _user_or_404(scope, user_id)
        await services.reactivate(user)
        await audit.record(signed_in_user(request), client_address(request), "update", RECORD, user_id, "reactivated")
        return _back(user_id, "reactivated")

    @post("/{user_id:int}/unlock", status_code=303)
    async def unlock(self, request: Request, user_id: RecordId) -> Redirect:
        scope = await _scope(request)
        user = await _user_or_404(scope, user_id)
        forgotten = await services.unlock(user)
        detail = f"unlocked: {forgotten} failed login attempts forgotten"
        await audit.record(signed_in_user(request), client_address(request), "update", RECORD, user_id, detail)
        return _back(user_id, "unlocked")

    @post("/{user_id:int}/invitation", status_code=303)
    async def send_invitation(self, request: Request, user_id: RecordId) -> Redirect:
        scope = await _scope(request)
        user = await _user_or_404(scope, user_id)
        try:
            sent = await services.send_invitation(user, signed_in_user(request))
        except services.Refused as refused:
            return _back(user_id, refused.code)
        detail = "invitation sent again" if sent else "invitation issued again; the mail failed"
        await audit.record(signed_in_user(request), client_address(request), "update", RECORD, user_id, detail)
        return _back(user_id, "invitation_sent" if sent else "invitation_mail_failed")

    @post("/{user_id:int}/password-reset", status_code=303)
    async def send_reset_link(self, request: Request, user_id: RecordId) -> Redirect:
        scope = await _scope(request)
        user = await _user_or_404(scope, user_id)
        try:
            sent = await services.send_reset_link(user, signed_in_user(request))
        except services.Refused as refused:
            return _back(user_id, refused.code)
        detail = "password reset link sent" if sent else "password reset link issued; the mail failed"
        await audit.record(signed_in_user(request), client_address(request), "update", RECORD, user_id, detail)
        return _back(user_id, "reset_sent" if sent else "reset_mail_failed")

    @post("/{user_id:int}/two-factor-reset", status_code=303)
    async def reset_two_factor(self, request: Request, user_id: RecordId) -> Redirect:
        scope = await _scope(request)
        user = await _user_or_404(scope, user_id)
        await services.reset_two_factor(user)
        detail = "two-factor sign-in reset; sessions ended"
        await audit.record(signed_in_user(request), client_address(request), "update", RECORD, user_id, detail)
        return _back(user_id, "two_factor_reset")


def _invitation_page(
    request: Request, token: str, user: dict[str, Any], errors: dict, status_code: int = 200
) -> Template:
    context = {"token": token, "invitee": user, "errors": errors, "min_length": MIN_PASSWORD_LENGTH}
    page = render(request, "users/invitation.html", context, status_code=status_code)
    page.headers.update(TOKEN_PAGE_HEADERS)
    return page


def _dead_invitation(request: Request) -> Template:
    """410 Gone: unknown, used and expired links look the same, so the page tells nothing about accounts."""
    page = render(request, "users/invitation_gone.html", {"invitation_days": INVITATION_DAYS}, status_code=410)
    page.headers.update(TOKEN_PAGE_HEADERS)
    return page


class InvitationPages(Controller):
    path = "/invitation"
    include_in_schema = False

    @get("/{token:str}", name="invitation:form", opt={"access": "public"})
    async def form(self, request: Request, token: Token) -> Template:
        user = await services.invited_user(token)
        if user is None:
            return _dead_invitation(request)
        return _invitation_page(request, token, user, {})

    @post("/{token:str}", opt={"access": "public"}, status_code=303)
    async def accept(self, request: Request, token: Token) -> Redirect | Template:
        user = await services.invited_user(token)
        if user is None:
            return _dead_invitation(request)
        data = await _form_data(request)
        password = data.get("new_password", "")
        errors = self_service.new_password_errors(password, data.get("new_password_again", ""), user["username"])
        if errors:
            return _invitation_page(request, token, user, errors, status_code=422)  # the link stays usable
        user_id = await services.accept_invitation(token, password)
        if user_id is None:  # used by a parallel request a moment ago
            return _dead_invitation(request)
        await audit.record(
            None,
            client_address(request),
            "update",
            RECORD,
            user_id,
            f"invitation accepted by {user['username']}: password set",
        )
        return Redirect(path="/login?notice=password_set", status_code=303)
