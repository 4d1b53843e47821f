"""The public HSDS download: the newest finished, unexpired copy built for the public, never one built in the request."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from portal.clock import utc_now
from portal.db.tables import ExportFile
from portal.downloads import exports
from tests.fixtures import login
from tests.flows import ask_export

URL = "/organisations/export.hsds.zip"


async def _network(make_org) -> None:
    await make_org(name="Zadruga Prenos", contact_person="Vodja Ana")
    await make_org(name="Centar za socijalnu skrb Čakovec", kind="social_work_centre", country="HR")


async def _copy(owner: int, content: bytes, *, status: str = "done", age: dt.timedelta = dt.timedelta(0)) -> int:
    """A public copy asked for ``age`` ago (expired once ``age`` passes exports.KEPT)."""
    asked = utc_now() - age
    rows = await ExportFile.insert(
        ExportFile(
            requested_by=owner,
            kind=exports.PUBLIC_HSDS,
            format="zip",
            status=status,
            error="",
            created_at=asked,
            finished_at=asked if status == "done" else None,
            expires_at=asked + exports.KEPT,
            filename=f"directory-hsds-{len(content)}.zip",
            size=len(content) if status == "done" else 0,
            content=content if status == "done" else None,
        )
    ).returning(ExportFile.id)
    return rows[0]["id"]


async def test_anyone_gets_the_newest_public_copy_without_contact_persons(client, make_org, make_user):
    await _network(make_org)
    owner = await make_user("coord", "coordinator")
    await login(client, "coord")
    public_id = await ask_export(client, exports.PUBLIC_HSDS, "zip")
    built = (await client.get(f"/exports/{public_id}/download")).content
    await ask_export(client, "hsds", "zip")  # newer, but the staff copy with contact persons: never public

    client.cookies.clear()
    page = await client.get("/organisations/")
    assert f'href="{URL}"' in page.text and 'action="/exports/"' not in page.text
    response = await client.get(URL)
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith('attachment; filename="directory-hsds-')
    assert response.content == built
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert b"Zadruga Prenos" in archive.read("organizations.csv")
    assert b"Vodja Ana" not in b"".join(archive.read(name) for name in archive.namelist())

    # A newer finished copy (whoever asked for it) replaces it; one still being built does not.
    await _copy(owner, b"newer copy")
    await _copy(owner, b"", status="running")
    assert (await client.get(URL)).content == b"newer copy"


async def test_no_ready_copy_answers_404_with_a_message_and_builds_nothing(client, make_user):
    owner = await make_user("coord", "coordinator")
    for state in ("none", "running", "failed", "expired"):
        if state in ("running", "failed"):
            await _copy(owner, b"", status=state)
        elif state == "expired":
            await _copy(owner, b"expired copy", age=exports.KEPT + dt.timedelta(minutes=1))
        response = await client.get(URL)
        assert response.status_code == 404, state
        assert "The directory export is not available right now; try again later." in response.text, state
        assert b"expired copy" not in response.content
    assert await ExportFile.count() == 3  # the request built nothing and asked for nothing
