"""Names with "Đ": "djurdja", "durdja" and "đurđa" all find "Đurđa", in the caseload and in the team picker."""

from __future__ import annotations

import importlib

from portal.db.tables import Participant
from portal.text import fold
from tests.fixtures import login
from tests.flows import open_case

QUERIES = ("djurdja", "durdja", "Đurđa", "DJURDJA", "durda", "djurđa kovac")


def test_folding_names_reads_dj_as_d():
    names = ("Đurđa Kovač", "Djurdja Kovac", "Durdja kovac")
    assert {fold(name, dj_as_d=True) for name in names} == {"durda kovac"}
    assert fold("Petrović", dj_as_d=True) == "petrovic"
    assert fold("Djurdja") == "djurdja"  # only names read "dj" as "d"


async def test_the_caseload_finds_durdja_however_it_is_typed(client, make_user, make_org):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    written = await open_case(client, first_name="Đurđa", last_name="Kovač")
    typed = await open_case(client, first_name="Djurdja", last_name="Horvat")
    other = await open_case(client, first_name="Dunja", last_name="Babić")
    codes = {
        pid: (await Participant.select(Participant.code).where(Participant.id == pid).first())["code"]
        for pid in (written, typed, other)
    }
    for q in QUERIES:
        page = (await client.get("/cases/", params={"q": q})).text
        assert codes[written] in page, q
        assert codes[other] not in page, q
        if "kovac" not in q:
            assert codes[typed] in page, q


async def test_the_team_picker_finds_durdja_by_dj_or_d(client, make_user, make_org):
    centre = await make_org(name="Centre", kind="social_work_centre")
    await make_user("ana", "counsellor", organisation_id=centre)
    await make_user("djurdja", "counsellor", organisation_id=centre, display_name="Đurđa Novak")
    await make_user("dunja", "counsellor", organisation_id=centre, display_name="Dunja Babić")
    await login(client, "ana")
    case = await open_case(client)
    for q in ("djurdja", "durdja", "đurđa novak"):
        found = await client.get(f"/cases/{case}/team-choices", params={"team_q": q}, headers={"HX-Request": "true"})
        assert "Đurđa Novak" in found.text and "Dunja" not in found.text, q


async def test_the_migration_refolds_names_kept_the_old_way(client, make_user):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    case = await open_case(client, first_name="Djurdja", last_name="Horvat")
    await Participant.update({Participant.name_search: "djurdja horvat"}).where(Participant.id == case)  # as before
    migration = importlib.import_module("portal.db.migrations.portal_2026_12_02t14_50_00_000000")
    manager = await migration.forwards()
    for raw in manager.raw:
        await raw()
    row = await Participant.select(Participant.name_search).where(Participant.id == case).first()
    assert row["name_search"] == fold("Djurdja Horvat", dj_as_d=True) == "durda horvat"
