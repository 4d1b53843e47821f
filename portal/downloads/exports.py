"""Big downloads built by a job: the whole directory as HSDS tables and the network files, kept for their asker.

The page only makes a row (``running``) and enqueues ``export_file``; the job writes the file's
bytes into the row at the end, so any web worker can serve it whichever process built it. Only the
person who asked (and admins) may see or download it; it expires :data:`KEPT` after it was asked
for and the daily retention job removes it. Asking again for the same file while one is being built,
or within :data:`REUSED_FOR` of one being ready, gives that one instead of building another.
The one exception is the directory for the public (:data:`PUBLIC_HSDS`: HSDS without contact
persons, as anonymous readers see the directory): whoever asked for it, its newest finished copy is
what anyone downloads at /organisations/export.hsds.zip (:func:`newest_public`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.auth.roles import ADMIN
from portal.clock import utc_now
from portal.db.engine import as_utc
from portal.db.tables import ExportFile
from portal.downloads import network
from portal.i18n import gettext as _
from portal.i18n import lazy_gettext as _l
from portal.jobs.queue import enqueue
from portal.service_errors import NotFound

__all__ = ["KEPT", "FORMATS", "PUBLIC_HSDS", "ask", "build", "chunks", "get", "job", "list_own", "newest_public"]

logger = logging.getLogger(__name__)

KEPT = dt.timedelta(hours=24)  # a file can be downloaded for this long after it was asked for
REUSED_FOR = dt.timedelta(minutes=5)  # a file this fresh is given again instead of built again
# Longer than the job's timeout times its attempts (portal.jobs.registry): past this a run is dead.
STALE_AFTER = dt.timedelta(minutes=50)
CHUNK = 1 << 20  # bytes read from the database per piece of a download
PUBLIC_HSDS = "hsds-public"


@dataclass(frozen=True)
class Format:
    kind: str
    format: str
    suffix: str
    media_type: str
    label: Any


# (kind, format) -> what is built; the network's suffixes and media types are its exporters' (network.FORMATS).
FORMATS: dict[tuple[str, str], Format] = {
    ("hsds", "zip"): Format("hsds", "zip", "zip", "application/zip", _l("Directory as HSDS 3.0 tables (ZIP)")),
    # Built without contact persons: its newest copy is the public download anyone may take.
    ("hsds-public", "zip"): Format(
        "hsds-public",
        "zip",
        "zip",
        "application/zip",
        _l("Directory for everyone as HSDS 3.0 tables, without contact persons (ZIP; the public download)"),
    ),
}
_NETWORK_LABELS = {
    "graphml": _l("Network as GraphML"),
    "gexf": _l("Network as GEXF"),
    "json": _l("Network as JSON (Cytoscape.js)"),
    "xlsx": _l("Network as a spreadsheet (XLSX)"),
}
FORMATS.update(
    {
        ("network", name): Format("network", name, suffix, media_type, _NETWORK_LABELS[name])
        for name, (suffix, media_type) in network.FORMATS.items()
    }
)

_SHOWN = (
    ExportFile.id,
    ExportFile.requested_by,
    ExportFile.kind,
    ExportFile.format,
    ExportFile.status,
    ExportFile.error,
    ExportFile.created_at,
    ExportFile.finished_at,
    ExportFile.expires_at,
    ExportFile.filename,
    ExportFile.size,
)


def _shown(row: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """A row as the pages show it: a run past :data:`STALE_AFTER` is failed, an expired file is gone."""
    row = dict(row)
    if row["status"] == "running" and now - as_utc(row["created_at"]) > STALE_AFTER:
        row.update(status="failed", error=_("The process building it ended before it finished."))
    row["expired"] = as_utc(row["expires_at"]) <= now
    row["label"] = FORMATS[(row["kind"], row["format"])].label
    return row


async def ask(user: CurrentUser, kind: str, format: str) -> tuple[int, bool]:
    """The export of ``kind`` in ``format`` for ``user``: one being built or just built, else a new one
    (its job enqueued; awaited under tests). Returns its id and whether it is new."""
    spec = FORMATS[(kind, format)]
    now = utc_now()
    reusable = (
        await ExportFile.select(ExportFile.id)
        .where(
            (ExportFile.requested_by == user.id)
            & (ExportFile.kind == kind)
            & (ExportFile.format == format)
            & (ExportFile.expires_at > now)
            & (
                ((ExportFile.status == "running") & (ExportFile.created_at > now - STALE_AFTER))
                | ((ExportFile.status == "done") & (ExportFile.finished_at > now - REUSED_FOR))
            )
        )
        .order_by(ExportFile.id, ascending=False)
        .first()
    )
    if reusable:
        return reusable["id"], False
    stamp = now.strftime("%Y-%m-%d")
    name = "directory-hsds" if kind in ("hsds", PUBLIC_HSDS) else "network"
    rows = await ExportFile.insert(
        ExportFile(
            requested_by=user.id,
            kind=kind,
            format=format,
            status="running",
            error="",
            created_at=now,
            expires_at=now + KEPT,
            filename=f"{name}-{stamp}.{spec.suffix}",
            size=0,
            content=None,
        )
    ).returning(ExportFile.id)
    export_id = rows[0]["id"]
    await enqueue("export_file", export_id=export_id)
    return export_id, True


def _visible(user: CurrentUser) -> Any:
    return None if user.role == ADMIN else ExportFile.requested_by == user.id


async def get(user: CurrentUser, export_id: int) -> dict[str, Any]:
    """An export the user asked for (any, for admins); NotFound for anyone else's, as for one that never was."""
    query = ExportFile.select(*_SHOWN).where(ExportFile.id == export_id)
    if (own := _visible(user)) is not None:
        query = query.where(own)
    row = await query.first()
    if row is None:
        raise NotFound()
    return _shown(row, utc_now())


