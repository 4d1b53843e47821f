"""Exports built by a job: asked for with a POST, followed on their page, downloaded only by their asker, expired."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import networkx as nx

from portal.clock import utc_now
from portal.db.tables import AuditEvent, ExportFile
from portal.downloads import exports, hsds
from portal.settings import get_settings
from tests.fixtures import csrf_token, login, post_form
from tests.flows import ask_export


async def _network(make_org) -> None:
    from portal.organisations import services

    host = await make_org(name="Zadruga Prenos", contact_person="Vodja Ana")
    other = await make_org(name="Centar za socijalnu skrb Čakovec", kind="social_work_centre", country="HR")
    await services.create_relationship(
        host, other, {"kind": "cooperation", "since": None, "until": None, "strength": 3, "note": ""}
    )


def _members(content: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: archive.read(name) for name in archive.namelist()}


async def test_a_coordinator_asks_for_the_hsds_export_and_downloads_what_the_builder_makes(client, make_org, make_user):
    await _network(make_org)
    await make_user("coord", "coordinator")
    await login(client, "coord")
    assert 'action="/exports/"' in (await client.get("/organisations/")).text

    export_id = await ask_export(client, "hsds", "zip")
    page = await client.get(f"/exports/{export_id}")
    assert page.status_code == 200
    assert f'href="/exports/{export_id}/download"' in page.text and "hx-get" not in page.text  # ready: no polling
    download = await client.get(f"/exports/{export_id}/download")
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert download.headers["content-disposition"].startswith('attachment; filename="directory-hsds-')
    assert int(download.headers["content-length"]) == len(download.content)

    ours = _members(download.content)
    path = await hsds.build_zip(get_settings().public_url, contact_persons=True)
    direct = _members(Path(path).read_bytes())
    os.unlink(path)
    assert set(ours) == set(direct) and {"organizations.csv", "services.csv", "datapackage.json"} <= set(ours)
    for name in ours:
        if name != "datapackage.json":  # its "created" stamp differs
            assert ours[name] == direct[name], name
    assert b"Vodja Ana" in ours["contacts.csv"]  # staff asked: contact persons included

    audit = await AuditEvent.select().where(AuditEvent.record_type == "export_file")
    assert [(row["action"], row["record_id"]) for row in audit] == [("export", export_id)]


async def test_network_exports_give_the_exporters_bytes_and_a_second_ask_reuses_the_first(client, make_org, make_user):
    await _network(make_org)
    await make_user("coord", "coordinator")
    await login(client, "coord")
    assert 'name="format" value="gexf"' in (await client.get("/network/")).text
    graphml_id = await ask_export(client, "network", "graphml")
    graphml = await client.get(f"/exports/{graphml_id}/download")
    assert graphml.content == await exports.build("network", "graphml")
    assert nx.read_graphml(io.BytesIO(graphml.content)).number_of_edges() == 1

    json_id = await ask_export(client, "network", "json")
    assert json_id != graphml_id
    assert (await client.get(f"/exports/{json_id}/download")).json()
    # Asked again at once: the ready file is given again, not built again (nor audited again).
    assert await ask_export(client, "network", "graphml") == graphml_id
    assert await ExportFile.count() == 2
    assert await AuditEvent.count().where(AuditEvent.record_type == "export_file") == 2
    listing = await client.get("/exports/")
    assert f'href="/exports/{graphml_id}/download"' in listing.text and f'href="/exports/{json_id}"' in listing.text


async def test_an_export_being_built_is_reused_and_its_page_polls(client, make_user):
    user_id = await make_user("coord", "coordinator")
    await login(client, "coord")
    now = utc_now()
    rows = await ExportFile.insert(
        ExportFile(
            requested_by=user_id, kind="network", format="gexf", status="running", error="", created_at=now,
            expires_at=now + exports.KEPT, filename="network.gexf", size=0, content=None,
        )
    ).returning(ExportFile.id)  # fmt: skip
    running = rows[0]["id"]
    assert await ask_export(client, "network", "gexf") == running
    page = await client.get(f"/exports/{running}")
    assert f'hx-get="/exports/{running}/status?polling=true"' in page.text and f'href="/exports/{running}"' in page.text
    assert (await client.get(f"/exports/{running}/download")).status_code == 404
    fragment = await client.get(f"/exports/{running}/status?polling=true", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="export-status"')
    # Without htmx the status route sends the reader to the page.
    assert (await client.get(f"/exports/{running}/status")).status_code == 303
    # A run older than any job may take is shown as failed and is not reused.
    await ExportFile.update({ExportFile.created_at: now - dt.timedelta(hours=2)}).where(ExportFile.id == running)
    assert "The export failed" in (await client.get(f"/exports/{running}")).text
    assert await ask_export(client, "network", "gexf") != running


async def test_only_the_asker_and_admins_see_an_export(client, make_org, make_user):
    await _network(make_org)
    await make_user("coord", "coordinator")
    await make_user("other", "coordinator")
    await make_user("root", "admin")
    await login(client, "coord")
    export_id = await ask_export(client, "network", "json")

    client.cookies.clear()
    await login(client, "other")
    for path in (f"/exports/{export_id}", f"/exports/{export_id}/download"):
        assert (await client.get(path)).status_code == 404
    assert f"/exports/{export_id}" not in (await client.get("/exports/")).text

    client.cookies.clear()
    await login(client, "root")
    assert (await client.get(f"/exports/{export_id}/download")).status_code == 200


async def test_roles_other_than_managers_are_refused(client, make_user):
    for role in ("counsellor", "enterprise", "employer"):
        await make_user(role, role)
        client.cookies.clear()
        await login(client, role)
        response = await post_form(client, "/exports", {"kind": "hsds", "format": "zip"})
        assert response.status_code in (401, 403), role
        assert (await client.get("/exports/")).status_code in (401, 403)
        assert 'action="/exports/"' not in (await client.get("/network/")).text
    assert await ExportFile.count() == 0
    client.cookies.clear()
    response = await client.post("/exports", data={"_csrf_token": await csrf_token(client, "/")})
    assert response.status_code in (401, 403) or response.headers["location"].startswith("/login")


async def test_bad_asks_change_nothing(client, make_user):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    for form in ({"kind": "hsds", "format": "pdf"}, {"kind": "cases", "format": "csv"}, {}):
        response = await post_form(client, "/exports", form)
        assert response.status_code == 422 and "Choose one of the exports" in response.text
    # Without the CSRF token nothing is asked for.
    assert (await client.post("/exports", data={"kind": "hsds", "format": "zip"})).status_code == 403
    assert await ExportFile.count() == 0


async def test_an_expired_export_is_gone_and_retention_removes_it(client, make_org, make_user):
    from portal.privacy.retention import run_retention

    await _network(make_org)
    await make_user("coord", "coordinator")
    await login(client, "coord")
    export_id = await ask_export(client, "network", "xlsx")
    assert (await client.get(f"/exports/{export_id}/download")).status_code == 200
    report = await run_retention(utc_now(), dry_run=False)
    assert report.limits["expired_exports"] == 0 and await ExportFile.count() == 1

    await ExportFile.update({ExportFile.expires_at: utc_now() - dt.timedelta(minutes=1)}).where(
        ExportFile.id == export_id
    )
    assert (await client.get(f"/exports/{export_id}/download")).status_code == 404
    assert "This export has expired" in (await client.get(f"/exports/{export_id}")).text
    assert f"/exports/{export_id}" not in (await client.get("/exports/")).text
    # An expired file is never reused: asking again builds a new one.
    assert await ask_export(client, "network", "xlsx") != export_id
    report = await run_retention(utc_now(), dry_run=False)
    assert report.limits["expired_exports"] == 1
    assert await ExportFile.count().where(ExportFile.id == export_id) == 0


async def test_a_failed_build_is_shown_on_its_page(client, make_user, monkeypatch):
    await make_user("coord", "coordinator")
    await login(client, "coord")

    async def broken(kind: str, format: str) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr(exports, "build", broken)
    export_id = await ask_export(client, "network", "gexf")
    page = await client.get(f"/exports/{export_id}")
    assert "disk full" in page.text and 'role="alert"' in page.text
    assert (await client.get(f"/exports/{export_id}/download")).status_code == 404


async def test_a_big_file_is_read_back_in_pieces(db, make_user, monkeypatch):
    """The download reads the bytes a chunk at a time (substr on bytea and blob) and joins them exactly."""
    user_id = await make_user("coord", "coordinator")
    content = bytes(range(256)) * 50 + b"\x00tail"
    now = utc_now()
    rows = await ExportFile.insert(
        ExportFile(
            requested_by=user_id, kind="network", format="json", status="done", error="", created_at=now,
            finished_at=now, expires_at=now + exports.KEPT, filename="n.json", size=len(content), content=content,
        )
    ).returning(ExportFile.id)  # fmt: skip
    monkeypatch.setattr(exports, "CHUNK", 1000)
    pieces = [piece async for piece in exports.chunks(rows[0]["id"], len(content))]
    assert len(pieces) == 13 and b"".join(pieces) == content
