"""Export the network to GraphML, GEXF, JSON or the two-sheet spreadsheet, and import that spreadsheet.

An import adds the organisations whose name is not in the portal yet (compared without
case or diacritics) and the relationships that do not exist yet, each row checked as the
forms check it. Every bad row is reported (sheet, row, column, message); the good rows are
stored together in one transaction, written in batches of BATCH rows (a statement per row took
8.5 minutes for 100,000 rows), with progress reported after each batch; a failure leaves nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio

import network
from network import spreadsheet as sheets
from portal.clock import utc_now
from portal.db.piccolo_conf import DB
from portal.db.tables import Organisation, Relationship
from portal.network import jobs, services
from portal.organisations import services as organisations
from portal.organisations.validation import clean_organisation, clean_relationship
from portal.text import fold

FORMATS = ("graphml", "gexf", "json", "xlsx", "csv")
BATCH = 500
Progress = Callable[[str, int, int], None]  # (what, done, of)
# Organisation fields that travel as extra spreadsheet columns ("Registry id" <-> registry_id).
EXTRA_FIELDS = (
    "address",
    "postcode",
    "languages",
    "email",
    "phone",
    "website",
    "contact_person",
    "description",
    "registry_id",
)
_COLUMN = {
    "name": "Label",
    "kind": "Type",
    "country": "Country",
    "region": "Region",
    "municipality": "Municipality",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "since": "Since",
    "until": "Until",
    "strength": "Strength",
}


@dataclass
class ImportReport:
    organisations_added: int = 0
    organisations_known: int = 0
    relationships_added: int = 0
    relationships_known: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"organisations: {self.organisations_added} added, {self.organisations_known} already known; "
            f"relationships: {self.relationships_added} added, {self.relationships_known} already known; "
            f"{len(self.problems)} problem(s)"
        )


async def export_network(path: str | Path, format: str) -> str:
    """Write the whole network to ``path``; return a one-line summary."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if format in ("xlsx", "csv"):
        orgs = await Organisation.select(
            Organisation.id,
            Organisation.name,
            Organisation.kind,
            Organisation.country,
            Organisation.region,
            Organisation.municipality,
            Organisation.latitude,
            Organisation.longitude,
            *(getattr(Organisation, name) for name in EXTRA_FIELDS),
        ).order_by(Organisation.id)
        ties = await Relationship.select(
            Relationship.id,
            Relationship.source,
            Relationship.target,
            Relationship.kind,
            Relationship.since,
            Relationship.until,
            Relationship.strength,
            Relationship.note,
        ).order_by(Relationship.id)
        # Building and writing the file is CPU work: in a thread, so a web process serving the download
        # goes on answering other requests meanwhile.
        await anyio.to_thread.run_sync(lambda: network.write_spreadsheet(orgs, ties, str(path), format=format))
        return f"wrote {len(orgs)} organisations and {len(ties)} relationships to {path}"
    records = await services.load_records()
    G = await anyio.to_thread.run_sync(services.build, records)
    await anyio.to_thread.run_sync(_write_graph, G, str(path), format)
    return f"wrote {G.number_of_nodes()} organisations and {G.number_of_edges()} ties to {path}"


def _write_graph(G: Any, path: str, format: str) -> None:
    if format == "graphml":
        network.to_graphml(G, path)
    elif format == "gexf":
        network.to_gexf(G, path)
    else:
        Path(path).write_text(json.dumps(network.to_json(G), ensure_ascii=False, default=str), encoding="utf-8")


def _good_rows(source: Any, errors: list[dict[str, Any]]) -> dict[str, list[int]]:
    """The spreadsheet row number of each record `read_spreadsheet` returned, in its order.

    The reader skips blank rows and rows with problems; walking the rows the same way and
    leaving out the reported ones gives each kept record its row.
    """
    loaded, escaped = sheets._load(source)
    bad = {(error["sheet"], error["row"]) for error in errors}
    numbers: dict[str, list[int]] = {}
    for sheet, known in (("Elements", sheets.ELEMENT_COLUMNS), ("Connections", sheets.CONNECTION_COLUMNS)):
        rows = loaded.get(sheet)
        columns = sheets._header(rows, sheet, known, [])[0] if rows is not None else None
        numbers[sheet] = (
            []
            if columns is None or rows is None
            else [n for n, _, _ in sheets._rows(rows, columns, escaped) if (sheet, n) not in bad]
        )
    return numbers


def _source(path: str | Path) -> Any:
    """A workbook, a zip or folder of two CSVs, or 'elements.csv,connections.csv'."""
    text = str(path)
    if "," in text and not Path(text).exists():
        elements, connections = text.split(",", 1)
        return (elements, connections)
    return text


