"""Exports built by a job: asked for with a POST, followed on their page, downloaded only by their asker, expired."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import zipfile
from pathlib import Path

import networkx as nx

from portal.clock import utc_now
from portal.db.tables import AuditEvent, ExportFile, PortalUser
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
    assert "The process building it ended before it finished." in (await client.get(f"/exports/{running}")).text
    assert await ask_export(client, "network", "gexf") != running
    # The hourly clean-up writes it down, as for every other run.
    from portal.jobs import functions

    assert (await functions.cleanup())["export_file"] == 1
    assert (await ExportFile.select(ExportFile.status).where(ExportFile.id == running).first())["status"] == "failed"


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
    await login(client, "coord")
    assert (await client.get(f"/exports/{export_id}/download")).status_code == 200
    page = await client.get(f"/exports/{export_id}")
    assert "You and administrators can download it" in page.text and "Only you" not in page.text
    assert await AuditEvent.count().where(AuditEvent.detail.like("download%")) == 0  # the asker's own: not audited

    client.cookies.clear()
    await login(client, "root")
    assert (await client.get(f"/exports/{export_id}/download")).status_code == 200
    # An admin taking someone else's export is audited, naming whose it is.
    coord = (await PortalUser.select(PortalUser.id).where(PortalUser.username == "coord").first())["id"]
    root = (await PortalUser.select(PortalUser.id).where(PortalUser.username == "root").first())["id"]
    events = await AuditEvent.select().where(AuditEvent.detail.like("download%"))
    assert [(e["user"], e["action"], e["record_type"], e["record_id"]) for e in events] == [
        (root, "export", "export_file", export_id)
    ]
    assert events[0]["detail"] == f"download of the network export (json) asked for by user {coord}"


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


async def test_a_failed_build_is_shown_on_its_page(client, make_user, monkeypatch, caplog):
    await make_user("coord", "coordinator")
    await login(client, "coord")

    async def broken(kind: str, format: str) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr(exports, "build", broken)
    with caplog.at_level(logging.ERROR, logger="portal.downloads.exports"):
        export_id = await ask_export(client, "network", "gexf")
    page = await client.get(f"/exports/{export_id}")
    # The reader gets a plain message; the reason goes to the log, with the export's id.
    assert "disk full" not in page.text and 'role="alert"' in page.text
    assert "The export could not be built. The error was logged for the administrators" in page.text
    failed = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    assert len(failed) == 1 and f" {export_id} failed" in failed[0].getMessage()
    assert "disk full" in str(failed[0].exc_info[1])
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


async def test_counsellors_and_employers_cannot_download_the_network(client, make_org, make_user):
    """The network files (asked for from /network/) are for coordinators and admins: others may neither ask
    for them nor take one built for a coordinator."""
    await _network(make_org)
    await make_user("coord", "coordinator")
    await login(client, "coord")
    export_id = await ask_export(client, "network", "graphml")
    for role in ("counsellor", "employer"):
        await make_user(role, role)
        client.cookies.clear()
        await login(client, role)
        page = await client.get("/network/")
        assert "Coordinators and administrators can download the network." in page.text, role
        assert 'name="format" value="graphml"' not in page.text, role
        for format in ("graphml", "gexf", "json", "xlsx"):
            response = await post_form(client, "/exports", {"kind": "network", "format": format})
            assert response.status_code in (401, 403), (role, format)
        for path in (f"/exports/{export_id}", f"/exports/{export_id}/download"):
            assert (await client.get(path)).status_code in (401, 403), (role, path)
    assert await ExportFile.count() == 1


async def _public_rows() -> list[dict]:
    return (
        await ExportFile.select(
            ExportFile.id, ExportFile.requested_by, ExportFile.status, ExportFile.created_at, ExportFile.expires_at
        )
        .where(ExportFile.kind == exports.PUBLIC_HSDS)
        .order_by(ExportFile.id)
    )


async def _age(export_id: int, by: dt.timedelta) -> None:
    """Move an export's times ``by`` into the past, as if it had been asked for and built that long ago."""
    row = await ExportFile.select().where(ExportFile.id == export_id).first()
    changes = {ExportFile.created_at: row["created_at"] - by}
    if row["finished_at"] is not None:
        changes[ExportFile.finished_at] = row["finished_at"] - by
    await ExportFile.update(changes).where(ExportFile.id == export_id)


