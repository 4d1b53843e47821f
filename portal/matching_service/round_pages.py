"""Allocation round pages for coordinators and admins: list and start rounds, review, adjust, send."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from portal.audit import services as audit
from portal.auth.guards import network_manager, signed_in_user
from portal.geo import REGIONS
from portal.i18n import gettext as _
from portal.jobs.queue import enqueue, pending
from portal.matching_service import round_runs, rounds
from portal.matching_service.labels import component_labels, note_texts
from portal.organisations.kinds import COUNTRIES
from portal.organisations.params import Filter, PageNumber, RecordId, is_record_id
from portal.referrals import flow
from portal.referrals.notices import refusal_messages
from portal.vocab import OPPORTUNITY_KINDS, STAGES, SUPPORT
from portal.web.client import client_address
from portal.web.templating import is_partial_request, render

Polling = Annotated[bool, QueryParameter(description="Asked by the polling progress bar.")]


def _refusals() -> dict[str, str]:
    """Why an adjustment or a send was refused, in the reader's language."""
    return {
        "not_ready": _("This round can no longer be changed: it has been sent, or it is not ready for review."),
        "full": _(
            "That opportunity has no place left in this round: its places left are already proposed to "
            "other people. Free one of them first."
        ),
        "not_an_option": _("Choose one of this person's opportunities in the round."),
        "not_open": _("That opportunity is no longer open."),
        "no_longer_fits": _(
            "That opportunity no longer fits this person's language, travel radius, dates or support needs."
        ),
    }


def _unplaced_texts() -> dict[str, str]:
    return {
        "empty_profile": note_texts()["empty_profile"],
        "no_fit": _("No opportunity in the round fits this person's language, travel radius, dates and support needs."),
        "taken": _("The places that fit this person went to people who fit them better."),
        "adjusted": _("Set to no placement by a coordinator."),
    }


def _form_choices() -> dict[str, Any]:
    return {
        "methods": rounds.METHODS,
        "stages": STAGES,
        "regions": REGIONS,
        "countries": COUNTRIES,
        "kinds": OPPORTUNITY_KINDS,
    }


async def _list_context(
    page: int, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "result": await rounds.list_rounds(page),
        "values": values or {"method": "stable", "stage": "activation"},
        "errors": errors or {},
        "statuses": rounds.STATUSES,
        **_form_choices(),
    }


async def _round(round_id: int) -> dict[str, Any]:
    try:
        return await rounds.get_round(round_id)
    except rounds.NotFound as exc:
        raise NotFoundException() from exc


async def _round_context(
    request: Request,
    round_id: int,
    page: int = 1,
    *,
    errors: dict[int, str] | None = None,
    notice: str = "",
    polling: bool = False,
) -> dict[str, Any]:
    """The round page's context; every participant shown is audited as read."""
    found = await _round(round_id)
    context: dict[str, Any] = {
        "round": found,
        "polling": polling,
        "errors": errors or {},
        "notice": _refusals().get(notice, ""),
        "statuses": rounds.STATUSES,
        "methods": rounds.METHODS,
        "stages": STAGES,
        "kinds": OPPORTUNITY_KINDS,
        "notes": note_texts(),
        "components": component_labels(),
        "support": SUPPORT,
        "unplaced_texts": _unplaced_texts(),
        "referral_refusals": {
            **refusal_messages(),
            "stage_changed": _("The person is no longer at the round's stage."),
            "no_employer_consent": _(
                "An employer offers this place, and the person has not agreed to be shown to employers."
            ),
        },
        "referral_statuses": flow.STATUSES,
        "proposals": None,
    }
    if found["status"] == rounds.SENDING:
        context["delivering"] = await pending("round_deliver", round_id=round_id)
    if found["status"] in ("ready", rounds.SENDING, "sent"):
        context["proposals"] = await rounds.proposals_page(round_id, page)
        user = signed_in_user(request)
        await audit.record_many(
            user,
            client_address(request),
            "read",
            "participant",
            [p["participant"] for p in context["proposals"].items],
            f"allocation round {round_id}",
        )
    return context


