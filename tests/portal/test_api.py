"""The JSON API under /api/v1: same filters and permissions as the pages, errors naming the field."""

from __future__ import annotations

from portal.db.tables import Organisation, Relationship
from tests.fixtures import login, send_json

NEW_ORG = {
    "name": "Mizarstvo Hrast d.o.o.",
    "kind": "employer",
    "country": "SI",
    "region": "Savinjska",
    "municipality": "Celje",
    "languages": ["sl"],
    "contact_person": "HR office",
}


async def test_list_filters_searches_and_paginates(client, make_org):
    for n in range(3):
        await make_org(
            name=f"Udruga {n}", kind="ngo", country="HR", region="Varaždinska županija", municipality="Varaždin"
        )
    await make_org(name="Zadruga Čebela")
    body = (await client.get("/api/v1/organisations", params={"country": "HR", "per_page": 2})).json()
    assert body["total"] == 3 and body["pages"] == 2 and len(body["items"]) == 2
    assert {"id", "name", "slug", "kind", "country", "region", "municipality"} == set(body["items"][0])
    found = (await client.get("/api/v1/organisations", params={"q": "cebela"})).json()
    assert [item["name"] for item in found["items"]] == ["Zadruga Čebela"]
    bad = await client.get("/api/v1/organisations", params={"per_page": 1000})
    assert bad.status_code == 400


async def test_detail_hides_the_contact_person_from_the_public(client, make_org, make_user):
    org_id = await make_org(contact_person="Head of programmes")
    public = (await client.get(f"/api/v1/organisations/{org_id}")).json()
    assert public["contact_person"] is None and public["languages"] == ["sl", "en"]
    await make_user("ana", "counsellor")
    await login(client, "ana")
    assert (await client.get(f"/api/v1/organisations/{org_id}")).json()["contact_person"] == "Head of programmes"
    assert (await client.get("/api/v1/organisations/424242")).status_code == 404


async def test_create_is_for_coordinators_and_admins(client, make_user):
    anonymous = await send_json(client, "POST", "/api/v1/organisations", NEW_ORG)
    assert anonymous.status_code == 401
    await make_user("ana", "counsellor")
    await login(client, "ana")
    assert (await send_json(client, "POST", "/api/v1/organisations", NEW_ORG)).status_code == 403
    await make_user("coord", "coordinator")
    await login(client, "coord")
    created = await send_json(client, "POST", "/api/v1/organisations", NEW_ORG)
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == NEW_ORG["name"] and body["latitude"] is not None and body["slug"] == "mizarstvo-hrast-d-o-o"


async def test_invalid_input_names_the_field_and_changes_nothing(client, make_user):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    before = await Organisation.count()
    response = await send_json(
        client, "POST", "/api/v1/organisations", {**NEW_ORG, "region": "Atlantis", "kind": "bakery"}
    )
    assert response.status_code == 400
    keys = {error["key"] for error in response.json()["extra"]}
    assert keys == {"region", "kind"}
    unknown_field = await send_json(client, "POST", "/api/v1/organisations", {**NEW_ORG, "owner": "x"})
    assert unknown_field.status_code == 400
    assert await Organisation.count() == before


async def test_patch_own_organisation_only(client, make_org, make_user):
    own = await make_org(name="Own")
    other = await make_org(name="Other")
    await make_user("ent", "enterprise", organisation_id=own)
    await login(client, "ent")
    ok = await send_json(client, "PATCH", f"/api/v1/organisations/{own}", {"description": "We repair furniture."})
    assert ok.status_code == 200 and ok.json()["description"] == "We repair furniture."
    assert ok.json()["name"] == "Own"
    refused = await send_json(client, "PATCH", f"/api/v1/organisations/{other}", {"description": "x"})
    assert refused.status_code == 403
    invalid = await send_json(client, "PATCH", f"/api/v1/organisations/{own}", {"country": "HR"})
    assert invalid.status_code == 400 and invalid.json()["extra"][0]["key"] == "region"


async def test_relationship_create_read_update_delete(client, make_org, make_user):
    a = await make_org(name="A")
    b = await make_org(name="B")
    await make_user("coord", "coordinator")
    await login(client, "coord")
    created = await send_json(
        client,
        "POST",
        "/api/v1/relationships",
        {"source_id": a, "target_id": b, "kind": "funding", "since": "2020-01-01", "strength": 5},
    )
    assert created.status_code == 201
    rel = created.json()
    assert (rel["source_name"], rel["target_name"], rel["since"]) == ("A", "B", "2020-01-01")
    listed = (await client.get("/api/v1/relationships", params={"organisation_id": b})).json()
    assert listed["total"] == 1
    duplicate = await send_json(
        client, "POST", "/api/v1/relationships", {"source_id": a, "target_id": b, "kind": "funding"}
    )
    assert duplicate.status_code == 400 and duplicate.json()["extra"][0]["key"] == "kind"
    patched = await send_json(client, "PATCH", f"/api/v1/relationships/{rel['id']}", {"until": "2019-01-01"})
    assert patched.status_code == 400 and patched.json()["extra"][0]["key"] == "until"
    patched = await send_json(client, "PATCH", f"/api/v1/relationships/{rel['id']}", {"until": "2022-12-31"})
    assert patched.status_code == 200 and patched.json()["until"] == "2022-12-31"
    deleted = await send_json(client, "DELETE", f"/api/v1/relationships/{rel['id']}")
    assert deleted.status_code == 204 and await Relationship.count() == 0
    assert (await client.get(f"/api/v1/relationships/{rel['id']}")).status_code == 404


async def test_relationship_between_other_organisations_is_refused(client, make_org, make_user):
    own = await make_org(name="Own")
    x = await make_org(name="X")
    y = await make_org(name="Y")
    await make_user("ent", "enterprise", organisation_id=own)
    await login(client, "ent")
    refused = await send_json(
        client, "POST", "/api/v1/relationships", {"source_id": x, "target_id": y, "kind": "cooperation"}
    )
    assert refused.status_code == 403
    allowed = await send_json(
        client, "POST", "/api/v1/relationships", {"source_id": own, "target_id": y, "kind": "cooperation"}
    )
    assert allowed.status_code == 201


async def test_health_reports_the_database(client, db):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_openapi_document_lists_the_api(client, db):
    document = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/organisations" in document["paths"] and "/api/v1/relationships/{rel_id}" in document["paths"]
    assert not any(path.startswith("/organisations") for path in document["paths"])
