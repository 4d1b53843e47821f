"""Big downloads built by a job: the whole directory as HSDS tables and the network files, kept for their asker.

The page only makes a row (``running``) and enqueues ``export_file``; the job writes the file's
bytes into the row at the end, so any web worker can serve it whichever process built it. Each row
is a run of the one run lifecycle (:data:`RUNS`, portal.jobs.runs: started when asked for, done or
failed, shown as failed past :data:`STALE_AFTER` and marked so by the hourly clean-up). Only the
person who asked (and admins) may see or download it; it expires :data:`KEPT` after it was asked
for and the daily retention job removes it. Asking again for the same file while one is being built,
or within :data:`REUSED_FOR` of one being ready, gives that one instead of building another.

The one exception is the directory for the public (:data:`PUBLIC_HSDS`: HSDS without contact
persons, as anonymous readers see the directory). It belongs to no one (``requested_by`` NULL):
the scheduled job ``public_hsds`` (:func:`public_job`) builds it when there is none and again every
night after :data:`NIGHTLY`, and a coordinator's button asks for a rebuild now (:func:`refresh_public`).
Its newest finished copy is what anyone downloads at /organisations/export.hsds.zip
(:func:`newest_public`); the previous copy stays until a new one is ready, then expires (the
retention job removes it). One public build runs at a time (a unique index on its running row).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from croniter import croniter

from portal.auth.current_user import CurrentUser
from portal.auth.roles import ADMIN
from portal.clock import utc_now
from portal.db.engine import as_utc
from portal.db.piccolo_conf import DB
from portal.db.tables import ExportFile
from portal.downloads import network
from portal.i18n import lazy_gettext as _l
from portal.jobs.queue import enqueue
from portal.jobs.runs import DONE, FAILED, RUNNING, Runs
from portal.service_errors import NotFound

__all__ = [
    "FORMATS",
    "KEPT",
    "PUBLIC_HSDS",
    "RUNS",
    "ask",
    "build",
    "chunks",
    "get",
    "job",
    "list_own",
    "newest_public",
    "public_job",
    "public_status",
    "refresh_public",
]

logger = logging.getLogger(__name__)

KEPT = dt.timedelta(hours=24)  # a file can be downloaded for this long after it was asked for
REUSED_FOR = dt.timedelta(minutes=5)  # a file this fresh is given again instead of built again
# Longer than the job's timeout times its attempts (portal.jobs.registry): past this a run is dead.
STALE_AFTER = dt.timedelta(minutes=50)
CHUNK = 1 << 20  # bytes read from the database per piece of a download
PUBLIC_HSDS = "hsds-public"
# The public copy is rebuilt after this moment every night (UTC; after the retention job at 02:30).
NIGHTLY = "15 3 * * *"
# A public copy is replaced by the next one; if rebuilding keeps failing, the last one is served this long.
PUBLIC_KEPT = dt.timedelta(days=7)
# After a failed scheduled build of the public copy, the schedule tries again after this long.
PUBLIC_RETRY_AFTER = dt.timedelta(hours=1)
STALE_REASON = "stopped: the process running it ended before it finished"

RUNS = Runs(ExportFile, STALE_AFTER, started="created_at")


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
    ExportFile.created_at,
    ExportFile.finished_at,
    ExportFile.expires_at,
    ExportFile.filename,
    ExportFile.size,
)


def _shown(row: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """A row as the pages show it: a run past :data:`STALE_AFTER` is failed, an expired file is gone.

    Why a build failed stays in the log and on the row, never on the page (it may name files or
    servers): ``stopped`` says only whether the process died rather than the build failing."""
    row = dict(row)
    row["stopped"] = RUNS.is_stale(row, now)
    row["status"] = FAILED if row["stopped"] else row["status"]
    row["expired"] = as_utc(row["expires_at"]) <= now
    row["label"] = FORMATS[(row["kind"], row["format"])].label
    return row


def _filename(kind: str, format: str, now: dt.datetime) -> str:
    name = "directory-hsds" if kind in ("hsds", PUBLIC_HSDS) else "network"
    return f"{name}-{now.strftime('%Y-%m-%d')}.{FORMATS[(kind, format)].suffix}"


async def _start(requested_by: int | None, kind: str, format: str) -> int:
    """A new run of an export (its job enqueued; awaited under tests); its id."""
    now = utc_now()
    export_id = await RUNS.start(
        requested_by=requested_by,
        kind=kind,
        format=format,
        expires_at=now + (PUBLIC_KEPT if kind == PUBLIC_HSDS else KEPT),
        filename=_filename(kind, format, now),
        size=0,
        content=None,
    )
    await enqueue("export_file", export_id=export_id)
    return export_id


async def ask(user: CurrentUser, kind: str, format: str) -> tuple[int, bool]:
    """The export of ``kind`` in ``format`` for ``user``: one being built or just built, else a new one
    (its job enqueued; awaited under tests). Returns its id and whether it is new. The public
    directory is not the user's: asking for it asks for a rebuild now (:func:`refresh_public`)."""
    if kind == PUBLIC_HSDS:
        export_id, new = await refresh_public(now=True)
        if export_id is None:  # now=True always gives a copy or starts one
            raise RuntimeError("no public directory copy after asking for one")
        return export_id, new
    now = utc_now()
    reusable = (
        await ExportFile.select(ExportFile.id)
        .where(
            (ExportFile.requested_by == user.id)
            & (ExportFile.kind == kind)
            & (ExportFile.format == format)
            & (ExportFile.expires_at > now)
            & (
                ((ExportFile.status == RUNNING) & (ExportFile.created_at > now - STALE_AFTER))
                | ((ExportFile.status == DONE) & (ExportFile.finished_at > now - REUSED_FOR))
            )
        )
        .order_by(ExportFile.id, ascending=False)
        .first()
    )
    if reusable:
        return reusable["id"], False
    return await _start(user.id, kind, format), True


