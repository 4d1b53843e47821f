"""`portal network ...`: recompute the analytics, export the network, import a spreadsheet."""

from __future__ import annotations

import asyncio
import sys
import time

import click

EXPORT_FORMATS = ("graphml", "gexf", "json", "xlsx", "csv")


@click.group()
def network() -> None:
    """The partner network: analytics, export and import."""


@network.command("recompute")
def recompute() -> None:
    """Compute the network analytics now and store them for the pages."""
    from portal.network import jobs, services

    async def run() -> dict:
        await jobs.run()
        return await services.run_status()

    started = time.perf_counter()
    status = asyncio.run(run())
    if status["failed"]:
        click.echo(f"portal: the computation failed: {status['error']}", err=True)
        sys.exit(1)
    click.echo(f"network computed in {time.perf_counter() - started:.1f} s")


@network.command("export")
@click.option(
    "--format",
    "format_",
    required=True,
    type=click.Choice(EXPORT_FORMATS),
    help="graphml or gexf (Gephi), json (Cytoscape.js), xlsx or csv (Elements and Connections sheets).",
)
@click.argument("file", type=click.Path(dir_okay=True, writable=True))
def export(format_: str, file: str) -> None:
    """Write the whole network to FILE (csv: a .zip, or a folder for elements.csv and connections.csv)."""
    from portal.network.transfer import export_network

    click.echo(asyncio.run(export_network(file, format_)))


@network.command("import")
@click.argument("file")
def import_(file: str) -> None:
    """Add new organisations and relationships from a two-sheet spreadsheet.

    FILE is an .xlsx workbook with sheets Elements and Connections, a .zip or folder holding
    elements.csv and connections.csv, or the two CSV paths joined by a comma. Organisations
    are matched by name (case and diacritics aside). Every bad row is reported; the good rows
    are stored all the same, in one transaction. Exits with 1 when some rows were rejected.
    """
    from portal.network.transfer import import_spreadsheet

    shown: dict[str, float] = {}

    def progress(what: str, done: int, of: int) -> None:
        # At most one line per stage and second, and the last one of each stage.
        now = time.monotonic()
        if done == of or now - shown.get(what, 0.0) >= 1.0:
            shown[what] = now
            click.echo(f"{what}: {done:,} of {of:,}", err=True)

    try:
        report = asyncio.run(import_spreadsheet(file, progress))
    except (ValueError, OSError) as exc:
        click.echo(f"portal: {exc}", err=True)
        sys.exit(2)
    for problem in report.problems:
        where = f"{problem['sheet']}, row {problem['row']}" if problem["row"] else problem["sheet"]
        column = f", column {problem['column']}" if problem["column"] else ""
        click.echo(f"{file}: {where}{column}: {problem['message']}", err=True)
    click.echo(report.summary())
    if report.problems:
        sys.exit(1)
