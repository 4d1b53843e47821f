"""The partner network in the portal: snapshot pages, fragments, API, access, recomputation and its triggers."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.db.tables import NetworkSnapshot
from portal.network import jobs, services
from tests.fixtures import csrf_token, login, post_form, send_json
from tests.flows import refer, setting, step, switch
from tests.network_worlds import stored_network

TIE = {"kind": "cooperation", "since": None, "until": None, "strength": 3, "note": ""}


@pytest.fixture(autouse=True)
async def no_leftover_runs():
    """Every test starts with no pending change and leaves no run behind."""
    jobs._state.dirty = False
    services._cache["latest"] = None
    yield
    await jobs.wait()
    jobs._state.dirty = False


@pytest.fixture
def background(monkeypatch):
    """Runs in the background, as in production (the test then awaits them)."""
    monkeypatch.setattr(jobs, "inline", lambda: False)


@pytest.fixture
async def small_network(make_org):
    """Three Slovenian and one Croatian organisation: a chain CSD - NGO - enterprise, and the Croatian one tied to the NGO."""
    from portal.organisations import services as organisations

    ids = {
        "csd": await make_org(name="CSD Ptuj", kind="social_work_centre", latitude=46.42, longitude=15.87),
        "ngo": await make_org(name="Društvo Korak", kind="ngo", latitude=46.43, longitude=15.88),
        "firm": await make_org(name="Zadruga Krog", kind="social_enterprise", latitude=46.41, longitude=15.86),
        "hr": await make_org(
            name="Udruga Čakovec",
            kind="ngo",
            country="HR",
            region="Međimurska županija",
            municipality="Čakovec",
            latitude=46.38,
            longitude=16.43,
        ),
        "alone": await make_org(name="Osamljeni zavod", kind="research"),
    }
    await organisations.create_relationship(ids["csd"], ids["ngo"], TIE)
    await organisations.create_relationship(ids["ngo"], ids["firm"], TIE)
    await organisations.create_relationship(ids["ngo"], ids["hr"], {**TIE, "kind": "project_partner"})
    return ids


async def _coordinator(client, make_user, organisation_id=None):
    await make_user("coord", "coordinator", organisation_id=organisation_id)
    await login(client, "coord")


async def test_the_page_needs_a_login(client, db):
    response = await client.get("/network/")
    assert response.status_code in (303, 401)
    assert (await client.get("/api/v1/network/graph")).status_code == 401


async def test_before_the_first_run_the_page_says_so_and_computes_nothing(client, make_user, small_network):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    page = await client.get("/network/")
    assert page.status_code == 200
    assert "The network has not been computed yet" in page.text
    assert "Recompute now" not in page.text  # counsellors may read, not recompute
    assert await NetworkSnapshot.count() == 0
    place = await client.get(f"/network/organisations/{small_network['csd']}")
    assert "The network has not been computed yet" in place.text
    assert (await client.get("/api/v1/network/organisations")).json()["items"] == []
    assert await NetworkSnapshot.count() == 0


async def test_recompute_now_fills_the_page_and_its_tables(client, make_user, small_network):
    await _coordinator(client, make_user)
    page = await client.get("/network/")
    assert "Recompute now" in page.text
    response = await post_form(client, "/network/recompute", {})
    assert response.status_code == 303 and response.headers["location"] == "/network/"
    page = await client.get("/network/")
    assert "Computed " in page.text and "has not been computed" not in page.text
    for name in ("CSD Ptuj", "Društvo Korak", "Zadruga Krog", "Udruga Čakovec"):
        assert name in page.text
    # The NGO holds the chain together: an articulation point, and first by betweenness.
    assert page.text.index("Where the network would fall apart") < page.text.rindex("Društvo Korak")
    rows = page.text.split('id="metrics"')[1]
    assert rows.index("Društvo Korak") < rows.index("CSD Ptuj")
    assert 'data-graph-url="/api/v1/network/graph"' in page.text and "/static/js/network.js" in page.text
    # Suggestions with reasons: the CSD and the enterprise share the NGO.
    assert "both work with Društvo Korak" in page.text


async def test_metrics_sort_by_query_and_come_as_a_fragment_for_htmx(client, make_user, small_network):
    await _coordinator(client, make_user)
    await jobs.run()
    by_name = await client.get("/network/", params={"sort": "name"})
    table = by_name.text.split('id="metrics"')[1]
    assert table.index("CSD Ptuj") < table.index("Društvo Korak") < table.index("Osamljeni zavod")
    assert 'aria-sort="ascending"' in table
    fragment = await client.get("/network/", params={"sort": "degree"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'id="metrics"' in fragment.text
    assert fragment.headers["vary"] == "HX-Request"
    assert (await client.get("/network/", params={"sort": "password"})).status_code == 400


async def test_panel_and_place_in_the_network(client, make_user, small_network):
    await _coordinator(client, make_user, small_network["alone"])
    await jobs.run()
    ngo = small_network["ngo"]
    panel = await client.get(f"/network/panel/{ngo}", headers={"HX-Request": "true"})
    assert "<html" not in panel.text and "Društvo Korak" in panel.text
    assert f'href="/organisations/{ngo}"' in panel.text and "rank 1 of 5" in panel.text
    place = await client.get(f"/network/organisations/{small_network['csd']}", headers={"HX-Request": "true"})
    assert "Place in the network" in place.text and "<html" not in place.text
    partners_of_partners = place.text.split("Partners of partners")[1].split("<h3>")[0]
    assert "Zadruga Krog" in partners_of_partners and "Udruga Čakovec" in partners_of_partners
    assert "Suggested partners" in place.text
    # Without htmx: a whole page of its own (the plain-link fallback).
    full = await client.get(f"/network/organisations/{small_network['csd']}")
    assert "<html" in full.text and "CSD Ptuj" in full.text
    unknown = await client.get("/network/panel/999999", headers={"HX-Request": "true"})
    assert unknown.status_code == 200 and "was not in the network" in unknown.text


async def test_the_organisation_page_loads_its_place_for_logged_in_users_only(client, make_user, small_network):
    csd = small_network["csd"]
    anonymous = await client.get(f"/organisations/{csd}")
    assert "/network/organisations/" not in anonymous.text
    await make_user("ana", "employer")
    await login(client, "ana")
    page = await client.get(f"/organisations/{csd}")
    assert f'hx-get="/network/organisations/{csd}"' in page.text and f'href="/network/organisations/{csd}"' in page.text
    assert 'href="/network/"' in page.text  # the nav item


async def test_status_polls_itself_while_running_and_stops_when_done(client, make_user, db):
    await make_user("ana", "enterprise")
    await login(client, "ana")
    now = dt.datetime.now(dt.UTC)
    run_id = (await NetworkSnapshot.insert(NetworkSnapshot(status="running", progress=40, started_at=now)))[0]["id"]
    running = await client.get("/network/status", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in running.text and 'value="40"' in running.text and "<html" not in running.text
    await services.finish_run(
        run_id,
        services.serialise(
            {
                "organisations": [],
                "communities": [],
                "nodes": 0,
                "edges": 0,
                "components": 0,
                "region_pairs": [],
                "isolated": [],
                "bridges": [],
                "articulation_points": [],
            },
            '{"elements":{"nodes":[],"edges":[]}}',
            {"worst": [], "regions": [], "missing_kinds": {}},
            {"top": [], "by_node": {}},
        ),
    )
    done = await client.get("/network/status", params={"polling": "true"}, headers={"HX-Request": "true"})
    assert "hx-trigger" not in done.text and "The network has been recomputed" in done.text
    # A run whose process died long ago no longer counts as running.
    await NetworkSnapshot.insert(NetworkSnapshot(status="running", progress=10, started_at=now - dt.timedelta(hours=2)))
    assert not (await services.run_status())["running"]


async def test_recompute_runs_in_the_background_with_progress(client, make_user, small_network, background):
    await _coordinator(client, make_user)
    token = await csrf_token(client, "/network/")
    response = await client.post("/api/v1/network/recompute", headers={"x-csrftoken": token})
    assert response.status_code == 202
    assert jobs.is_busy()
    await jobs.wait()
    status = (await client.get("/api/v1/network/status")).json()
    assert not status["running"] and status["progress"] == 100 and status["computed_at"]
    # The htmx button answers with the status fragment.
    fragment = await client.post("/network/recompute", data={"_csrf_token": token}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and 'id="network-status"' in fragment.text and "<html" not in fragment.text
    await jobs.wait()


async def test_only_managers_recompute(client, make_user, db):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    assert (await send_json(client, "POST", "/api/v1/network/recompute")).status_code == 403
    assert (await post_form(client, "/network/recompute", {})).status_code == 403
    assert await NetworkSnapshot.count() == 0


async def test_a_failed_run_keeps_the_last_results_and_says_so(client, make_user, small_network, monkeypatch):
    await _coordinator(client, make_user)
    await jobs.run()

    def broken(G):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(services, "metrics", broken)
    await jobs.run()
    status = await services.run_status()
    assert status["failed"] and "out of memory" in status["error"]
    page = await client.get("/network/")
    assert "The last recomputation failed" in page.text and "Društvo Korak" in page.text


async def test_changes_trigger_one_debounced_recomputation(small_network, monkeypatch):
    from portal.organisations import services as organisations

    monkeypatch.setattr(jobs, "automatic", lambda: True)
    monkeypatch.setattr(jobs, "DEBOUNCE_SECONDS", 1.0)
    await jobs.run()
    first = (await NetworkSnapshot.select(NetworkSnapshot.id).order_by(NetworkSnapshot.id).first())["id"]
    tie = await organisations.create_relationship(small_network["csd"], small_network["firm"], TIE)
    await organisations.update_relationship(tie, {**TIE, "strength": 5})
    new = await organisations.create_organisation(
        {
            "name": "Nova zadruga",
            "kind": "social_enterprise",
            "country": "SI",
            "region": "Podravska",
            "municipality": "Ptuj",
            "address": "",
            "postcode": "",
            "latitude": None,
            "longitude": None,
            "languages": "sl",
            "email": "",
            "phone": "",
            "website": "",
            "contact_person": "",
            "description": "",
            "registry_id": "",
        }
    )
    assert jobs.is_busy()
    await jobs.wait()
    rows = await NetworkSnapshot.select(NetworkSnapshot.id, NetworkSnapshot.status)
    assert rows == [{"id": first + 1, "status": "done"}]  # one run for the burst; older runs dropped
    snapshot = await services.latest_snapshot()
    assert new in snapshot.rows and snapshot.rows[small_network["csd"]]["degree"] == 2
    await organisations.delete_relationship(tie)
    await organisations.update_organisation(new, {"name": "Nova zadruga 2"})
    await jobs.wait()
    snapshot = await services.latest_snapshot()
    assert snapshot.rows[small_network["csd"]]["degree"] == 1 and snapshot.rows[new]["name"] == "Nova zadruga 2"


async def test_referrals_mark_the_network_stale_and_become_flows(client, make_user, make_org):
    participant, opportunity, host = await setting(client, make_user, make_org)
    jobs._state.dirty = False  # the organisations made above
    referral = await refer(client, participant, opportunity)
    assert jobs.is_stale()
    jobs._state.dirty = False
    await switch(client, "host")
    await step(client, referral, "accepted")
    assert jobs.is_stale()
    await jobs.run()
    snapshot = await services.latest_snapshot()
    edges = snapshot.graph["elements"]["edges"]
    assert [(e["data"]["kinds"], e["data"]["referrals"]) for e in edges] == [(["referrals"], 1)]
    # Demand is counted, never named: the participant's code appears nowhere in the snapshot.
    from portal.db.tables import Participant

    code = (await Participant.select(Participant.code).order_by(Participant.id).first())["code"]
    stored = await NetworkSnapshot.select().order_by(NetworkSnapshot.id).first()
    assert all(code not in str(value) for value in stored.values())
    gaps = (await client.get("/api/v1/network/gaps")).json()
    # One participant in one municipality is too few to report without pointing at the person.
    assert gaps["items"] == []


async def test_flows_demand_and_places_counted_in_sql_are_the_rows_counted_one_by_one(client, make_user, make_org):
    from collections import Counter

    from portal.db.tables import Opportunity, Participant, Referral

    participant, opportunity, _ = await setting(client, make_user, make_org)
    await refer(client, participant, opportunity)
    person = await Participant.select().where(Participant.id == participant).first()
    # People in every state the counts tell apart: counted, not active, no region, a second place.
    for n, (stage, region, municipality, travel) in enumerate(
        (
            ("intake", person["region"], person["municipality"], person["travel_km"]),
            ("activation", person["region"], "", 20),
            ("activation", person["region"], "", 20),
            ("employed", person["region"], person["municipality"], person["travel_km"]),
            ("placement", "", "", 10),
        )
    ):
        values = {**person, "code": f"T-{n}", "stage": stage, "region": region, "municipality": municipality}
        values.pop("id")
        await Participant.insert(Participant(**{**values, "travel_km": travel}))
    place = await Opportunity.select().where(Opportunity.id == opportunity).first()
    place.pop("id")
    for status, capacity, taken, latitude in (
        ("open", 5, 2, place["latitude"]),
        ("open", 3, 3, place["latitude"]),
        ("closed", 4, 0, place["latitude"]),
        ("open", 2, 0, 46.1),
    ):
        values = {**place, "status": status, "capacity": capacity, "places_taken": taken, "latitude": latitude}
        await Opportunity.insert(Opportunity(**values))
    referral = await Referral.select().order_by(Referral.id).first()
    referral.pop("id")
    others = await Participant.select(Participant.id).where(Participant.code.like("T-%")).order_by(Participant.id)
    for other, status in zip(others, ("accepted", "proposed", "started"), strict=False):
        await Referral.insert(Referral(**{**referral, "participant": other["id"], "status": status}))

    records = await services.load_records()

    rows = await Referral.select(
        Referral.referred_by.organisation.as_alias("source"), Referral.opportunity.organisation.as_alias("target")
    ).where(Referral.status.is_in(list(services.FLOWING_STATUSES)))
    assert {(f["source"], f["target"]): f["count"] for f in records.flows} == Counter(
        (r["source"], r["target"]) for r in rows
    )
    assert sum(f["count"] for f in records.flows) == 3
    people = await Participant.select().where(Participant.stage.is_in(list(services.ACTIVE_STAGES)))
    where = ("region", "municipality", "latitude", "longitude", "travel_km")
    expected = Counter(
        (p["region"], p["municipality"] or None, p["latitude"], p["longitude"], float(p["travel_km"]))
        for p in people
        if p["region"]
    )
    assert {tuple(d[k] for k in where): d["count"] for d in records.demand} == expected
    assert sorted(expected.values()) == [2, 2]
    opportunities = await Opportunity.select().where(Opportunity.status == "open")
    left: Counter = Counter()
    for o in opportunities:
        if o["capacity"] > o["places_taken"]:
            left[o["organisation"], o["latitude"], o["longitude"]] += o["capacity"] - o["places_taken"]
    found = {(p["organisation_id"], p["latitude"], p["longitude"]): p["places"] for p in records.places}
    assert found == left and sorted(left.values()) == [2, place["capacity"] - place["places_taken"] + 3]


async def test_the_api_serves_the_snapshot(client, make_user, small_network):
    await make_user("emp", "employer", organisation_id=small_network["alone"])
    await login(client, "emp")
    await jobs.run()
    ngo, csd, firm, alone = (small_network[k] for k in ("ngo", "csd", "firm", "alone"))
    metrics = (await client.get("/api/v1/network/organisations", params={"per_page": 2})).json()
    assert metrics["total"] == 5 and metrics["pages"] == 3 and metrics["items"][0]["id"] == ngo
    assert metrics["items"][0]["betweenness"] > 0 and metrics["computed_at"]
    communities = (await client.get("/api/v1/network/communities")).json()
    assert sum(c["size"] for c in communities["items"]) == 5 and communities["total"] == len(communities["items"])
    # Paged, and each community lists at most `members` of its members (its size stays the whole count).
    first = (await client.get("/api/v1/network/communities", params={"per_page": 1, "members": 1})).json()
    assert first["pages"] == communities["total"] and len(first["items"]) == 1
    assert first["items"][0] == {**communities["items"][0], "members": communities["items"][0]["members"][:1]}
    assert (await client.get("/api/v1/network/communities", params={"members": 1001})).status_code == 400
    suggestions = (await client.get("/api/v1/network/suggestions", params={"organisation_id": csd})).json()["items"]
    assert suggestions[0]["source"] == csd and suggestions[0]["reason"]
    graph = (await client.get("/api/v1/network/graph")).json()["elements"]
    assert len(graph["nodes"]) == 5 and len(graph["edges"]) == 3
    assert all("position" in node for node in graph["nodes"])
    chain = (await client.get("/api/v1/network/path", params={"source": csd, "target": firm})).json()["items"]
    assert [m["name"] for m in chain] == ["CSD Ptuj", "Društvo Korak", "Zadruga Krog"]
    assert (await client.get("/api/v1/network/path", params={"source": csd, "target": alone})).json() == {"items": []}
    assert (await client.get("/api/v1/network/path", params={"source": csd, "target": 999999})).status_code == 404
    assert (await client.get("/api/v1/network/path", params={"source": csd})).status_code == 400
    schema = (await client.get("/schema/openapi.json")).json()
    assert "404" in schema["paths"]["/api/v1/network/path"]["get"]["responses"]


# Seven people looking for a place in Ptuj, within 5 km of where they live.
SEVEN_IN_PTUJ = {
    "region": "Podravska",
    "municipality": "Ptuj",
    "latitude": 46.42,
    "longitude": 15.87,
    "travel_km": 5,
    "count": 7,
}


def test_gap_lists_leave_out_areas_too_small_to_stay_anonymous():
    from portal.network import services

    demand = [
        SEVEN_IN_PTUJ,
        {
            "region": "Koroška",
            "municipality": "Mežica",
            "latitude": 46.52,
            "longitude": 14.85,
            "travel_km": 5,
            "count": 2,
        },
    ]
    records = services.Records(organisations=[], relationships=[], flows=[], demand=demand, places=[])
    found = services.gaps(records)
    assert [gap["municipality"] for gap in found["worst"]] == ["Ptuj"]
    assert [region["region"] for region in found["regions"]] == ["Podravska"]


async def test_the_page_picks_organisations_by_search_not_from_every_name(client, make_user, small_network):
    await _coordinator(client, make_user)
    await jobs.run()
    page = (await client.get("/network/")).text
    view = page.split('id="network-view"')[1].split("</section>")[0]
    # Three comboboxes whose options come from the search API; no list of every organisation.
    assert view.count('role="combobox"') == 3 and 'data-search-url="/api/v1/network/search"' in page
    for name in ("focus", "from", "to"):
        assert f'type="hidden" id="graph-{name}" name="{name}"' in view
    assert f'value="{small_network["ngo"]}"' not in view and "Društvo Korak" not in view
    assert '<label for="graph-focus-name">Focus on</label>' in view


async def test_search_matches_part_of_a_name_without_case_or_diacritics(client, make_user, small_network):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    empty = (await client.get("/api/v1/network/search", params={"q": "korak"})).json()
    assert empty == {"items": [], "total": 0, "computed_at": None}  # nothing computed yet
    await jobs.run()

    async def names(q):
        return [item["name"] for item in (await client.get("/api/v1/network/search", params={"q": q})).json()["items"]]

    assert await names("DRUSTVO") == ["Društvo Korak"]
    assert await names("cakovec") == ["Udruga Čakovec"]
    assert await names("korak  društvo") == ["Društvo Korak"]  # words in any order
    assert await names("ptuj") == ["CSD Ptuj"]
    assert await names("zzz") == []
    found = (await client.get("/api/v1/network/search", params={"q": "udruga"})).json()["items"][0]
    assert found == {
        "id": small_network["hr"],
        "name": "Udruga Čakovec",
        "kind": "ngo",
        "country": "HR",
        "region": "Međimurska županija",
        "municipality": "Čakovec",
    }
    assert (await client.get("/api/v1/network/search")).status_code == 400
    assert (await client.get("/api/v1/network/search", params={"q": "x" * 101})).status_code == 400


async def test_search_answers_at_most_twenty_names_starting_ones_first(client, make_user, db):
    await make_user("ana", "employer")
    await login(client, "ana")
    await stored_network(60)
    result = (await client.get("/api/v1/network/search", params={"q": "cakovec"})).json()
    assert result["total"] == 30 and len(result["items"]) == services.SEARCH_LIMIT == 20
    result = (await client.get("/api/v1/network/search", params={"q": "1"})).json()
    # Names holding "1": 1, 10-19, 21, 31, 41, 51; none starts with it, so alphabetically.
    names = [item["name"] for item in result["items"]]
    assert result["total"] == 15 and names == sorted(names, key=lambda n: n.replace("Č", "C"))
    starting = (await client.get("/api/v1/network/search", params={"q": "zadruga cakovec 5"})).json()["items"]
    # Names starting with the query first (alphabetically), then the others.
    numbers = [int(item["name"].rsplit(" ", 1)[1]) for item in starting]
    assert numbers == [5, 51, 53, 55, 57, 59, 15, 25, 35, 45]


async def test_graph_api_sends_only_what_the_filter_selects(client, make_user, small_network):
    await make_user("ana", "counsellor", organisation_id=small_network["alone"])
    await login(client, "ana")
    await jobs.run()
    csd, ngo, firm, hr, alone = (small_network[k] for k in ("csd", "ngo", "firm", "hr", "alone"))

    async def graph(**params):
        response = await client.get("/api/v1/network/graph", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        nodes = {int(node["data"]["id"]) for node in body["elements"]["nodes"]}
        edges = {frozenset((int(e["data"]["source"]), int(e["data"]["target"]))) for e in body["elements"]["edges"]}
        return nodes, edges, body

    nodes, edges, body = await graph()
    assert nodes == {csd, ngo, firm, hr, alone} and len(edges) == 3
    assert body["matched"] == body["total"] == 5 and body["limit"] == services.GRAPH_NODES
    assert all("position" in node for node in body["elements"]["nodes"])  # positions as stored
    assert (await graph(kind="ngo"))[:2] == ({ngo, hr}, {frozenset((ngo, hr))})
    assert (await graph(country="HR"))[:2] == ({hr}, set())
    assert (await graph(region="Podravska", kind="social_enterprise"))[0] == {firm}
    nodes, edges, _ = await graph(tie="project_partner")
    assert nodes == {csd, ngo, firm, hr, alone} and edges == {frozenset((ngo, hr))}
    assert (await graph(focus=csd))[:2] == ({csd, ngo}, {frozenset((csd, ngo))})
    assert (await graph(focus=csd, depth=2))[0] == {csd, ngo, firm, hr}
    assert (await graph(focus=csd, depth=2, tie="cooperation"))[0] == {csd, ngo, firm}
    # The focus shows whatever its kind; the organisations around it must pass the filter.
    nodes, _, body = await graph(focus=csd, depth=3, kind="ngo")
    assert nodes == {csd, ngo, hr} and body["matched"] == 3
    # Included organisations (a chain's steps) show whatever the filter, with their ties.
    nodes, edges, body = await graph(country="HR", include=[csd, ngo])
    assert nodes == {hr, csd, ngo} and edges == {frozenset((csd, ngo)), frozenset((ngo, hr))}
    assert body["matched"] == 1
    assert (await client.get("/api/v1/network/graph", params={"focus": 999999})).status_code == 404
    too_many = {"include": list(range(1, 102))}
    for bad in ({"kind": "bank"}, {"tie": "friendship"}, {"depth": 5}, {"limit": 0}, {"limit": 1501}, too_many):
        assert (await client.get("/api/v1/network/graph", params=bad)).status_code == 400, bad
    schema = (await client.get("/schema/openapi.json")).json()["paths"]["/api/v1/network/graph"]["get"]
    declared = {p["name"] for p in schema["parameters"]}
    assert declared == {"kind", "country", "region", "tie", "focus", "depth", "include", "limit"}
    assert "404" in schema["responses"]


async def test_graph_api_caps_the_picture_at_the_most_central_and_says_how_many_matched(client, make_user, db):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    ids = await stored_network(60)
    body = (await client.get("/api/v1/network/graph", params={"limit": 10})).json()
    shown = [int(node["data"]["id"]) for node in body["elements"]["nodes"]]
    assert body["matched"] == body["total"] == 60 and body["limit"] == 10 and len(shown) == 10
    central = (await client.get("/api/v1/network/organisations", params={"per_page": 10})).json()["items"]
    assert shown == [row["id"] for row in central]  # by betweenness, as the table sorts
    assert all(
        int(e["data"]["source"]) in shown and int(e["data"]["target"]) in shown for e in body["elements"]["edges"]
    )
    # Around a focus: the focus, then the nearest.
    body = (await client.get("/api/v1/network/graph", params={"focus": ids["end"], "depth": 4, "limit": 3})).json()
    shown = [int(node["data"]["id"]) for node in body["elements"]["nodes"]]
    assert shown == [60, 59, 58] and body["matched"] == 5  # 60 to 56 along the chain
    assert len((await client.get("/api/v1/network/graph")).json()["elements"]["nodes"]) == 60


async def test_sort_orders_are_computed_once_per_snapshot(client, make_user, db):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    await stored_network(60)
    first = (await client.get("/network/", params={"sort": "name", "page": 2})).text
    snapshot = await services.latest_snapshot()
    kept = services.ordered(snapshot, "name")
    assert services.ordered(snapshot, "name") is kept and len(kept) == 60
    second = (await client.get("/network/", params={"sort": "name", "page": 2})).text
    table = second.split('id="metrics"')[1]
    assert table == first.split('id="metrics"')[1] and "Page 2 of 3" in table
    assert [row["id"] for row in services.sorted_organisations(snapshot, "name", 3).items] == [
        row["id"] for row in kept[50:]
    ]
    # Ranks come from the kept orders too.
    hub = services.place_of(snapshot, 1)
    assert hub["rank"]["degree"] == 1 and hub["total"] == 60


def test_above_the_per_node_limit_each_organisation_gets_its_share_of_one_ranking(monkeypatch):
    """Large networks: the top list and each organisation's five come from one network-wide ranking,
    each end keeping its first five of the best ``5 x organisations`` pairs, turned round for the target."""
    import random

    import network

    pick = random.Random(3)
    kinds = ["social_work_centre", "employment_office", "ngo", "employer", "social_enterprise", "municipality"]
    organisations = [
        {
            "id": i,
            "name": f"O{i}",
            "kind": kinds[i % len(kinds)],
            "latitude": 46 + pick.random(),
            "longitude": 15 + pick.random(),
        }
        for i in range(1, 61)
    ]
    pairs = {tuple(sorted(pick.sample(range(1, 61), 2))) for _ in range(120)}
    relationships = [
        {"id": n, "source": u, "target": v, "kind": "cooperation", "since": None, "strength": 1 + n % 5}
        for n, (u, v) in enumerate(sorted(pairs), start=1)
    ]
    G = network.build_graph(organisations, relationships, [])
    monkeypatch.setattr(services, "PER_NODE_MAX_NODES", 10)
    found = services.suggestions(G)

    expected: dict[str, list[dict]] = {}
    ranking = network.suggest_partnerships(G, top=len(G) * services.SUGGESTIONS_PER_ORGANISATION)
    for suggestion in ranking:
        for own, other in (("source", "target"), ("target", "source")):
            mine = expected.setdefault(str(suggestion[own]), [])
            if len(mine) < services.SUGGESTIONS_PER_ORGANISATION:
                mine.append({**suggestion, "source": suggestion[own], "target": suggestion[other]})
    assert found["top"] == ranking[: services.TOP_SUGGESTIONS]
    assert list(found["by_node"].items()) == list(expected.items())
    assert sum(map(len, expected.values())) > 100  # enough pairs that some organisations had to stop at five
    assert any(len(items) == services.SUGGESTIONS_PER_ORGANISATION for items in expected.values())


async def test_the_page_rounds_the_people_in_each_gap_to_the_nearest_five(client, make_user):
    records = services.Records(organisations=[], relationships=[], flows=[], demand=[SEVEN_IN_PTUJ], places=[])
    await services.finish_run(await services.start_run(), services.compute_all(records))
    await _coordinator(client, make_user)
    page = (await client.get("/network/")).text
    row = page[page.index("Ptuj <span") :]
    row = row[: row.index("</tr>")]
    # Seven people, none with a place: shown as five looking and five short, never the exact seven.
    assert [cell.split("</td>")[0] for cell in row.split("<td>")[1:4]] == ["5", "0", "5"]