class RoundPages(Controller):
    path = "/matching/rounds"
    include_in_schema = False
    guards = [network_manager]

    @get("/", name="matching:rounds")
    async def index(self, request: Request, page: PageNumber = 1) -> Template:
        return render(request, "matching/rounds.html", await _list_context(page), block="rounds")

    @post("/", status_code=303)
    async def create(self, request: Request) -> Redirect | Template:
        form = await request.form()
        values = {key: form.get(key) for key in form.keys()}
        criteria, errors = rounds.clean_criteria(values)
        if criteria is not None:
            errors = await round_runs.size_errors(criteria)
        if criteria is None or errors:
            return render(request, "matching/rounds.html", await _list_context(1, values, errors), status_code=422)
        round_id = await round_runs.start_round(criteria, signed_in_user(request))
        return Redirect(path=f"/matching/rounds/{round_id}", status_code=303)

    @get("/{round_id:int}", name="matching:round")
    async def detail(self, request: Request, round_id: RecordId, page: PageNumber = 1, notice: Filter = "") -> Template:
        context = await _round_context(request, round_id, page, notice=notice)
        return render(request, "matching/round.html", context, block="proposals")

    @get("/{round_id:int}/status", name="matching:round-status")
    async def status(self, request: Request, round_id: RecordId, polling: Polling = False) -> Template | Redirect:
        """The round's progress; while it runs, a bar that polls this route and replaces itself."""
        if not is_partial_request(request):
            return Redirect(path=f"/matching/rounds/{round_id}", status_code=303)  # the whole page has the bar
        found = await _round(round_id)
        response = render(request, "matching/round.html", {"round": found, "polling": polling}, block="status")
        if polling and found["status"] != "running" and is_partial_request(request):
            response.headers["HX-Refresh"] = "true"  # the proposals are ready: show the whole page
        return response

    @post("/{round_id:int}/proposals/{proposal_id:int}", status_code=303)
    async def adjust(self, request: Request, round_id: RecordId, proposal_id: RecordId) -> Redirect | Template:
        form = await request.form()
        raw = str(form.get("opportunity_id") or "")
        page = int(str(form.get("page"))) if is_record_id(str(form.get("page") or "")) else 1
        code = ""
        if raw and not is_record_id(raw):
            code = "not_an_option"
        else:
            try:
                await rounds.adjust(round_id, proposal_id, int(raw) if raw else None, signed_in_user(request))
            except rounds.NotFound as exc:
                raise NotFoundException() from exc
            except rounds.Refused as refused:
                code = refused.code
        if code:
            context = await _round_context(request, round_id, page, errors={proposal_id: _refusals()[code]})
            return render(request, "matching/round.html", context, block="proposals", status_code=422)
        if is_partial_request(request):
            return render(
                request, "matching/round.html", await _round_context(request, round_id, page), block="proposals"
            )
        return Redirect(path=f"/matching/rounds/{round_id}?page={page}#proposal-{proposal_id}", status_code=303)

    @post("/{round_id:int}/send", status_code=303)
    async def send(self, request: Request, round_id: RecordId) -> Redirect:
        found = await _round(round_id)
        form = await request.form()
        message = str(form.get("message") or "").strip()[:2000] or _("Proposed in the allocation round “%(name)s”.") % {
            "name": found["name"]
        }
        user = signed_in_user(request)
        try:
            # A round whose sending stopped half way (a crash or a restart) is only delivered again: its
            # referrals so far are kept, nobody gets a second one. The delivery is a job (awaited here
            # without a queue); a second enqueue while it is queued or running changes nothing.
            if found["status"] != rounds.SENDING:
                await rounds.begin_sending(round_id, user, message, address=client_address(request))
            await enqueue("round_deliver", round_id=round_id)
        except rounds.Refused as refused:
            return Redirect(path=f"/matching/rounds/{round_id}?notice={refused.code}", status_code=303)
        return Redirect(path=f"/matching/rounds/{round_id}#sending", status_code=303)
