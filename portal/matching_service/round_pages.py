"""Allocation round pages for coordinators and admins: list and start rounds, review, adjust, send."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from portal.auth.guards import network_manager, signed_in_user
from portal.matching_service import round_runs, rounds
from portal.matching_service.view import RoundView, adjust_proposal, round_view, rounds_view, start_round
from portal.organisations.params import Filter, PageNumber, RecordId, is_record_id
from portal.web.client import client_address
from portal.web.outcomes import answer
from portal.web.templating import is_partial_request, render

Polling = Annotated[bool, QueryParameter(description="Asked by the polling progress bar.")]


async def _round(round_id: int) -> dict[str, Any]:
    try:
        return await rounds.get_round(round_id)
    except rounds.NotFound as exc:
        raise NotFoundException() from exc


async def _round_page(
    request: Request, round_id: int, page: int = 1, *, errors: dict[int, str] | None = None, notice: str = ""
) -> RoundView:
    """The round page's view (portal.matching_service.view.round_view) for the signed-in user, or 404."""
    try:
        return await round_view(
            signed_in_user(request), client_address(request), round_id, page, errors=errors, notice=notice
        )
    except rounds.NotFound as exc:
        raise NotFoundException() from exc


class RoundPages(Controller):
    path = "/matching/rounds"
    include_in_schema = False
    guards = [network_manager]

    @get("/", name="matching:rounds")
    async def index(self, request: Request, page: PageNumber = 1) -> Template:
        view = await rounds_view(page)
        return render(request, "matching/rounds.html", view.template_context(), block="rounds")

    @post("/", status_code=303)
    async def create(self, request: Request) -> Redirect | Template:
        form = await request.form()
        values = {key: form.get(key) for key in form.keys()}
        return answer(request, "matching/rounds.html", await start_round(values, signed_in_user(request)))

    @get("/{round_id:int}", name="matching:round")
    async def detail(self, request: Request, round_id: RecordId, page: PageNumber = 1, notice: Filter = "") -> Template:
        view = await _round_page(request, round_id, page, notice=notice)
        return render(request, "matching/round.html", view.template_context(), block="proposals")

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
        try:
            outcome = await adjust_proposal(
                signed_in_user(request),
                client_address(request),
                round_id,
                proposal_id,
                raw,
                page,
                fragment=is_partial_request(request),
            )
        except rounds.NotFound as exc:
            raise NotFoundException() from exc
        return answer(request, "matching/round.html", outcome, block="proposals")

    @post("/{round_id:int}/send", status_code=303)
    async def send(self, request: Request, round_id: RecordId) -> Redirect:
        form = await request.form()
        message = str(form.get("message") or "")
        try:
            refused = await round_runs.send_round(round_id, signed_in_user(request), message, client_address(request))
        except rounds.NotFound as exc:
            raise NotFoundException() from exc
        if refused:
            return Redirect(path=f"/matching/rounds/{round_id}?notice={refused}", status_code=303)
        return Redirect(path=f"/matching/rounds/{round_id}#sending", status_code=303)
