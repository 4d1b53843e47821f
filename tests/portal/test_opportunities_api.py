"""The opportunities API under /api/v1: the pages' rules, errors naming the field."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from portal.db.tables import Opportunity, Organisation
from portal.opportunities import services
from portal.skills import importer
from tests.fixtures import login, send_json

TEAM = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000001"
NEW = {
    "kind": "programme_place",
    "title": "Socialno gostinstvo: priprava obrokov",
    "sector": "food",
    "hours_per_week": 16,
    "capacity": 4,
    "required_skills": [{"label": "Teamwork"}, {"label": "peka kruha"}],
    "support_offered": ["mentor"],
    "languages": ["sl"],
    "status": "open",
}


async def add_opportunity(organisation_id: int, user_id: int, **overrides: Any) -> int:
    now = dt.datetime.now(dt.UTC)
    values: dict[str, Any] = {
        "kind": "work_trial",
        "title": "Pomočnik v kuhinji",
        "description": "",
        "required_skills": [],
        "optional_skills": [],
        "sector": "food",
        "country": "SI",
        "region": "Podravska",
        "municipality": "Ptuj",
        "latitude": None,
        "longitude": None,
        "hours_per_week": 20,
        "starts_on": None,
        "ends_on": None,
        "capacity": 4,
        "places_taken": 0,
        "support_offered": "",
        "languages": "sl",
        "status": "open",
        **overrides,
    }
    name = (await Organisation.select(Organisation.name).where(Organisation.id == organisation_id).first())["name"]
    search_text = services.search_text_for(values, name)
    values["required_skills"] = json.dumps(values["required_skills"])
    values["optional_skills"] = json.dumps(values["optional_skills"])
    row = Opportunity(
        **values,
        organisation=organisation_id,
        created_by=user_id,
        search_text=search_text,
        created_at=now,
        updated_at=now,
    )
    await row.save()
    return row.id


@pytest.fixture
async def own(make_org, make_user):
    """An enterprise in Celje with one user, "ent": (organisation id, user id)."""
    org_id = await make_org(name="Zavod Kuhna", region="Savinjska", municipality="Celje")
    return org_id, await make_user("ent", "enterprise", organisation_id=org_id)


async def test_list_shows_open_ones_with_filters_search_and_pages(client, own):
    org_id, user_id = own
    for n in range(3):
        await add_opportunity(org_id, user_id, title=f"Kuhinja {n}", sector="food")
    await add_opportunity(org_id, user_id, title="Šivalnica", sector="textiles", capacity=3, places_taken=1)
    await add_opportunity(org_id, user_id, title="Osnutek", status="draft")
    body = (await client.get("/api/v1/opportunities", params={"sector": "food", "per_page": 2})).json()
    assert body["total"] == 3 and body["pages"] == 2 and len(body["items"]) == 2
    found = (await client.get("/api/v1/opportunities", params={"q": "sivalnica"})).json()["items"]
    assert [(i["title"], i["places_left"], i["organisation_name"]) for i in found] == [("Šivalnica", 2, "Zavod Kuhna")]
    assert (await client.get("/api/v1/opportunities", params={"q": "osnutek"})).json()["total"] == 0
    # With organisation_id, the organisation's own users also see its drafts.
    public = (await client.get("/api/v1/opportunities", params={"organisation_id": org_id})).json()
    assert public["total"] == 4
    await login(client, "ent")
    mine = (await client.get("/api/v1/opportunities", params={"organisation_id": org_id})).json()
    assert mine["total"] == 5 and {i["status"] for i in mine["items"]} == {"open", "draft"}
    assert (await client.get("/api/v1/opportunities", params={"per_page": 1000})).status_code == 400


async def test_enterprise_creates_for_its_own_organisation(client, db, own):
    await importer.import_text(f"conceptUri,preferredLabel,altLabels\n{TEAM},work in teams,teamwork\n", "en")
    org_id, _ = own
    assert (await send_json(client, "POST", "/api/v1/opportunities", NEW)).status_code == 401
    await login(client, "ent")
    created = await send_json(client, "POST", "/api/v1/opportunities", NEW)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["organisation_id"] == org_id and body["places_taken"] == 0 and body["places_left"] == 4
    assert (body["country"], body["region"], body["municipality"]) == ("SI", "Savinjska", "Celje")
    assert body["latitude"] is not None
    assert body["required_skills"] == [{"label": "Teamwork", "uri": TEAM}, {"label": "peka kruha", "uri": ""}]
    assert (await client.get(f"/api/v1/opportunities/{body['id']}")).json()["title"] == NEW["title"]


async def test_only_posting_roles_create_and_managers_name_the_organisation(client, make_org, make_user, own):
    org_id, _ = own
    await make_user("ana", "counsellor")
    await login(client, "ana")
    assert (await send_json(client, "POST", "/api/v1/opportunities", NEW)).status_code == 403
    await login(client, "ent")
    other = await make_org(name="Somebody else")
    foreign = await send_json(client, "POST", "/api/v1/opportunities", {**NEW, "organisation_id": other})
    assert foreign.status_code == 403
    await make_user("coord", "coordinator")
    await login(client, "coord")
    unnamed = await send_json(client, "POST", "/api/v1/opportunities", NEW)
    assert unnamed.status_code == 400 and unnamed.json()["extra"][0]["key"] == "organisation_id"
    missing = await send_json(client, "POST", "/api/v1/opportunities", {**NEW, "organisation_id": 424242})
    assert missing.status_code == 400
    named = await send_json(client, "POST", "/api/v1/opportunities", {**NEW, "organisation_id": other})
    assert named.status_code == 201 and named.json()["organisation_id"] == other


async def test_invalid_input_names_each_field_and_changes_nothing(client, own):
    await login(client, "ent")
    bad = {
        **NEW,
        "hours_per_week": 0,
        "capacity": 501,
        "sector": "space",
        "starts_on": "2026-05-01",
        "ends_on": "2026-04-01",
        "languages": ["xx"],
        "country": "SI",
        "region": "Atlantis",
        "municipality": "Celje",
    }
    response = await send_json(client, "POST", "/api/v1/opportunities", bad)
    assert response.status_code == 400
    assert {e["key"] for e in response.json()["extra"]} == {
        "hours_per_week",
        "capacity",
        "sector",
        "ends_on",
        "languages",
        "region",
    }
    assert (await send_json(client, "POST", "/api/v1/opportunities", {**NEW, "places_taken": 3})).status_code == 400
    assert (await send_json(client, "POST", "/api/v1/opportunities", {**NEW, "capacity": 2**40})).status_code == 400
    assert await Opportunity.count() == 0


async def test_patch_respects_ownership_visibility_and_places_taken(client, make_org, make_user, own):
    org_id, user_id = own
    opp_id = await add_opportunity(org_id, user_id, capacity=5, places_taken=3)
    await login(client, "ent")
    ok = await send_json(
        client, "PATCH", f"/api/v1/opportunities/{opp_id}", {"title": "Nov naslov", "status": "closed"}
    )
    assert ok.status_code == 200 and ok.json()["title"] == "Nov naslov" and ok.json()["capacity"] == 5
    low = await send_json(client, "PATCH", f"/api/v1/opportunities/{opp_id}", {"capacity": 2})
    assert low.status_code == 400
    assert low.json()["extra"] == [
        {
            "key": "capacity",
            "message": "3 places are already taken by accepted referrals, so the capacity cannot be lower than 3.",
        }
    ]
    taken = await send_json(client, "PATCH", f"/api/v1/opportunities/{opp_id}", {"places_taken": 0})
    assert taken.status_code == 400
    moved = await send_json(client, "PATCH", f"/api/v1/opportunities/{opp_id}", {"municipality": "Velenje"})
    assert moved.status_code == 200 and moved.json()["latitude"] is not None
    other = await make_org(name="Rival")
    await make_user("rival", "employer", organisation_id=other)
    await login(client, "rival")
    # Closed now, so to another organisation's user it does not exist.
    assert (await send_json(client, "PATCH", f"/api/v1/opportunities/{opp_id}", {"title": "x"})).status_code == 404
    assert (await client.get(f"/api/v1/opportunities/{opp_id}")).status_code == 404
    open_one = await add_opportunity(org_id, user_id)
    assert (await send_json(client, "PATCH", f"/api/v1/opportunities/{open_one}", {"title": "x"})).status_code == 403


async def test_detail_of_a_draft_is_for_the_organisation_and_managers(client, make_user, own):
    org_id, user_id = own
    draft = await add_opportunity(org_id, user_id, status="draft")
    assert (await client.get(f"/api/v1/opportunities/{draft}")).status_code == 404
    await make_user("coord", "coordinator")
    await login(client, "coord")
    body = (await client.get(f"/api/v1/opportunities/{draft}")).json()
    assert body["status"] == "draft" and body["required_skills"] == []
