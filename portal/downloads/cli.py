"""`portal directory export`: the directory as HSDS 3.0 tables (a folder), or as one CSV or XLSX file."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import click

EXPORT_FORMATS = ("hsds", "csv", "xlsx")


@click.group()
def directory() -> None:
    """The organisation directory: exports."""


@directory.command("export")
@click.option(
    "--format",
    "format_",
    required=True,
    type=click.Choice(EXPORT_FORMATS),
    help="hsds: Open Referral HSDS 3.0 CSV tables and datapackage.json in the folder PATH; csv or xlsx: one file.",
)
@click.argument("path", type=click.Path(path_type=Path))
def export(format_: str, path: Path) -> None:
    """Write every organisation (and, for hsds, every open opportunity as a service) to PATH.

    Run by the operator, so contact persons are included, as logged-in readers see them."""
    from portal.settings import get_settings

    if format_ == "hsds":
        if path.exists() and not path.is_dir():
            click.echo(f"portal: {path} is a file; hsds writes a folder of tables", err=True)
            sys.exit(2)
        from portal.downloads.hsds import write_package

        counts = asyncio.run(write_package(path, get_settings().public_url, contact_persons=True))
        click.echo(", ".join(f"{count} {table}" for table, count in counts.items()) + f" written to {path}/")
        return
    written = asyncio.run(_table(format_, path))
    click.echo(f"{written} organisations written to {path}")


async def _table(format_: str, path: Path) -> int:
    from portal.downloads import directory as table
    from portal.downloads.tables import csv_chunk, xlsx_file
    from portal.organisations.services import DirectoryFilters

    written = 0

    async def counted():
        nonlocal written
        async for batch in table.rows(DirectoryFilters(), members=True):
            written += len(batch)
            yield batch

    if format_ == "xlsx":
        shutil.move(await xlsx_file("Organisations", table.header(True), counted()), path)
        return written
    with path.open("wb") as out:
        out.write("\ufeff".encode() + csv_chunk([table.header(True)]))
        async for batch in counted():
            out.write(csv_chunk(batch))
    return written
