"""Pages for managing users (admins and coordinators) and for accepting an invitation (public, by link)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from portal.auth.accounts import MIN_PASSWORD_LENGTH
from portal.auth.guards import network_manager, signed_in_user
from portal.auth.link_params import TOKEN_PAGE_HEADERS, Token
from portal.organisations.params import Filter, PageNumber, RecordId
from portal.users import forms, services, view
from portal.web.client import client_address
from portal.web.templating import render

INVITATION_DAYS = view.INVITATION_DAYS


async def _form_data(request: Request) -> dict[str, str]:
    form = await request.form()
    # Passwords are refused above 1,000 characters: keep enough to tell, not whatever was sent.
    return {key: str(form.get(key) or "")[:2000] for key in form.keys()}


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
        page_view = await view.users_view(signed_in_user(request), q, role, active, invited, page)
        context = page_view.template_context()
        return render(request, "users/list.html", context, block="results")

    @get("/new", name="users:new")
    async def new_form(self, request: Request, org_q: Filter = "") -> Template:
        form = await view.new_user_view(signed_in_user(request), org_q)
        return render(request, "users/new.html", form.template_context())

    @post("/new", status_code=303)
    async def invite(self, request: Request) -> Redirect | Template:
        data = await _form_data(request)
        done = await forms.invite(signed_in_user(request), data, client_address(request))
        if done.form is not None:
            return render(request, "users/new.html", done.form.template_context(), status_code=422)
        return _back(done.user_id, done.notice)

    @get("/{user_id:int}", name="users:detail")
    async def detail(self, request: Request, user_id: RecordId, notice: Filter = "", org_q: Filter = "") -> Template:
        try:
            page = await view.user_view(signed_in_user(request), client_address(request), user_id, notice, org_q)
        except services.NotFound as exc:  # outside the manager's scope looks the same as absent
            raise NotFoundException() from exc
        return render(request, "users/detail.html", page.template_context())

    @post("/{user_id:int}/edit", status_code=303)
    async def edit(self, request: Request, user_id: RecordId) -> Redirect | Template:
        data = await _form_data(request)
        try:
            done = await forms.edit(signed_in_user(request), user_id, data, client_address(request))
        except services.NotFound as exc:  # outside the manager's scope looks the same as absent
            raise NotFoundException() from exc
        if done.page is not None:
            return render(request, "users/detail.html", done.page.template_context(), status_code=done.page.status_code)
        return _back(done.user_id, done.notice)

    @post("/{user_id:int}/deactivate", status_code=303)
    async def deactivate(self, request: Request, user_id: RecordId) -> Redirect:
        return await _act(request, user_id, "deactivate")

    @post("/{user_id:int}/reactivate", status_code=303)
    async def reactivate(self, request: Request, user_id: RecordId) -> Redirect:
        return await _act(request, user_id, "reactivate")

    @post("/{user_id:int}/unlock", status_code=303)
    async def unlock(self, request: Request, user_id: RecordId) -> Redirect:
        return await _act(request, user_id, "unlock")

    @post("/{user_id:int}/invitation", status_code=303)
    async def send_invitation(self, request: Request, user_id: RecordId) -> Redirect:
        return await _act(request, user_id, "invitation")

    @post("/{user_id:int}/password-reset", status_code=303)
    async def send_reset_link(self, request: Request, user_id: RecordId) -> Redirect:
        return await _act(request, user_id, "password-reset")

    @post("/{user_id:int}/two-factor-reset", status_code=303)
    async def reset_two_factor(self, request: Request, user_id: RecordId) -> Redirect:
        return await _act(request, user_id, "two-factor-reset")


async def _act(request: Request, user_id: int, action: str) -> Redirect:
    """One button on a user's page (no fields); ids outside the manager's scope are a 404, so they do not leak."""
    try:
        done = await forms.act(signed_in_user(request), user_id, action, client_address(request))
    except services.NotFound as exc:
        raise NotFoundException() from exc
    return _back(done.user_id, done.notice)


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
        data = await _form_data(request)
        result = await forms.accept(token, data, client_address(request))
        if result.dead:
            return _dead_invitation(request)
        if result.errors:  # the link stays usable
            return _invitation_page(request, token, result.invitee, result.errors, status_code=422)
        return Redirect(path="/login?notice=password_set", status_code=303)
