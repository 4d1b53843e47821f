"""Referral pages: making one from a case, the host's inbox, each referral's loop, notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.auth.guards import current_user, login_required, roles_allowed
from portal.cases import services as cases
from portal.i18n import gettext as _
from portal.i18n.formatting import format_date
from portal.organisations.kinds import SPOKEN_LANGUAGES
from portal.organisations.params import Filter, PageNumber, RecordId, is_record_id
from portal.placements import case_view as placement_view
from portal.referrals import flow, guidance, notify, services, steps, undo
from portal.vocab import SUPPORT
from portal.web.templating import is_partial_request, render

HOST_ROLES = ("enterprise", "employer")


def refusal_messages() -> dict[str, str]:
    return {
        "full": _("No places are left in this opportunity."),
        "not_open": _("This opportunity is not open for referrals."),
        "duplicate": _("This person already has a live referral to this opportunity."),
        "not_allowed": _("This step is not possible from the referral's current status."),
        "reason": _("Please give a reason."),
        "changed": _("Someone changed this referral a moment ago; see its status now."),
        "undo_nothing": _("There is no step of yours to undo here."),
        "undo_late": _("Too late to undo: the %(minutes)s minutes have passed.")
        % {"minutes": int(undo.WINDOW.total_seconds() // 60)},
        "undo_opened": _("Too late to undo: the organisation has already opened the referral. Write to them instead."),
        "undo_acted": _("Too late to undo: the case team has acted on this placement since. Write to them instead."),
        "mentor_named": _("Mentor saved. The counsellor sees the name and contact."),
    }


def confirmation(code: str, referral: dict[str, Any]) -> str:
    """What the page confirms after a step was taken (``done_<status>``) or undone (``undone``)."""
    status = referral["status"]
    if code == "undone":
        return _("Undone: the referral is back to “%(status)s”.") % {"status": flow.STATUSES[status]}
    if code != f"done_{status}":
        return ""
    if status == "sent":
        return _("Sent to %(host)s.") % {"host": referral["host_name"]}
    if status == "accepted":
        return _("Accepted. The counsellor has been told.")
    if status == "started" and referral.get("started_on"):
        return _("Start recorded for %(date)s.") % {"date": format_date(referral["started_on"])}
    if status in ("completed", "dropped_out") and referral.get("ended_on"):
        return _("%(status)s recorded for %(date)s.") % {
            "status": flow.STATUSES[status],
            "date": format_date(referral["ended_on"]),
        }
    return _("Recorded: %(status)s.") % {"status": flow.STATUSES[status]}


async def _side(user: CurrentUser, referral: dict[str, Any]) -> str | None:
    """'host' for the receiving organisation's users, 'counsellor' for the case team, else None."""
    if user.role in HOST_ROLES and user.organisation_id == referral["host_id"] and referral["status"] != "proposed":
        return "host"
    if await cases.access_for(user, referral["participant"]) is not None:
        return "counsellor"
    return None


async def _referral_for(request: Request, referral_id: int) -> tuple[dict[str, Any], str]:
    try:
        referral = await services.get_referral(referral_id)
    except services.NotFound as exc:
        raise NotFoundException() from exc
    side = await _side(current_user(request), referral)
    if side is None:
        raise NotFoundException()
    return referral, side


class CaseReferralPages(Controller):
    path = "/cases/{participant_id:int}/referrals"
    include_in_schema = False
    guards = [login_required]

    @post("/", status_code=303)
    async def create(self, request: Request, participant_id: RecordId) -> Redirect | Template:
        user = current_user(request)
        access = await cases.access_for(user, participant_id)
        if access is None:
            raise NotFoundException()
        if access.pseudonymised:
            raise PermissionDeniedException(_("This case was pseudonymised: it can no longer be referred."))
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
            await audit.record(request, user, "read", "participant", participant_id, "referral check again")
            return await _confirm_page(request, participant_id, place, errors, dict(form))
        try:
            referral_id = await services.create_referral(
                participant_id, place.id, message, send, user, override_reason=reason, broken=place.broken
            )
        except services.StepRefused as refused:
            return _created(request, participant_id, None, refused.code)
        detail = f"referral {referral_id}" + (f" despite {', '.join(place.broken)}" if place.broken else "")
        await audit.record(request, user, "refer", "participant", participant_id, detail)
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
        user = current_user(request)
        access = await cases.access_for(user, participant_id)
        if access is None:
            raise NotFoundException()
        if access.pseudonymised:
            raise PermissionDeniedException(_("This case was pseudonymised: it can no longer be referred."))
        place = await guidance.check(participant_id, int(opportunity_id)) if is_record_id(opportunity_id) else None
        if place is None:
            raise NotFoundException()
        # The check reads the person's languages, place, radius and support needs.
        await audit.record(request, user, "read", "participant", participant_id, f"referral check {place.id}")
        return await _confirm_page(request, participant_id, place, {}, {})


