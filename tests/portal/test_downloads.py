"""Downloads: the directory (CSV, XLSX, HSDS checked against the published schema), caseloads, referrals, network.

The HSDS and network files are built by a job (tests/portal/test_export_jobs.py has the job's own rules).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import sys
import uuid
import zipfile
from pathlib import Path

import networkx as nx
import openpyxl
import pytest

from portal.auth.current_user import CurrentUser
from portal.db.tables import AuditEvent, Organisation, Participant, Referral
from portal.downloads import hsds
from portal.downloads.directory import organisation_batches
from portal.downloads.tables import safe_text
from portal.settings import get_settings
from tests.factories import CAKOVEC, PTUJ, make_opportunity_at
from tests.fixtures import login
from tests.flows import ask_export

HSDS = Path("/work/shared/data/hsds")


def _csv(response) -> list[list[str]]:
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
async def directory(make_org, make_user):
    host = await make_org(
        name="Zadruga Prenos", latitude=PTUJ[0], longitude=PTUJ[1], contact_person="Vodja Ana", phone="+386 2 555 00 01"
    )
    csd = await make_org(
        name="Centar za socijalnu skrb Čakovec",
        kind="social_work_centre",
        country="HR",
        region="Međimurska županija",
        municipality="Čakovec",
        latitude=CAKOVEC[0],
        longitude=CAKOVEC[1],
        address="",
        description="",
        contact_person="",
    )
    sneaky = await make_org(name='=HYPERLINK("http://evil.example")', kind="ngo")
    creator = await make_user("poster", "enterprise", organisation_id=host)
    here = await make_opportunity_at(host, creator, "Popravila koles", PTUJ)
    elsewhere = await make_opportunity_at(host, creator, "Delo na terenu", CAKOVEC)
    draft = await make_opportunity_at(host, creator, "Skrivni osnutek", PTUJ, status="draft")
    return {"host": host, "csd": csd, "sneaky": sneaky, "here": here, "elsewhere": elsewhere, "draft": draft}


# --- the directory as CSV and XLSX ---------------------------------------------------------------


async def test_directory_csv_has_the_lists_filters_and_hides_contact_persons_from_visitors(client, directory):
    rows = _csv(await client.get("/organisations/export", params={"format": "csv"}))
    header, body = rows[0], rows[1:]
    assert "Contact person" not in header and "Name" in header
    names = {row[header.index("Name")] for row in body}
    assert {"Zadruga Prenos", "Centar za socijalnu skrb Čakovec"} <= names and len(body) == 3
    # A cell a spreadsheet would run as a formula is written as text.
    assert '\'=HYPERLINK("http://evil.example")' in names
    assert "Vodja Ana" not in (await client.get("/organisations/export")).text

    filtered = _csv(await client.get("/organisations/export", params={"kind": "social_work_centre", "q": "cakovec"}))
    assert [row[1] for row in filtered[1:]] == ["Centar za socijalnu skrb Čakovec"]
    assert filtered[1][filtered[0].index("Kind")] == "Social work centre"


async def test_directory_xlsx_opens_and_shows_contact_persons_to_members(client, directory, make_user):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    response = await client.get("/organisations/export", params={"format": "xlsx", "country": "SI"})
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    rows = _xlsx(response)
    header = rows[0]
    assert "Contact person" in header
    by_name = {row[header.index("Name")]: row for row in rows[1:]}
    assert "Centar za socijalnu skrb Čakovec" not in by_name  # HR
    assert by_name["Zadruga Prenos"][header.index("Contact person")] == "Vodja Ana"
    assert by_name["Zadruga Prenos"][header.index("Phone")] == "+386 2 555 00 01"
    assert by_name['\'=HYPERLINK("http://evil.example")'][header.index("Kind")] == "NGO"


async def test_a_wrong_format_is_refused(client, directory):
    assert (await client.get("/organisations/export", params={"format": "pdf"})).status_code == 400


async def test_organisations_are_read_in_batches_by_id(db, make_org):
    ids = [await make_org(name=f"Org {n}") for n in range(5)]
    batches = [batch async for batch in organisation_batches([], (Organisation.id,), batch=2)]
    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert [row["id"] for batch in batches for row in batch] == sorted(ids)


def test_formula_cells_are_neutralised():
    assert safe_text("=1+1") == "'=1+1" and safe_text("@SUM(A1)") == "'@SUM(A1)" and safe_text("-x") == "'-x"
    assert safe_text("+386 2 555") == "+386 2 555" and safe_text("-5") == "-5" and safe_text("Ptuj") == "Ptuj"
    assert safe_text("+386 (0)2 555-12/3") == "+386 (0)2 555-12/3" and safe_text("-0.5") == "-0.5"


def test_a_formula_starting_with_a_digit_is_neutralised_too():
    # A sign then a digit is a formula all the same ("+1+cmd|..." runs in a spreadsheet program); only a value
    # that is a number or a phone number as a whole stays as it is.
    assert safe_text("+1+cmd|' /C calc'!A0") == "'+1+cmd|' /C calc'!A0"
    assert safe_text('-2+3+HYPERLINK("http://evil.example")') == '\'-2+3+HYPERLINK("http://evil.example")'
    assert safe_text("+1 386 SUM(A1:A9)") == "'+1 386 SUM(A1:A9)"


# --- HSDS --------------------------------------------------------------------------------------------


def _read_package(archive: zipfile.ZipFile) -> dict[str, list[dict[str, str]]]:
    return {
        name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
        for name in archive.namelist()
        if name.endswith(".csv")
    }


def _check_hsds(files: dict[str, bytes]) -> dict[str, list[dict[str, str]]]:
    """Check an export against the published HSDS 3.0 tabular package; return the tables by resource name."""
    published = json.loads((HSDS / "datapackage.json").read_text())
    resources = {r["name"]: r for r in published["resources"]}
    ours = json.loads(files["datapackage.json"])
    assert ours["profile"] == "tabular-data-package" and ours["version"] == "3.0.0"
    tables: dict[str, list[dict[str, str]]] = {}
    for resource in ours["resources"]:
        spec = resources[resource["name"]]
        assert resource["path"] == spec["path"]
        text = files[spec["path"]].decode("utf-8")
        reader = csv.DictReader(io.StringIO(text))
        names = [field["name"] for field in spec["schema"]["fields"]]
        assert reader.fieldnames == names, spec["path"]  # every field, HSDS's names and order
        rows = list(reader)
        tables[resource["name"]] = rows
        schema = json.loads((HSDS / f"{resource['name']}.json").read_text())
        for row in rows:
            for field in spec["schema"]["fields"]:
                value = row[field["name"]]
                constraints = field.get("constraints", {})
                if constraints.get("required"):
                    assert value != "", (spec["path"], field["name"], row)
                if value == "":
                    continue
                if field.get("format") == "uuid":
                    assert str(uuid.UUID(value)) == value
                if field["type"] == "number":
                    float(value)
                if field.get("format") == "email":
                    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value), value
                if field.get("format") == "uri":
                    assert value.startswith(("http://", "https://")), value
                if field["type"] == "datetime":
                    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value), value
                if "enum" in constraints:
                    assert value in constraints["enum"], (field["name"], value)
            for name in schema.get("required", []):
                assert row.get(name), (resource["name"], name)
        ids = [row["id"] for row in rows]
        assert len(ids) == len(set(ids)), f"{spec['path']}: ids repeat"
    for resource in ours["resources"]:
        for key in resources[resource["name"]]["schema"].get("foreignKeys", []):
            target = key["reference"]["resource"]
            if target not in tables:
                continue
            known = {row["id"] for row in tables[target]}
            for row in tables[resource["name"]]:
                value = row[key["fields"]]
                assert value == "" or value in known, (resource["name"], key["fields"], value)
    return tables


async def test_hsds_export_matches_the_published_schema(client, directory, make_user, tmp_path):
    # The public audience's tables (no contact persons), as write_package makes them.
    await hsds.write_package(tmp_path, get_settings().public_url, contact_persons=False)
    tables = _check_hsds({path.name: path.read_bytes() for path in tmp_path.iterdir()})
    assert {"organization", "service", "location", "address", "phone", "contact", "service_at_location"} <= set(tables)
    organisations = {row["name"]: row for row in tables["organization"]}
    assert len(organisations) == 3
    # HSDS requires a description: an organisation without one is described by its kind and place.
    assert organisations["Centar za socijalnu skrb Čakovec"]["description"].startswith("Social work centre, Čakovec")
    services = {row["name"]: row for row in tables["service"]}
    assert set(services) == {"Popravila koles", "Delo na terenu"}  # open opportunities only
    host = organisations["Zadruga Prenos"]["id"]
    assert {row["organization_id"] for row in services.values()} == {host}
    locations = {row["id"]: row for row in tables["location"]}
    at = {row["service_id"]: locations[row["location_id"]] for row in tables["service_at_location"]}
    assert at[services["Popravila koles"]["id"]]["name"] == "Zadruga Prenos"  # at the organisation's own place
    assert at[services["Delo na terenu"]["id"]]["name"] == "Delo na terenu"  # a place of its own, in Čakovec
    assert float(at[services["Delo na terenu"]["id"]]["latitude"]) == CAKOVEC[0]
    assert [row["number"] for row in tables["phone"] if row["organization_id"] == host] == ["+386 2 555 00 01"]
    # Čakovec's centre has no street address: no address row (HSDS requires address_1).
    assert len(tables["address"]) == 2
    # Visitors never see contact persons.
    assert tables["contact"] == []

    # A coordinator's export, built by a job and downloaded from its page, holds contact persons.
    await make_user("coord", "coordinator")
    await login(client, "coord")
    response = await client.get(f"/exports/{await ask_export(client, 'hsds', 'zip')}/download")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    members = _check_hsds({name: archive.read(name) for name in archive.namelist()})
    assert "Vodja Ana" in {row["name"] for row in members["contact"]}
    # The same organisation keeps its id from one export to the next.
    assert {row["id"] for row in tables["organization"]} < {row["id"] for row in members["organization"]}


async def test_the_cli_writes_hsds_tables_into_a_folder(directory, tmp_path):
    folder = tmp_path / "hsds"
    portal = Path(sys.executable).parent / "portal"
    process = await asyncio.create_subprocess_exec(
        str(portal), "directory", "export", "--format", "hsds", str(folder),
        env={**os.environ}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert "3 organization" in out.decode()
    tables = _check_hsds({path.name: path.read_bytes() for path in folder.iterdir()})
    assert "Vodja Ana" in {row["name"] for row in tables["contact"]}  # the operator's export
    assert len(tables["service"]) == 2


# --- caseload and referrals ---------------------------------------------------------------------


async def _case(lead_id: int, username: str, organisation_id: int, first_name: str) -> int:
    from portal.cases import services

    lead = CurrentUser(lead_id, username, username, "counsellor", organisation_id, "Org", "en")
    values = {
        "first_name": first_name, "last_name": "Novak", "birth_year": 1980, "phone": "", "email": "", "address": "",
        "region": "Podravska", "municipality": "Ptuj", "latitude": None, "longitude": None, "languages": "sl",
        "education_level": "primary", "skills": "[]", "interests": "", "hours_per_week": 20, "travel_km": 20,
        "support_needs": "", "available_from": None,
    }  # fmt: skip
    return await services.create_case(lead, values)


async def _codes(ids: list[int]) -> set[str]:
    rows = await Participant.select(Participant.code).where(Participant.id.is_in(ids))
    return {row["code"] for row in rows}


async def test_caseload_download_holds_only_the_users_own_cases_and_is_audited(client, make_org, make_user):
    office = await make_org(name="CSD Ptuj", kind="social_work_centre")
    ana = await make_user("ana", "counsellor", organisation_id=office)
    bojan = await make_user("bojan", "counsellor", organisation_id=office)
    mine = [await _case(ana, "ana", office, "Mojca"), await _case(ana, "ana", office, "Janez")]
    theirs = await _case(bojan, "bojan", office, "Tina")
    await login(client, "ana")
    listed = await client.get("/cases/")
    assert 'href="/cases/export?' in listed.text

    rows = _csv(await client.get("/cases/export", params={"format": "csv"}))
    assert rows[0][0] == "Code"
    assert {row[0] for row in rows[1:]} == await _codes(mine)
    assert not ({row[0] for row in rows[1:]} & await _codes([theirs]))
    assert all("Mojca" not in cell and "Novak" not in cell for row in rows for cell in row)  # never a name
    events = await AuditEvent.select().where(AuditEvent.action == "export")
    assert sorted(event["record_id"] for event in events) == sorted(mine)
    assert {event["username"] for event in events} == {"ana"} and {e["record_type"] for e in events} == {"participant"}

    # A search by name narrows the rows, still by code only; the XLSX is the same table.
    sheet = _xlsx(await client.get("/cases/export", params={"format": "xlsx", "q": "Mojca"}))
    assert [row[0] for row in sheet[1:]] == sorted(await _codes(mine[:1]))
    assert sheet[1][5] == "Lead counsellor"
    assert await AuditEvent.count().where(AuditEvent.action == "export") == 3
    # The link on the list carries its filters (an empty one left out: "overdue=" would be refused).
    listed = await client.get("/cases/", params={"stage": "intake"})
    link = re.search(r'href="(/cases/export\?[^"]*format=csv)"', listed.text).group(1).replace("&amp;", "&")
    assert "stage=intake" in link and "overdue" not in link
    assert {row[0] for row in _csv(await client.get(link))[1:]} == await _codes(mine)  # new cases are at intake
    overdue = _csv(await client.get("/cases/export", params={"overdue": "true"}))
    assert overdue[1:] == []  # no plan step is overdue


async def test_referrals_inbox_download_holds_only_the_organisations_referrals(client, make_org, make_user):
    office = await make_org(name="CSD Ptuj", kind="social_work_centre")
    ana = await make_user("ana", "counsellor", organisation_id=office)
    host = await make_org(name="Zadruga Gostitelj")
    other = await make_org(name="Druga zadruga")
    await make_user("host-user", "enterprise", organisation_id=host)
    ours = await make_opportunity_at(host, ana, "Pri nas", PTUJ)
    not_ours = await make_opportunity_at(other, ana, "Drugje", PTUJ)
    people = [await _case(ana, "ana", office, name) for name in ("Mojca", "Janez", "Tina")]
    for person, place, status in (
        (people[0], ours, "sent"),
        (people[1], ours, "proposed"),
        (people[2], not_ours, "sent"),
    ):
        await Referral.insert(
            Referral(participant=person, opportunity=place, referred_by=ana, message="", status=status, reason="")
        )
    await login(client, "host-user")
    rows = _csv(await client.get("/referrals/inbox/export"))
    assert [row[2] for row in rows[1:]] == ["Pri nas"]  # proposals stay private; other hosts' not here
    assert rows[1][1] in await _codes(people[:1]) and rows[1][3] == "Sent"
    events = await AuditEvent.select().where(AuditEvent.action == "export")
    assert [event["record_id"] for event in events] == people[:1]
    sheet = _xlsx(await client.get("/referrals/inbox/export", params={"format": "xlsx", "status": "declined"}))
    assert len(sheet) == 1  # the header only


# --- the network ---------------------------------------------------------------------------------


async def test_network_downloads_for_coordinators(client, directory, make_user):
    from portal.organisations import services

    await services.create_relationship(
        directory["host"],
        directory["csd"],
        {"kind": "cooperation", "since": None, "until": None, "strength": 3, "note": ""},
    )
    await make_user("coord", "coordinator")
    await login(client, "coord")
    assert 'name="format" value="gexf"' in (await client.get("/network/")).text

    async def fetched(format_: str):
        response = await client.get(f"/exports/{await ask_export(client, 'network', format_)}/download")
        assert response.status_code == 200 and response.headers["content-disposition"].startswith("attachment;")
        return response

    graph = nx.read_graphml(io.BytesIO((await fetched("graphml")).content))
    assert graph.number_of_nodes() == 4 and graph.number_of_edges() == 1
    assert "Zadruga Prenos" in {data.get("name") or data.get("label") for _, data in graph.nodes(data=True)}
    assert nx.read_gexf(io.BytesIO((await fetched("gexf")).content)).number_of_edges() == 1
    assert (await fetched("json")).json()
    book = openpyxl.load_workbook(io.BytesIO((await fetched("xlsx")).content))
    assert {"Elements", "Connections"} <= set(book.sheetnames)
    assert book["Elements"].max_row == 5 and book["Connections"].max_row == 2


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
async def test_the_cli_writes_the_directory_as_one_file(directory, tmp_path, format_):
    target = tmp_path / f"directory.{format_}"
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "portal"), "directory", "export", "--format", format_, str(target),
        env={**os.environ}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert out.decode().startswith("3 organisations written")
    if format_ == "csv":
        rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    else:
        rows = [
            list(r) for r in openpyxl.load_workbook(target, read_only=True).worksheets[0].iter_rows(values_only=True)
        ]
    assert rows[0][-1] == "Contact person" and len(rows) == 4
    assert "Vodja Ana" in {row[-1] for row in rows[1:]}


async def test_the_caseloads_page_links_work_without_the_overdue_filter(client, make_org, make_user):
    office = await make_org(name="CSD Ptuj", kind="social_work_centre")
    ana = await make_user("ana", "counsellor", organisation_id=office)
    for n in range(26):  # more than a page of 25
        await _case(ana, "ana", office, f"Oseba{n}")
    await login(client, "ana")
    listed = (await client.get("/cases/")).text
    following = re.search(r'href="(/cases/\?[^"]*page=2)"', listed).group(1).replace("&amp;", "&")
    assert "overdue" not in following
    assert (await client.get(following)).status_code == 200