async def import_spreadsheet(path: str | Path, progress: Progress | None = None) -> ImportReport:
    """Add what is new in the spreadsheet at ``path``; see the module docstring.

    ``progress(what, done, of)`` is called as rows are checked and after each batch is written.
    """
    say = progress or (lambda what, done, of: None)
    source = _source(path)
    records, ties, errors = network.read_spreadsheet(source)
    say("rows read", len(records) + len(ties), len(records) + len(ties))
    report = ImportReport(problems=list(errors))
    rows = _good_rows(source, errors)

    known: dict[str, list[int]] = {}  # folded name -> the portal's organisations of that name
    for row in await Organisation.select(Organisation.id, Organisation.name):
        known.setdefault(fold(row["name"]), []).append(row["id"])
    resolved: dict[Any, int] = {}  # spreadsheet id -> portal id, for organisations already in the portal
    new: dict[Any, dict[str, Any]] = {}  # spreadsheet id -> checked values of an organisation to add
    bad_elements: dict[Any, int] = {}  # spreadsheet id -> row number
    same_as: dict[Any, Any] = {}  # spreadsheet id -> an earlier row's id with the same folded name
    first_new: dict[str, Any] = {}
    for number, record in zip(rows["Elements"], records, strict=True):
        key = fold(record["name"])
        if key in known and len(known[key]) > 1:
            # Several organisations share the name (two offices of one centre): a tie could land on the wrong one.
            bad_elements[record["id"]] = number
            message = (
                f"{len(known[key])} organisations in the portal are called {record['name']!r}: "
                "add this one's relationships on its page"
            )
            report.problems.append({"sheet": "Elements", "row": number, "column": "Label", "message": message})
            continue
        if key in known:
            resolved[record["id"]] = known[key][0]
            report.organisations_known += 1
            continue
        if key in first_new:  # 'Čakovec' after 'Cakovec': one organisation
            same_as[record["id"]] = first_new[key]
            continue
        data = {
            name: record.get(name)
            for name in ("name", "kind", "country", "region", "municipality", "latitude", "longitude")
        }
        data.update({name: record.get(name) or "" for name in EXTRA_FIELDS})
        values, problems = clean_organisation(data)
        if problems:
            bad_elements[record["id"]] = number
            report.problems.extend(_problems("Elements", number, problems))
            continue
        new[record["id"]] = values
        first_new[key] = record["id"]

    links = []
    for number, tie in zip(rows["Connections"], ties, strict=True):
        problems = {}  # the type of the elements' problems above
        for end, column in (("source", "From"), ("target", "To")):
            if tie[end] in bad_elements:
                problems[column] = f"the element on row {bad_elements[tie[end]]} has errors"
        data = {
            "kind": tie["kind"],
            "since": tie.get("since"),
            "until": tie.get("until"),
            "strength": tie.get("strength"),
            "note": tie.get("note") or "",
        }
        values, found = clean_relationship(data)
        problems.update(
            {_COLUMN.get(name, name.replace("_", " ").capitalize()): message for name, message in found.items()}
        )
        if problems:
            report.problems.extend(
                {"sheet": "Connections", "row": number, "column": c, "message": m} for c, m in problems.items()
            )
            continue
        links.append((number, tie["source"], tie["target"], values))
    say("rows checked", len(records) + len(ties), len(records) + len(ties))

    async with DB.transaction():
        await _add_organisations(new, resolved, say)
        report.organisations_added = len(new)
        for sheet_id, first in same_as.items():
            resolved[sheet_id] = resolved[first]
        existing = {
            (r["source"], r["target"], r["kind"])
            for r in await Relationship.select(Relationship.source, Relationship.target, Relationship.kind)
        }
        now = utc_now()
        to_add = []
        for number, source_id, target_id, values in links:
            source, target = resolved[source_id], resolved[target_id]
            if source == target:  # one organisation under two spellings, or a row naming the same one twice
                report.problems.append(
                    {
                        "sheet": "Connections",
                        "row": number,
                        "column": "To",
                        "message": "an organisation cannot have a relationship with itself",
                    }
                )
                continue
            if (source, target, values["kind"]) in existing:
                report.relationships_known += 1
                continue
            existing.add((source, target, values["kind"]))
            to_add.append(Relationship(source=source, target=target, **values, created_at=now, updated_at=now))
        for start in range(0, len(to_add), BATCH):
            await Relationship.insert(*to_add[start : start + BATCH])
            say("relationships written", min(start + BATCH, len(to_add)), len(to_add))
        report.relationships_added = len(to_add)
    report.problems.sort(key=lambda p: (p["sheet"] != "Elements", p["row"] or 0, p["column"] or ""))
    jobs.request_recompute()
    return report


async def _add_organisations(new: dict[Any, dict[str, Any]], resolved: dict[Any, int], say: Progress) -> None:
    """Insert the checked organisations BATCH at a time, each with a free slug; record their ids in ``resolved``."""
    taken = {row["slug"] for row in await Organisation.select(Organisation.slug)}
    now = utc_now()
    items = list(new.items())
    for start in range(0, len(items), BATCH):
        by_slug: dict[str, Any] = {}
        batch = []
        for sheet_id, values in items[start : start + BATCH]:
            slug = organisations.free_slug(values["name"], taken)
            taken.add(slug)
            by_slug[slug] = sheet_id
            batch.append(
                Organisation(
                    **values, slug=slug, search_text=organisations.search_text(values), created_at=now, updated_at=now
                )
            )
        # Matched back by slug, which is unique: RETURNING promises no order.
        for row in await Organisation.insert(*batch).returning(Organisation.id, Organisation.slug):
            resolved[by_slug[row["slug"]]] = row["id"]
        say("organisations written", min(start + BATCH, len(items)), len(items))


def _problems(sheet: str, number: int, problems: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "sheet": sheet,
            "row": number,
            "column": _COLUMN.get(name, name.replace("_", " ").capitalize()),
            "message": str(message),
        }
        for name, message in problems.items()
    ]
