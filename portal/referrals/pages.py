"""Referral pages: making one from a case, the host's inbox, each referral's loop."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.auth.guards import login_required, roles_allowed, signed_in_user
from portal.i18n import gettext as _
from portal.organisations.params import Filter, PageNumber, RecordId, is_record_id
from portal.referrals import flow, guidance, services, steps, undo, view
from portal.referrals.notices import confirmation, refusal_messages
from portal.web.client import client_address
from portal.web.templating import is_partial_request, render


async def _referral_for(request: Request, referral_id: int) -> tuple[dict[str, Any], str]:
    """The referral and the caller's side of it, or 404 (portal.referrals.view.referral_for)."""
    found = await view.referral_for(signed_in_user(request), referral_id)
    if found is None:
        raise NotFoundException()
    return found


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
        user = signed_in_user(request)
        await _referable(user, participant_id)
        form = await request.form()
        opportunity_id = str(form.get("opportunity_id") or "")
        message = str(form.get("message") or "").strip()[:2000]
        send = form.get("send") == "now"
        if not is_record_id(opportunity_id):
            return _created(request, participant_id, None, "choose_opportunity")
        # The hard constraints are checked again here, fresh: the place or the profile may have changed.
        place = await guidance.check(participant_id, int(opportunity_id))
        if place is None:
            return _created(request, participant_id, None, "not_open")
        if place.blocked:
            return _created(request, participant_id, None, place.blocked)
        reason, errors = guidance.clean_reason(form, place)
        if errors:
            page = await view.confirm_again_view(
                user, client_address(request), participant_id, place, errors, dict(form)
            )
            return _confirm_page(request, page)
        try:
            referral_id = await services.create_referral(
                participant_id, place.id, message, send, user, override_reason=reason, broken=place.broken
            )
        except services.StepRefused as refused:
            return _created(request, participant_id, None, refused.code)
        detail = f"referral {referral_id}" + (f" despite {', '.join(place.broken)}" if place.broken else "")
        await audit.record(user, client_address(request), "refer", "participant", participant_id, detail)
        if not send:
            return _created(request, participant_id, referral_id, "proposal_saved")
        referral = await services.get_referral(referral_id)
        if not is_partial_request(request):
            return _created(request, participant_id, referral_id, "done_sent")
        # From a suggestion, with htmx: the confirmation and its undo take the place of the small form.
        context = {
            "referral": referral,
            "confirmation": confirmation("done_sent", referral),
            "undo_until": await undo.offer(referral, "counsellor"),
        }
        return render(request, "referrals/sent.html", context, block="sent")

    @get("/new", name="referrals:confirm")
    async def confirm(self, request: Request, participant_id: RecordId, opportunity_id: Filter = "") -> Template:
        """The chosen place for this case: its fit, the hard constraints it breaks, and the form to refer."""
        chosen = int(opportunity_id) if is_record_id(opportunity_id) else None
        try:
            page = await view.confirm_view(signed_in_user(request), client_address(request), participant_id, chosen)
        except services.NotFound as exc:
            raise NotFoundException() from exc
        except services.Refused as exc:
            raise PermissionDeniedException(_("This case was pseudonymised: it can no longer be referred.")) from exc
        return _confirm_page(request, page)


def _confirm_page(request: Request, page: view.ConfirmView) -> Template:
    """The confirmation form for one place (a page, or its block for htmx); 422 with the errors when there are any."""
    context = page.template_context()
    return render(request, "referrals/new.html", context, block="confirm", status_code=page.status_code)


async def _referable(user: CurrentUser, participant_id: int) -> None:
    """404 unless the user is on the case; 403 once it was pseudonymised (portal.referrals.view.referable_case)."""
    try:
        await view.referable_case(user, participant_id)
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
        referral, side = await _referral_for(request, referral_id)
        user = signed_in_user(request)
        values, errors = steps.clean_step(await request.form(), referral["started_on"])
        if errors:
            page = await view.referral_view(
                user, client_address(request), referral, side, errors=errors, open_step=values.to, form=values
            )
            return _render(request, page)
        try:
            await services.move(
                referral_id, values.to, values.reason, user, side, note=values.note, happened_on=values.happened_on
            )
        except services.StepRefused as refused:
            # A full opportunity is an everyday outcome, not an error: the page says what happened.
            return await _answer(request, referral_id, side, refused.code)
        detail = f"referral {referral_id} {referral['status']} -> {values.to}"
        if values.happened_on:
            detail += f" on {values.happened_on.isoformat()}"
        await audit.record(user, client_address(request), "update", "participant", referral["participant"], detail)
        return await _answer(request, referral_id, side, f"done_{values.to}")

    @post("/{referral_id:int}/undo", status_code=303)
    async def undo(self, request: Request, referral_id: RecordId) -> Redirect | Template:
        """Take back the side's last step while the window is open and the other side has not acted."""
        referral, side = await _referral_for(request, referral_id)
        form = await request.form()
        back_to_case = side == "counsellor" and form.get("next") == "case"
        user = signed_in_user(request)
        try:
            back_to = await undo.undo(referral_id, user, side)
        except services.StepRefused as refused:
            return await _answer(request, referral_id, side, refused.code, back_to_case=back_to_case)
        await audit.record(
            user,
            client_address(request),
            "update",
            "participant",
            referral["participant"],
            f"referral {referral_id} undone {referral['status']} -> {back_to}",
        )
        return await _answer(request, referral_id, side, "undone", back_to_case=back_to_case)


async def _answer(
    request: Request, referral_id: int, side: str, notice: str, back_to_case: bool = False
) -> Redirect | Template:
    """After a step or an undo: htmx gets the referral's block with the message; a plain form a redirect."""
    if back_to_case:
        participant_id = await services.participant_of(referral_id)
        query = urlencode({"notice": notice, "referral": referral_id})
        return Redirect(path=f"/cases/{participant_id}?{query}#referrals", status_code=303)
    if not is_partial_request(request):
        return Redirect(path=f"/referrals/{referral_id}?notice={notice}", status_code=303)
    page = await view.referral_view_by_id(signed_in_user(request), client_address(request), referral_id, side, notice)
    return _render(request, page)
