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

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.auth.guards import network_manager, signed_in_user
from portal.downloads import exports
from portal.downloads.tables import attachment
from portal.i18n import gettext as _
from portal.organisations.params import RecordId
from portal.service_errors import NotFound
from portal.web.client import client_address
from portal.web.templating import is_partial_request, render

Polling = Annotated[bool, QueryParameter(description="Asked by the polling status line.")]


async def _export(request: Request, export_id: int) -> dict:
    try:
        return await exports.get(signed_in_user(request), export_id)
    except NotFound as exc:
        raise NotFoundException() from exc


async def _index_context(user: CurrentUser, error: str = "") -> dict:
    return {
        "exports": await exports.list_own(user),
        "public": await exports.public_status(),
        "formats": exports.FORMATS,
        "error": error,
    }


class ExportPages(Controller):
    path = "/exports"
    include_in_schema = False
    guards = [network_manager]

    @get("/", name="exports:index")
    async def index(self, request: Request) -> Template:
        """The user's exports of the last day, and a form to ask for each kind."""
        return render(request, "downloads/exports.html", await _index_context(signed_in_user(request)))

    @post("/", status_code=303, name="exports:ask")
    async def ask(self, request: Request) -> Redirect | Template:
        """Ask for an export: one being built (or just built) for this user is reused, else a job builds it."""
        user = signed_in_user(request)
        form = await request.form()
        kind, format = str(form.get("kind") or ""), str(form.get("format") or "")
        if (kind, format) not in exports.FORMATS:
            context = await _index_context(user, _("Choose one of the exports listed below."))
            return render(request, "downloads/exports.html", context, status_code=422)
        export_id, new = await exports.ask(user, kind, format)
        if new:
            await audit.record(
                user, client_address(request), "export", "export_file", export_id, f"{kind} export asked ({format})"
            )
        return Redirect(path=f"/exports/{export_id}", status_code=303)

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
        """The file, read from the database a piece at a time (any web worker can serve it). An admin taking
        someone else's is audited, naming whose it is (it may hold the directory's contact persons)."""
        export = await _export(request, export_id)
        if export["status"] != "done" or export["expired"]:
            raise NotFoundException()
        user = signed_in_user(request)
        owner = export["requested_by"]
        if owner is not None and owner != user.id:
            detail = f"download of the {export['kind']} export ({export['format']}) asked for by user {owner}"
            await audit.record(user, client_address(request), "export", "export_file", export_id, detail)
        spec = exports.FORMATS[(export["kind"], export["format"])]
        headers = {**attachment(export["filename"]), "Content-Length": str(export["size"])}
        return Stream(content=exports.chunks(export_id, export["size"]), media_type=spec.media_type, headers=headers)