async def _confirm_page(
    request: Request, participant_id: int, place: guidance.Place, errors: dict[str, str], form: dict[str, Any]
) -> Template:
    """The confirmation form for one place (a page, or its block for htmx); 422 with the errors when there are any."""
    code = await guidance.case_code(participant_id)
    context = {
        "participant_id": participant_id,
        "code": code,
        "place": place,
        "constraint_texts": guidance.constraint_texts(),
        "errors": errors,
        "form": form,
    }
    return render(request, "referrals/new.html", context, block="confirm", status_code=422 if errors else 200)


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

    @get("/inbox", name="referrals:inbox", guards=[roles_allowed(*HOST_ROLES)])
    async def inbox(self, request: Request, status: Filter = "", page: PageNumber = 1) -> Template:
        result = await services.inbox(current_user(request), status=status, page=page)
        return render(
            request,
            "referrals/inbox.html",
            {"result": result, "status": status, "statuses": flow.STATUSES},
            block="results",
        )

    @get("/{referral_id:int}", name="referrals:detail")
    async def detail(self, request: Request, referral_id: RecordId, notice: Filter = "") -> Template:
        referral, side = await _referral_for(request, referral_id)
        if side == "host" and referral["host_opened_at"] is None:
            await services.mark_opened(referral_id)
            referral["host_opened_at"] = True
        return await _detail_page(request, referral, side, notice=notice)

    @post("/{referral_id:int}/step", status_code=303)
    async def step(self, request: Request, referral_id: RecordId) -> Redirect | Template:
        """One step with its small form: a note, a reason or a date. Bad input re-renders the form
        with field messages and changes nothing; with htmx the referral's block comes back in place."""
        referral, side = await _referral_for(request, referral_id)
        user = current_user(request)
        values, errors = steps.clean_step(await request.form(), referral["started_on"])
        if errors:
            return await _detail_page(request, referral, side, errors=errors, open_step=values.to, form=values)
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
        await audit.record(request, user, "update", "participant", referral["participant"], detail)
        return await _answer(request, referral_id, side, f"done_{values.to}")

    @post("/{referral_id:int}/undo", status_code=303)
    async def undo(self, request: Request, referral_id: RecordId) -> Redirect | Template:
        """Take back the side's last step while the window is open and the other side has not acted."""
        referral, side = await _referral_for(request, referral_id)
        form = await request.form()
        back_to_case = side == "counsellor" and form.get("next") == "case"
        user = current_user(request)
        try:
            back_to = await undo.undo(referral_id, user, side)
        except services.StepRefused as refused:
            return await _answer(request, referral_id, side, refused.code, back_to_case=back_to_case)
        await audit.record(
            request,
            user,
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
    referral = await services.get_referral(referral_id)
    return await _detail_page(request, referral, side, notice=notice)


async def _detail_page(
    request: Request,
    referral: dict[str, Any],
    side: str,
    notice: str = "",
    errors: dict[str, str] | None = None,
    open_step: str = "",
    form: steps.StepInput | None = None,
    **extra: Any,
) -> Template:
    user = current_user(request)
    if side == "host":
        referral["code"] = await services.name_for_host(
            user.role, user.organisation_id, referral["participant"], referral["code"]
        )
    # The host sees a part of the person's record: code, skills, languages, support needed.
    await audit.record(
        request, user, "read", "participant", referral["participant"], f"referral {referral['id']} as {side}"
    )
    next_steps = flow.next_steps(referral["status"], side)
    context = {
        "referral": referral,
        "side": side,
        "steps": next_steps,
        "statuses": flow.STATUSES,
        "actions": flow.ACTION_LABELS,
        "needs_reason": flow.NEEDS_REASON,
        "support": SUPPORT,
        "spoken_languages": SPOKEN_LANGUAGES,
        "notice": refusal_messages().get(notice, ""),
        "confirmation": confirmation(notice, referral),
        "undo_until": await undo.offer(referral, side),
        "errors": errors or {},
        "open_step": open_step,
        "form": form,
        "today": steps.today(),
        "date_fields": {to: steps.date_field(to) for to in next_steps},
        "date_hints": {to: steps.date_hint(to, referral["started_on"]) for to in next_steps},
        "min_start": steps.today() - dt.timedelta(days=steps.START_BACKDATE_DAYS),
        "constraint_texts": guidance.constraint_texts(),
        **await placement_view.referral_context(referral, side),
        "mentor_form": {},
        **extra,
    }
    status_code = 422 if errors else 200
    return render(request, "referrals/detail.html", context, block="referral_block", status_code=status_code)


async def mentor_errors_page(
    request: Request, referral_id: int, errors: dict[str, str], form: dict[str, Any], side: str = "host"
) -> Template:
    """The referral page again for ``side``, its mentor form showing what is wrong (nothing was saved)."""
    referral = await services.get_referral(referral_id)
    return await _detail_page(request, referral, side, errors=errors, mentor_form=form)


class NotificationPages(Controller):
    path = "/notifications"
    include_in_schema = False
    guards = [login_required]

    @get("/", name="notifications:list")
    async def list_notifications(self, request: Request) -> Template:
        items = await notify.recent(current_user(request).id)
        return render(request, "referrals/notifications.html", {"items": items})

    @post("/read", status_code=303)
    async def mark_read(self, request: Request) -> Redirect:
        await notify.mark_all_read(current_user(request).id)
        return Redirect(path="/notifications/", status_code=303)