def _is_unique_violation(exc: Exception) -> bool:
    # asyncpg's UniqueViolationError and sqlite3's IntegrityError (which says UNIQUE).
    return type(exc).__name__ == "UniqueViolationError" or (
        type(exc).__name__ == "IntegrityError" and "UNIQUE" in str(exc)
    )


async def _public_running() -> dict[str, Any] | None:
    return (
        await ExportFile.select(ExportFile.id, ExportFile.status, ExportFile.created_at)
        .where((ExportFile.kind == PUBLIC_HSDS) & (ExportFile.status == RUNNING))
        .order_by(ExportFile.id, ascending=False)
        .first()
    )


async def refresh_public(*, now: bool) -> tuple[int | None, bool]:
    """Build the public directory copy unless that is not needed; its id (None when none is needed
    and there is no copy) and whether a build started.

    A build under way is always that one. With ``now`` (a coordinator's button) a copy finished
    within :data:`REUSED_FOR` is given again; else (the schedule) a copy asked for since the last
    :data:`NIGHTLY` moment is enough, and after a failed build the next waits :data:`PUBLIC_RETRY_AFTER`.
    """
    moment = utc_now()
    running = await _public_running()
    if running is not None:
        if RUNS.is_running(running, moment):
            return running["id"], False
        await RUNS.fail_stale(STALE_REASON, moment)  # its process died: free the one-build index
    newest = await newest_public()
    if newest is not None:
        if now and as_utc(newest["finished_at"]) > moment - REUSED_FOR:
            return newest["id"], False
        if not now and as_utc(newest["created_at"]) >= croniter(NIGHTLY, moment).get_prev(dt.datetime):
            return newest["id"], False
    if not now:
        attempt = (
            await ExportFile.select(ExportFile.id, ExportFile.status, ExportFile.created_at)
            .where(ExportFile.kind == PUBLIC_HSDS)
            .order_by(ExportFile.id, ascending=False)
            .first()
        )
        if attempt and attempt["status"] == FAILED and as_utc(attempt["created_at"]) > moment - PUBLIC_RETRY_AFTER:
            return (newest or {}).get("id"), False
    try:
        return await _start(None, PUBLIC_HSDS, "zip"), True
    except Exception as exc:
        if not _is_unique_violation(exc):
            raise
    # Another process started one a moment ago: that one.
    running = await _public_running()
    if running is None:
        raise RuntimeError("the public directory build vanished as it started")
    return running["id"], False


async def public_job() -> dict[str, Any]:
    """The scheduled job ``public_hsds``: builds the public copy when there is none or it is from
    before last night (:func:`refresh_public`)."""
    export_id, started = await refresh_public(now=False)
    return {"export": export_id, "started": started}


def _visible(user: CurrentUser) -> Any:
    """Whose exports ``user`` may see: admins all, others their own and the public copies (public data)."""
    return None if user.role == ADMIN else (ExportFile.requested_by == user.id) | (ExportFile.kind == PUBLIC_HSDS)


async def get(user: CurrentUser, export_id: int) -> dict[str, Any]:
    """An export the user asked for, or a public copy (any, for admins); NotFound for anyone else's,
    as for one that never was."""
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
    """The newest finished, unexpired directory for the public, or None."""
    now = utc_now()
    return (
        await ExportFile.select(
            ExportFile.id, ExportFile.filename, ExportFile.size, ExportFile.created_at, ExportFile.finished_at
        )
        .where(
            (ExportFile.kind == PUBLIC_HSDS)
            & (ExportFile.format == "zip")
            & (ExportFile.status == DONE)
            & (ExportFile.expires_at > now)
        )
        .order_by(ExportFile.finished_at, ascending=False)
        .first()
    )


async def public_status() -> dict[str, Any]:
    """The public copy for the exports page: the one served (``ready``) and one being built (``building``)."""
    running = await _public_running()
    building = running if running is not None and RUNS.is_running(running) else None
    return {"ready": await newest_public(), "building": building}


async def chunks(export_id: int, size: int) -> AsyncIterator[bytes]:
    """The file's bytes read from the database :data:`CHUNK` at a time (substr works on bytea and blob alike;
    PostgreSQL keeps the column uncompressed so that each piece is read without decompressing the ones before)."""
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
    """Build an export into its row; a failure is logged with the export's id and stored on the row
    (the page says only that it failed), never raised."""
    row = await ExportFile.select(ExportFile.kind, ExportFile.format).where(ExportFile.id == export_id).first()
    if row is None:
        return
    async with RUNS.recorded(export_id, logger, f"export ({row['kind']} {row['format']})"):
        content = await build(row["kind"], row["format"])
        async with DB.transaction():
            await RUNS.finish(export_id, size=len(content), content=content)
            if row["kind"] == PUBLIC_HSDS:
                # The new copy is served from now on: the older ones expire (the retention job removes
                # them; a download of one already under way still reads to its end until then).
                now = utc_now()
                await ExportFile.update({ExportFile.expires_at: now}).where(
                    (ExportFile.kind == PUBLIC_HSDS) & (ExportFile.id < export_id) & (ExportFile.expires_at > now)
                )
        logger.info("export %s: %d bytes", export_id, len(content))


async def job(export_id: int) -> dict[str, Any]:
    """The job the registry names: builds an export that is still ``running`` (a retry builds it afresh)."""
    status = await RUNS.status_of(export_id)
    if status != RUNNING:
        return {"skipped": status or "missing"}
    await run(export_id)
    return {"export": export_id}
