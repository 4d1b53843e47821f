"""Exports built by a job: asked for from the directory or network page, followed here, then downloaded.

Coordinators and admins only: a country's directory or network takes seconds and megabytes to build,
so it is the network managers' tool, built off the request path (portal.downloads.exports). A person
sees and downloads only their own exports and the public directory copies (admins anyone's, and an
admin's download of someone else's is audited naming its owner); anyone else's is "not found".
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter
from litestar.response import Redirect, Stream, Template

from portal.auth.guards import network_manager, signed_in_user
from portal.downloads import export_view, exports
from portal.downloads.tables import attachment
from portal.organisations.params import RecordId
from portal.service_errors import NotFound
from portal.web.client import client_address
from portal.web.outcomes import answer
from portal.web.templating import is_partial_request, render

Polling = Annotated[bool, QueryParameter(description="Asked by the polling status line.")]


async def _export(request: Request, export_id: int) -> dict:
    try:
        return await exports.get(signed_in_user(request), export_id)
    except NotFound as exc:
        raise NotFoundException() from exc


class ExportPages(Controller):
    path = "/exports"
    include_in_schema = False
    guards = [network_manager]

    @get("/", name="exports:index")
    async def index(self, request: Request) -> Template:
        """The user's exports of the last day, and a form to ask for each kind."""
        return render(request, "downloads/exports.html", await export_view.index_context(signed_in_user(request)))

    @post("/", status_code=303, name="exports:ask")
    async def ask(self, request: Request) -> Redirect | Template:
        """Ask for an export (portal.downloads.export_view.ask)."""
        form = await request.form()
        outcome = await export_view.ask(signed_in_user(request), client_address(request), form)
        return answer(request, "downloads/exports.html", outcome)

    @get("/{export_id:int}", name="exports:detail")
    async def detail(self, request: Request, export_id: RecordId) -> Template:
        """One export: being built (the status polls while JavaScript runs; a Refresh link without), ready or failed."""
        return render(request, "downloads/export.html", {"export": await _export(request, export_id)}, block="status")

    @get("/{export_id:int}/status", name="exports:status")
    async def status(self, request: Request, export_id: RecordId, polling: Polling = False) -> Template | Redirect:
        if not is_partial_request(request):
            return Redirect(path=f"/exports/{export_id}", status_code=303)
        export = await _export(request, export_id)
        return render(request, "downloads/export.html", {"export": export, "polling": polling}, block="status")

    @get("/{export_id:int}/download", name="exports:download")
    async def download(self, request: Request, export_id: RecordId) -> Stream:
        """The file, read from the database a piece at a time (any web worker can serve it)."""
        try:
            found = await export_view.download(signed_in_user(request), client_address(request), export_id)
        except NotFound as exc:
            raise NotFoundException() from exc
        export = found.export
        headers = {**attachment(export["filename"]), **found.headers}
        return Stream(content=exports.chunks(export_id, export["size"]), media_type=found.media_type, headers=headers)