async def test_the_schedule_builds_the_public_copy_when_missing_and_again_each_night(client, make_org, monkeypatch):
    from croniter import croniter

    from portal.jobs import registry

    await _network(make_org)
    kind = registry.kind("public_hsds")
    assert kind.cron and kind.function() is exports.public_job
    assert (await client.get("/organisations/export.hsds.zip")).status_code == 404

    first = await exports.public_job()  # none yet: built (awaited under tests), owned by no one
    assert first["started"] and (await client.get("/organisations/export.hsds.zip")).status_code == 200
    assert [(r["id"], r["requested_by"], r["status"]) for r in await _public_rows()] == [
        (first["export"], None, "done")
    ]
    assert await exports.public_job() == {"export": first["export"], "started": False}  # fresh: nothing to do

    # Built before last night's moment: rebuilt. The previous copy is served until the new one is ready,
    # then it expires (the retention job removes it).
    last_night = croniter(exports.NIGHTLY, utc_now()).get_prev(dt.datetime)
    await _age(first["export"], utc_now() - last_night + dt.timedelta(minutes=1))
    served_meanwhile: list[int] = []
    real_build = exports.build

    async def watched(kind: str, format: str) -> bytes:
        served_meanwhile.append((await exports.newest_public())["id"])
        return await real_build(kind, format)

    monkeypatch.setattr(exports, "build", watched)
    second = await exports.public_job()
    assert second["started"] and second["export"] != first["export"]
    assert served_meanwhile == [first["export"]]
    assert (await exports.newest_public())["id"] == second["export"]
    rows = {r["id"]: r for r in await _public_rows()}
    assert rows[first["export"]]["expires_at"] <= utc_now() < rows[second["export"]]["expires_at"]

    # A failed nightly build keeps the last copy served and is retried after an hour, not every ten minutes.
    await _age(second["export"], utc_now() - last_night + dt.timedelta(minutes=1))

    async def broken(kind: str, format: str) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr(exports, "build", broken)
    third = await exports.public_job()
    assert third["started"] and (await exports.newest_public())["id"] == second["export"]
    assert await exports.public_job() == {"export": second["export"], "started": False}
    await _age(third["export"], exports.PUBLIC_RETRY_AFTER + dt.timedelta(minutes=1))
    monkeypatch.setattr(exports, "build", real_build)
    fourth = await exports.public_job()
    assert fourth["started"] and (await exports.newest_public())["id"] == fourth["export"]
    statuses = {r["id"]: r["status"] for r in await _public_rows()}
    assert statuses == {first["export"]: "done", second["export"]: "done", third["export"]: "failed",
                        fourth["export"]: "done"}  # fmt: skip
    assert [r["id"] for r in await _public_rows() if r["expires_at"] > utc_now()] == [fourth["export"]]


async def test_a_coordinators_button_asks_for_a_public_rebuild_now_owned_by_no_one(client, make_org, make_user):
    await _network(make_org)
    await make_user("coord", "coordinator")
    await make_user("other", "coordinator")
    await login(client, "coord")
    built = (await exports.public_job())["export"]
    # Just built: the button gives that copy again; later it builds a new one now (not waiting for the night).
    assert await ask_export(client, exports.PUBLIC_HSDS, "zip") == built
    await _age(built, exports.REUSED_FOR + dt.timedelta(minutes=1))
    rebuilt = await ask_export(client, exports.PUBLIC_HSDS, "zip")
    assert rebuilt != built
    assert [(r["id"], r["requested_by"]) for r in await _public_rows()] == [(built, None), (rebuilt, None)]
    audit = await AuditEvent.select().where(AuditEvent.record_type == "export_file")
    assert [(row["action"], row["record_id"]) for row in audit] == [("export", rebuilt)]

    # Public data: any coordinator sees the copy's page and its download; it is in nobody's own list.
    client.cookies.clear()
    await login(client, "other")
    page = await client.get(f"/exports/{rebuilt}")
    assert "This is a public copy of the directory" in page.text
    assert (await client.get(f"/exports/{rebuilt}/download")).status_code == 200
    listing = await client.get("/exports/")
    assert (
        "The public copy of the directory" in listing.text and 'href="/organisations/export.hsds.zip"' in listing.text
    )
    assert f'href="/exports/{rebuilt}/download"' not in listing.text


async def test_one_public_build_runs_at_a_time(db):
    """A second start while one runs (two web processes' schedules at once) is refused by the database;
    a build whose process died no longer counts."""
    now = utc_now()
    values = dict(kind=exports.PUBLIC_HSDS, format="zip", status="running", error="", created_at=now,
                  expires_at=now + exports.PUBLIC_KEPT, filename="p.zip", size=0, content=None)  # fmt: skip
    running = (await ExportFile.insert(ExportFile(**values)).returning(ExportFile.id))[0]["id"]
    try:
        await ExportFile.insert(ExportFile(**values))
    except Exception as exc:  # noqa: BLE001 (each engine raises its own class; the assertion checks it)
        assert exports._is_unique_violation(exc), exc
    else:
        raise AssertionError("a second running public build was stored")
    assert await exports.refresh_public(now=True) == (running, False)
    await ExportFile.update({ExportFile.created_at: now - exports.STALE_AFTER - dt.timedelta(minutes=1)}).where(
        ExportFile.id == running
    )
    # Its process died: it is written down as failed, and counts as a failed attempt for the schedule (which
    # waits an hour before trying again); the button builds at once.
    assert await exports.refresh_public(now=False) == (None, False)
    assert (await ExportFile.select(ExportFile.status).where(ExportFile.id == running).first())["status"] == "failed"
    export_id, started = await exports.refresh_public(now=True)
    assert started and export_id != running