async def list_own(user: CurrentUser, limit: int = 20) -> list[dict[str, Any]]:
    """The user's own exports not yet expired, newest first (at most ``limit``: they expire within a day)."""
    now = utc_now()
    rows = (
        await ExportFile.select(*_SHOWN)
        .where((ExportFile.requested_by == user.id) & (ExportFile.expires_at > now))
        .order_by(ExportFile.id, ascending=False)
        .limit(limit)
    )
    return [_shown(row, now) for row in rows]


async def newest_public() -> dict[str, Any] | None:
    """The newest finished, unexpired directory for the public (whoever asked for it), or None."""
    now = utc_now()
    return (
        await ExportFile.select(ExportFile.id, ExportFile.filename, ExportFile.size)
        .where(
            (ExportFile.kind == PUBLIC_HSDS)
            & (ExportFile.format == "zip")
            & (ExportFile.status == "done")
            & (ExportFile.expires_at > now)
        )
        .order_by(ExportFile.finished_at, ascending=False)
        .first()
    )


async def chunks(export_id: int, size: int) -> AsyncIterator[bytes]:
    """The file's bytes read from the database :data:`CHUNK` at a time (substr works on bytea and blob alike)."""
    for start in range(1, size + 1, CHUNK):
        rows = await ExportFile.raw(
            "SELECT substr(content, {}, {}) AS part FROM export_file WHERE id = {}", start, CHUNK, export_id
        )
        if not rows or rows[0]["part"] is None:
            return  # removed meanwhile (expired): the download ends short rather than failing
        yield bytes(rows[0]["part"])


async def build(kind: str, format: str) -> bytes:
    """The file itself, as the job builds it (tests compare downloads with this)."""
    from portal.settings import get_settings

    if kind in ("hsds", PUBLIC_HSDS):
        from portal.downloads.hsds import build_zip

        # Asked for by staff, so with contact persons, as logged-in readers see the directory; the public
        # one without, as anonymous readers see it.
        path = await build_zip(get_settings().public_url, contact_persons=kind == "hsds")
    else:
        path = await network.export_file(format)
    try:
        return await asyncio.to_thread(Path(path).read_bytes)
    finally:
        os.unlink(path)


async def run(export_id: int) -> None:
    """Build an export into its row; a failure is stored on the row (the page shows it), never raised."""
    row = await ExportFile.select(ExportFile.kind, ExportFile.format).where(ExportFile.id == export_id).first()
    if row is None:
        return
    started = time.perf_counter()
    try:
        content = await build(row["kind"], row["format"])
    except Exception as exc:
        logger.exception("export %s failed", export_id)
        await ExportFile.update(
            {ExportFile.status: "failed", ExportFile.finished_at: utc_now(), ExportFile.error: str(exc)[:2000]}
        ).where(ExportFile.id == export_id)
        return
    await ExportFile.update(
        {
            ExportFile.status: "done",
            ExportFile.finished_at: utc_now(),
            ExportFile.size: len(content),
            ExportFile.content: content,
        }
    ).where((ExportFile.id == export_id) & (ExportFile.status == "running"))
    logger.info(
        "export %s (%s) took %.2f s, %d bytes", export_id, row["format"], time.perf_counter() - started, len(content)
    )


async def job(export_id: int) -> dict[str, Any]:
    """The job the registry names: builds an export that is still ``running`` (a retry builds it afresh)."""
    row = await ExportFile.select(ExportFile.status).where(ExportFile.id == export_id).first()
    if row is None or row["status"] != "running":
        return {"skipped": row["status"] if row else "missing"}
    await run(export_id)
    return {"export": export_id}
