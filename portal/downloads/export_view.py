"""The exports pages' data in one call each: the list with its form, asking for one, and a download."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.audit import services as audit
from portal.auth.current_user import CurrentUser
from portal.downloads import exports
from portal.i18n import gettext as _
from portal.outcomes import PageOutcome
from portal.service_errors import NotFound


async def index_context(user: CurrentUser, error: str = "") -> dict[str, Any]:
    """What ``downloads/exports.html`` shows: the user's exports of the last day, the public copy, the form."""
    return {
        "exports": await exports.list_own(user),
        "public": await exports.public_status(),
        "formats": exports.FORMATS,
        "error": error,
    }


async def ask(user: CurrentUser, address: str, form: Mapping[str, Any]) -> PageOutcome:
    """Ask for an export: one being built (or just built) for this user is reused, else a job builds it
    (audited when new); an unknown kind or format gives the list again with a message, asking nothing."""
    kind, format = str(form.get("kind") or ""), str(form.get("format") or "")
    if (kind, format) not in exports.FORMATS:
        return PageOutcome.refuse(await index_context(user, _("Choose one of the exports listed below.")))
    export_id, new = await exports.ask(user, kind, format)
    if new:
        await audit.record(user, address, "export", "export_file", export_id, f"{kind} export asked ({format})")
    return PageOutcome.go(f"/exports/{export_id}")


@dataclass(frozen=True)
class Download:
    """A ready export to stream: its row, media type and length."""

    export: dict[str, Any]
    media_type: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Length": str(self.export["size"])}


async def download(user: CurrentUser, address: str, export_id: int) -> Download:
    """A ready, unexpired export the user may take (NotFound otherwise). An admin taking someone else's is
    audited, naming whose it is (it may hold the directory's contact persons)."""
    export = await exports.get(user, export_id)
    if export["status"] != "done" or export["expired"]:
        raise NotFound()
    owner = export["requested_by"]
    if owner is not None and owner != user.id:
        detail = f"download of the {export['kind']} export ({export['format']}) asked for by user {owner}"
        await audit.record(user, address, "export", "export_file", export_id, detail)
    return Download(export, exports.FORMATS[(export["kind"], export["format"])].media_type)
