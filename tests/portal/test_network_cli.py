"""`portal network export` and `portal network import`: round trips, and every bad row reported without losing good ones."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner

import network
from portal.cli import main
from portal.db.tables import Organisation, Relationship
from portal.network.transfer import export_network, import_spreadsheet

ORGS = [
    {
        "name": "CSD Ptuj",
        "kind": "social_work_centre",
        "region": "Podravska",
        "municipality": "Ptuj",
        "latitude": 46.4199,
        "longitude": 15.8697,
        "email": "csd@example.org",
        "registry_id": "5012345",
    },
    {
        "name": "Zadruga Čebelica",
        "kind": "social_enterprise",
        "region": "Podravska",
        "municipality": "Ptuj",
        "latitude": 46.42,
        "longitude": 15.87,
        "description": 'Popravila; šivanje, "reuse".',
    },
    {
        "name": "Udruga Korak",
        "kind": "ngo",
        "country": "HR",
        "region": "Međimurska županija",
        "municipality": "Čakovec",
        "latitude": 46.3844,
        "longitude": 16.4339,
        "languages": "hr,en",
    },
]
COMPARED = (
    "name",
    "kind",
    "country",
    "region",
    "municipality",
    "latitude",
    "longitude",
    "email",
    "registry_id",
    "description",
    "languages",
)


async def _network(make_org) -> list[int]:
    from portal.organisations import services

    ids = [await make_org(**{"description": "", "registry_id": "", "email": "", **org}) for org in ORGS]
    await services.create_relationship(
        ids[0],
        ids[1],
        {
            "kind": "referral_agreement",
            "since": dt.date(2021, 3, 1),
            "until": None,
            "strength": 5,
            "note": "Tedenski sestanki",
        },
    )
    await services.create_relationship(
        ids[1],
        ids[2],
        {
            "kind": "project_partner",
            "since": dt.date(2017, 1, 1),
            "until": dt.date(2019, 12, 31),
            "strength": 3,
            "note": "",
        },
    )
    return ids


async def _contents() -> tuple[set, set]:
    orgs = {tuple(row[f] for f in COMPARED) for row in await Organisation.select()}
    ties = {
        (row["source.name"], row["target.name"], row["kind"], row["since"], row["until"], row["strength"], row["note"])
        for row in await Relationship.select(
            Relationship.source.name,
            Relationship.target.name,
            Relationship.kind,
            Relationship.since,
            Relationship.until,
            Relationship.strength,
            Relationship.note,
        )
    }
    return orgs, ties


async def _empty() -> None:
    await Relationship.delete(force=True)
    await Organisation.delete(force=True)


@pytest.mark.parametrize("name", ["network.xlsx", "network.zip"])
async def test_spreadsheet_round_trip_into_an_empty_database(make_org, tmp_path, name):
    await _network(make_org)
    before = await _contents()
    path = tmp_path / name
    await export_network(path, "xlsx" if name.endswith("xlsx") else "csv")
    await _empty()
    report = await import_spreadsheet(path)
    assert report.problems == []
    assert (report.organisations_added, report.relationships_added) == (3, 2)
    assert await _contents() == before
    again = await import_spreadsheet(path)  # importing again adds nothing
    assert (again.organisations_added, again.organisations_known, again.relationships_known) == (0, 3, 2)
    assert await _contents() == before


async def test_graph_formats_read_back_as_the_same_network(make_org, tmp_path):
    ids = await _network(make_org)
    for format, read in (("graphml", network.from_graphml), ("gexf", network.from_gexf)):
        await export_network(tmp_path / f"n.{format}", format)
        G = read(str(tmp_path / f"n.{format}"))
        assert sorted(G.nodes) == ids and G.number_of_edges() == 2
        assert G.nodes[ids[1]]["name"] == "Zadruga Čebelica" and G.edges[ids[0], ids[1]]["strength"] == 5
    await export_network(tmp_path / "n.json", "json")
    G = network.from_json(json.loads((tmp_path / "n.json").read_text()))
    assert sorted(G.nodes) == ids and G.edges[ids[1], ids[2]]["kinds"] == ["project_partner"]


def _workbook(path, elements, connections) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in (("Elements", elements), ("Connections", connections)):
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)


async def test_every_bad_row_is_reported_and_good_rows_are_kept(make_org, tmp_path):
    await make_org(name="CSD Ptuj", kind="social_work_centre", latitude=46.42, longitude=15.87)
    path = tmp_path / "mixed.xlsx"
    _workbook(
        path,
        [
            ["Label", "Type", "Country", "Region", "Municipality", "Latitude", "Longitude", "Email"],
            ["csd ptuj", "social_work_centre", "SI", "Podravska", "Ptuj", 46.42, 15.87, None],  # 2: known (case)
            ["Društvo Sonček", "ngo", "SI", "Podravska", "Ptuj", 46.41, 15.88, None],  # 3: good
            ["Firma X", "spaceship", "SI", "Podravska", "Ptuj", None, None, None],  # 4: bad kind (reader)
            ["Zavod Nikjer", "ngo", "SI", "Atlantida", "Ptuj", None, None, None],  # 5: unknown region (form rules)
            ["Zadruga Brez pošte", "social_enterprise", "SI", "Podravska", "Ptuj", 46.4, 15.9, "not-an-email"],  # 6
            ["DRUSTVO SONCEK", "ngo", "SI", "Podravska", "Ptuj", None, None, None],  # 7: same as row 3, folded
        ],
        [
            ["From", "To", "Type", "Strength", "Note"],
            ["CSD Ptuj", "Društvo Sonček", "cooperation", 4, "good"],  # 2: good
            ["CSD Ptuj", "Zavod Nikjer", "cooperation", None, None],  # 3: its element has errors
            ["CSD Ptuj", "Društvo Sonček", "funding", 9, None],  # 4: bad strength (reader)
            ["Firma X", "Društvo Sonček", "cooperation", None, None],  # 5: element left out by the reader
            ["DRUSTVO SONCEK", "CSD Ptuj", "membership", None, "x" * 1001],  # 6: note too long (form rules)
            ["DRUSTVO SONCEK", "CSD Ptuj", "funding", 2, None],  # 7: good, to the organisation of row 3
        ],
    )
    report = await import_spreadsheet(path)
    where = {(p["sheet"], p["row"], p["column"]) for p in report.problems}
    assert where == {
        ("Elements", 4, "Type"),
        ("Elements", 5, "Region"),
        ("Elements", 6, "Email"),
        ("Connections", 3, "To"),
        ("Connections", 4, "Strength"),
        ("Connections", 5, "From"),
        ("Connections", 6, "Note"),
    }
    assert all(p["message"] for p in report.problems)
    names = sorted(row["name"] for row in await Organisation.select(Organisation.name))
    assert names == ["CSD Ptuj", "Društvo Sonček"]
    assert (report.organisations_added, report.organisations_known) == (1, 1)
    ties = await Relationship.select(
        Relationship.source.name, Relationship.target.name, Relationship.kind, Relationship.strength, Relationship.note
    )
    assert sorted((t["source.name"], t["target.name"], t["kind"], t["strength"]) for t in ties) == [
        ("CSD Ptuj", "Društvo Sonček", "cooperation", 4),
        ("Društvo Sonček", "CSD Ptuj", "funding", 2),
    ]


def test_the_commands(command_db, tmp_path):
    runner = CliRunner()
    _workbook(
        tmp_path / "in.xlsx",
        [
            ["Label", "Type", "Country", "Region", "Municipality"],
            ["Društvo Sonček", "ngo", "SI", "Podravska", "Ptuj"],
            ["Zadruga", "social_enterprise", "SI", "Podravska", "Ptuj"],
            ["Bad", "ngo", "XX", "", ""],
        ],
        [["From", "To", "Type"], ["Društvo Sonček", "Zadruga", "cooperation"]],
    )
    result = runner.invoke(main, ["network", "import", str(tmp_path / "in.xlsx")])
    assert result.exit_code == 1, result.output
    assert "Elements, row 4, column Country" in result.stderr
    assert "organisations: 2 added" in result.stdout and "relationships: 1 added" in result.stdout
    for format in ("graphml", "gexf", "json", "xlsx"):
        result = runner.invoke(main, ["network", "export", "--format", format, str(tmp_path / f"out.{format}")])
        assert result.exit_code == 0, result.output
        assert "2 organisations" in result.stdout
    result = runner.invoke(main, ["network", "import", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 0 and "0 added, 2 already known" in result.stdout
    result = runner.invoke(main, ["network", "recompute"])
    assert result.exit_code == 0 and "network computed" in result.stdout
    assert runner.invoke(main, ["network", "import", str(tmp_path / "nothing.txt")]).exit_code == 2


async def test_a_large_import_is_written_in_batches_with_progress_and_a_tie_to_itself_is_reported(db, tmp_path):
    from portal.network import transfer

    count = transfer.BATCH * 2 + 7  # three batches of organisations, the names folding to few slugs
    elements = [["Label", "Type", "Country", "Region", "Municipality"]]
    elements += [[f"Zadruga {'Č' if n % 2 else 'C'}ebela {n // 2}", "ngo", "SI", "Podravska", "Ptuj"] for n in range(2)]
    elements += [[f"Društvo {n}", "ngo", "SI", "Podravska", "Ptuj"] for n in range(count)]
    connections = [["From", "To", "Type"]]
    connections += [[f"Društvo {n}", f"Društvo {(n + 1) % count}", "cooperation"] for n in range(count)]
    connections += [["Zadruga Čebela 0", "Zadruga Cebela 0", "cooperation"]]  # one organisation, two spellings
    path = tmp_path / "large.xlsx"
    _workbook(path, elements, connections)
    seen: list[tuple[str, int, int]] = []
    report = await import_spreadsheet(path, lambda what, done, of: seen.append((what, done, of)))
    assert [(p["row"], p["column"]) for p in report.problems] == [(count + 2, "To")]
    assert (report.organisations_added, report.relationships_added) == (count + 1, count)
    assert await Organisation.count() == count + 1 and await Relationship.count() == count
    written = [done for what, done, of in seen if what == "organisations written"]
    assert written == [transfer.BATCH, 2 * transfer.BATCH, count + 1]
    slugs = [row["slug"] for row in await Organisation.select(Organisation.slug)]
    assert len(set(slugs)) == len(slugs)
    ring = await Relationship.select(Relationship.source.name, Relationship.target.name)
    assert ("Društvo 0", "Društvo 1") in {(r["source.name"], r["target.name"]) for r in ring}


async def test_a_failure_while_writing_leaves_nothing_behind(db, tmp_path, monkeypatch):
    from portal.network import transfer

    elements = [["Label", "Type", "Country", "Region", "Municipality"]]
    elements += [[f"Društvo {n}", "ngo", "SI", "Podravska", "Ptuj"] for n in range(transfer.BATCH + 1)]
    path = tmp_path / "broken.xlsx"
    _workbook(path, elements, [["From", "To", "Type"], ["Društvo 0", "Društvo 1", "cooperation"]])
    real = Relationship.insert

    def disk_full(*rows):
        raise OSError("disk full")

    monkeypatch.setattr(Relationship, "insert", disk_full)
    with pytest.raises(OSError):
        await import_spreadsheet(path)
    monkeypatch.setattr(Relationship, "insert", real)
    assert await Organisation.count() == 0 and await Relationship.count() == 0


async def test_organisations_sharing_a_name_export_and_are_never_confused_on_import(make_org, tmp_path):
    """Two centres of one name (common in real registers): the spreadsheet names them by ID; importing it
    back cannot tell which of the portal's two a row means, so their rows are reported, never guessed."""
    from portal.organisations import services

    ids = await _network(make_org)
    split = [
        await make_org(
            name="Centar za socijalnu skrb Split", kind="social_work_centre", country="HR", municipality=town
        )
        for town in ("Split", "Kaštela")
    ]
    tie = {"kind": "cooperation", "since": None, "until": None, "strength": 3, "note": ""}
    await services.create_relationship(ids[2], split[1], tie)
    before = await _contents()
    path = tmp_path / "network.xlsx"
    await export_network(path, "xlsx")
    organisations, relationships, errors = network.read_spreadsheet(path)
    assert errors == [] and len(organisations) == 5 and len(relationships) == 3
    assert (ids[2], split[1]) in {(r["source"], r["target"]) for r in relationships}

    report = await import_spreadsheet(path)
    assert (report.organisations_added, report.organisations_known, report.relationships_added) == (0, 3, 0)
    assert [(p["sheet"], p["column"]) for p in report.problems] == [
        ("Elements", "Label"),
        ("Elements", "Label"),
        ("Connections", "To"),
    ]
    assert "2 organisations in the portal are called 'Centar za socijalnu skrb Split'" in report.problems[0]["message"]
    assert await _contents() == before
