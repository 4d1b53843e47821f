"""Referral pages: making one from a case, the host's inbox, each referral's loop, notifications."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.auth.guards import current_user, login_required, roles_allowed
from portal.cases import services as cases
from portal.i18n import gettext as _
from portal.organisations.kinds import SPOKEN_LANGUAGES
from portal.organisations.params import Filter, PageNumber, RecordId, is_record_id
from portal.referrals import flow, notify, services
from portal.vocab import SUPPORT
from portal.web.templating import render

HOST_ROLES = ("enterprise", "employer")


def refusal_messages() -> dict[str, str]:
    return {
        "full": _("No places are left in this opportunity."),
        "not_open": _("This opportunity is not open for referrals."),
        "duplicate": _("This person already has a live referral to this opportunity."),
        "not_allowed": _("This step is not possible from the referral's current status."),
        "reason": _("Please give a reason."),
        "changed": _("Someone changed this referral a moment ago; see its status now."),
    }


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
    async def create(self, request: Request, participant_id: RecordId) -> Redirect:
        user = current_user(request)
        access = await cases.access_for(user, participant_id)
        if access is None:
            raise NotFoundException()
        if access.pseudonymised:
            raise PermissionDeniedException(_("This case was pseudonymised: it can no longer be referred."))
        form = await request.form()
        opportunity_id = str(form.get("opportunity_id") or "")
        message = str(form.get("message") or "").strip()[:2000]
        if not is_record_id(opportunity_id):
            return Redirect(path=f"/cases/{participant_id}?notice=choose_opportunity#referrals", status_code=303)
        try:
            referral_id = await services.create_referral(
                participant_id, int(opportunity_id), message, send=form.get("send") == "now", user=user
            )
        except services.StepRefused as refused:
            return Redirect(path=f"/cases/{participant_id}?notice={refused.code}#referrals", status_code=303)
        await audit.record(request, user, "refer", "participant", participant_id, f"referral {referral_id}")
        return Redirect(path=f"/cases/{participant_id}#referrals", status_code=303)


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
        if side == "host":
            user = current_user(request)
            referral["code"] = await services.name_for_host(
                user.role, user.organisation_id, referral["participant"], referral["code"]
            )
        # The host sees a part of the person's record: code, skills, languages, support needed.
        await audit.record(
            request,
            current_user(request),
            "read",
            "participant",
            referral["participant"],
            f"referral {referral_id} as {side}",
        )
        context = {
            "referral": referral,
            "side": side,
            "steps": flow.next_steps(referral["status"], side),
            "statuses": flow.STATUSES,
            "actions": flow.ACTION_LABELS,
            "needs_reason": flow.NEEDS_REASON,
            "support": SUPPORT,
            "spoken_languages": SPOKEN_LANGUAGES,
            "notice": refusal_messages().get(notice, ""),
        }
        return render(request, "referrals/detail.html", context)

    @post("/{referral_id:int}/step", status_code=303)
    async def step(self, request: Request, referral_id: RecordId) -> Redirect:
        referral, side = await _referral_for(request, referral_id)
        form = await request.form()
        to, reason = str(form.get("to") or ""), str(form.get("reason") or "").strip()[:2000]
        try:
            await services.move(referral_id, to, reason, current_user(request), side)
        except services.StepRefused as refused:
            # A full opportunity is an everyday outcome, not an error: the page says what happened.
            return Redirect(path=f"/referrals/{referral_id}?notice={refused.code}", status_code=303)
        await audit.record(
            request,
            current_user(request),
            "update",
            "participant",
            referral["participant"],
            f"referral {referral_id} {referral['status']} -> {to}",
        )
        return Redirect(path=f"/referrals/{referral_id}", status_code=303)


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
