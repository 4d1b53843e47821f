"""Tables written as CSV or XLSX a batch of rows at a time, so a download never holds a whole table in memory.

A table is a header and an async iterator of row batches (each a list of lists). CSV goes out as
a stream while the batches are read; XLSX is written by openpyxl's write-only workbook (rows go
to a temporary file as they come) into a temporary file, sent, then removed.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import AsyncIterator, Sequence
from typing import Any

import anyio
from litestar.background_tasks import BackgroundTask
from litestar.response import File, Stream

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
# Rows read per query: large enough to be quick, small enough that memory stays flat.
BATCH = 1000
Batches = AsyncIterator[list[list[Any]]]
# Workbooks built at once per process: each is CPU work, and the directory's download is public.
_workbooks = asyncio.Semaphore(2)


# A sign, then a number or a phone number and nothing else ("+386 (0)2 555-12", "-5", "-0.5").
_NUMBER_LIKE = re.compile(r"[+-][0-9][0-9 ().,/-]*")


def safe_text(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula: text starting with =, @, tab or CR, or with + or -
    unless it is a number or a phone number as a whole (such as +386 2 555), gets a leading apostrophe.

    A sign then a digit is not enough to let a value through: "+1+cmd|..." is a formula too."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "=@\t\r" or (value[0] in "+-" and not _NUMBER_LIKE.fullmatch(value)):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # openpyxl refuses zone-aware times: every time the portal stores is UTC.
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if value is None:
        return ""
    return safe_text(value)


def _csv_text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="seconds") if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    return safe_text(value)


def csv_chunk(rows: Sequence[Sequence[Any]], plain: bool = False) -> bytes:
    """Rows as CSV bytes; ``plain`` leaves text as it is (for machine formats such as HSDS)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row] if plain else [_csv_text(v) for v in row])
    return buffer.getvalue().encode("utf-8")


async def csv_stream(header: Sequence[str], batches: Batches) -> AsyncIterator[bytes]:
    # A byte-order mark first, so spreadsheet programs read the file as UTF-8 (č, š, ž, đ, ć).
    yield "\ufeff".encode() + csv_chunk([header])
    async for batch in batches:
        yield csv_chunk(batch)


async def xlsx_file(sheet: str, header: Sequence[str], batches: Batches) -> str:
    """Write the table into a new temporary .xlsx file and return its path (the caller removes it)."""
    async with _workbooks:
        return await _write_xlsx(sheet, header, batches)


def _append_rows(worksheet: Any, rows: list[list[Any]]) -> None:
    for row in rows:
        worksheet.append(row)


async def _write_xlsx(sheet: str, header: Sequence[str], batches: Batches) -> str:
    # Imported when a spreadsheet is first read or written: openpyxl is 8 MB a web worker would hold from its start.
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.append(list(header))
    async for batch in batches:
        rows = [[_cell(v) for v in row] for row in batch]
        await anyio.to_thread.run_sync(_append_rows, worksheet, rows)
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="portal-export-")
    os.close(handle)
    try:
        await anyio.to_thread.run_sync(workbook.save, path)
    except BaseException:
        os.unlink(path)
        raise
    return path


def attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


async def download(format: str, filename: str, sheet: str, header: Sequence[str], batches: Batches) -> Stream | File:
    """The table as a download named ``filename`` (without extension) in ``format`` (csv or xlsx)."""
    if format == "xlsx":
        return temporary_file(await xlsx_file(sheet, header, batches), f"{filename}.xlsx", MEDIA_TYPES["xlsx"])
    return Stream(
        content=csv_stream(header, batches), media_type=MEDIA_TYPES["csv"], headers=attachment(f"{filename}.csv")
    )


def temporary_file(path: str, filename: str, media_type: str) -> File:
    """Send a temporary file, removed once it has been sent."""
    return File(
        path=path,
        filename=filename,
        media_type=media_type,
        content_disposition_type="attachment",
        background=BackgroundTask(os.unlink, path),
    )
