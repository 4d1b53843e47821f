"""Referral pages: making one from a case, the host's inbox, each referral's loop."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from portal.auth.guards import login_required, roles_allowed, signed_in_user
from portal.i18n import gettext as _
from portal.organisations.params import Filter, PageNumber, RecordId, is_record_id
from portal.referrals import flow, forms, services, view
from portal.referrals.notices import refusal_messages
from portal.web.client import client_address
from portal.web.templating import is_partial_request, render

T = TypeVar("T")


async def _found(call: Awaitable[T]) -> T:
    """404 when the referral does not exist or is not the caller's to see (portal.referrals.view.referral_for)."""
    try:
        return await call
    except services.NotFound as exc:
        raise NotFoundException() from exc


def _render(request: Request, page: view.ReferralView) -> Template:
    """The referral page, or its block for htmx; 422 when a form on it was refused."""
    context = page.template_context()
    return render(request, "referrals/detail.html", context, block="referral_block", status_code=page.status_code)


class CaseReferralPages(Controller):
    path = "/cases/{participant_id:int}/referrals"
    include_in_schema = False
    guards = [login_required]

    @post("/", status_code=303)
    async def create(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        form = await request.form()
        done = await _referable(
            forms.create(
                signed_in_user(request), client_address(request), participant_id, form, is_partial_request(request)
            )
        )
        if done.confirm is not None:
            return _confirm_page(request, done.confirm)
        if done.sent is not None:
            return render(request, "referrals/sent.html", done.sent.template_context(), block="sent")
        return _created(request, participant_id, done.referral_id, done.notice)

    @get("/new", name="referrals:confirm")
    async def confirm(self, request: Request, participant_id: RecordId, opportunity_id: Filter = "") -> Template:
        """The chosen place for this case: its fit, the hard constraints it breaks, and the form to refer."""
        chosen = int(opportunity_id) if is_record_id(opportunity_id) else None
        page = await _referable(
            view.confirm_view(signed_in_user(request), client_address(request), participant_id, chosen)
        )
        return _confirm_page(request, page)


def _confirm_page(request: Request, page: view.ConfirmView) -> Template:
    """The confirmation form for one place (a page, or its block for htmx); 422 with the errors when there are any."""
    context = page.template_context()
    return render(request, "referrals/new.html", context, block="confirm", status_code=page.status_code)


async def _referable(call: Awaitable[T]) -> T:
    """404 unless the user is on the case (or, for the confirmation, no such place); 403 once the case was
    pseudonymised (portal.referrals.view.referable_case)."""
    try:
        return await call
    except services.NotFound as exc:
        raise NotFoundException() from exc
    except services.Refused as exc:
        raise PermissionDeniedException(_("This case was pseudonymised: it can no longer be referred.")) from exc


def _created(request: Request, participant_id: int, referral_id: int | None, notice: str) -> Redirect | Template:
    """Back to the case's referrals with what happened; with htmx (from a suggestion) the message in place."""
    if is_partial_request(request) and notice not in ("done_sent", "proposal_saved"):
        message = {**refusal_messages(), "choose_opportunity": _("Choose an opportunity.")}.get(notice, "")
        return render(request, "referrals/sent.html", {"refusal": message}, block="sent", status_code=422)
    query = {"notice": notice, **({"referral": referral_id} if referral_id else {})}
    return Redirect(path=f"/cases/{participant_id}?{urlencode(query)}#referrals", status_code=303)


class ReferralPages(Controller):
    path = "/referrals"
    include_in_schema = False
    guards = [login_required]

    @get("/inbox", name="referrals:inbox", guards=[roles_allowed(*view.HOST_ROLES)])
    async def inbox(self, request: Request, status: Filter = "", page: PageNumber = 1) -> Template:
        result = await services.inbox(signed_in_user(request), status=status, page=page)
        return render(
            request,
            "referrals/inbox.html",
            {"result": result, "status": status, "statuses": flow.STATUSES},
            block="results",
        )

    @get("/{referral_id:int}", name="referrals:detail")
    async def detail(self, request: Request, referral_id: RecordId, notice: Filter = "") -> Template:
        page = await view.opened_referral_view(signed_in_user(request), client_address(request), referral_id, notice)
        if page is None:
            raise NotFoundException()
        return _render(request, page)

    @post("/{referral_id:int}/step", status_code=303)
    async def step(self, request: Request, referral_id: RecordId) -> Redirect | Template:
        """One step with its small form: a note, a reason or a date. Bad input re-renders the form
        with field messages and changes nothing; with htmx the referral's block comes back in place."""
        form = await request.form()
        done = await _found(
            forms.step(signed_in_user(request), client_address(request), referral_id, form, is_partial_request(request))
        )
        return _answer(request, done)

    @post("/{referral_id:int}/undo", status_code=303)
    async def undo(self, request: Request, referral_id: RecordId) -> Redirect | Template:
        """Take back the side's last step while the window is open and the other side has not acted."""
        form = await request.form()
        done = await _found(
            forms.take_back(
                signed_in_user(request), client_address(request), referral_id, form, is_partial_request(request)
            )
        )
        return _answer(request, done)


def _answer(request: Request, done: forms.Answer) -> Redirect | Template:
    """After a step or an undo: htmx gets the referral's block with the message; a plain form a redirect."""
    if done.page is not None:
        return _render(request, done.page)
    return Redirect(path=done.redirect, status_code=303)
