"""The map page and its markers endpoint: public lists, bounded answers, filters, clusters, gaps and tiles."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from portal.db.tables import NetworkSnapshot
from portal.map import services as map_services
from portal.settings import SettingsError, load_settings
from portal.web.security import _tile_origin
from tests.factories import CAKOVEC, PTUJ, make_opportunity_at
from tests.fixtures import login

ALL_OF_IT = "13.0,42.0,20.0,47.0"


@pytest.fixture
async def places(make_org, make_user):
    host = await make_org(name="Zadruga Na zemljevidu", latitude=PTUJ[0], longitude=PTUJ[1])
    csd = await make_org(
        name="Centar za socijalnu skrb Čakovec",
        kind="social_work_centre",
        country="HR",
        region="Međimurska županija",
        municipality="Čakovec",
        latitude=CAKOVEC[0],
        longitude=CAKOVEC[1],
    )
    nowhere = await make_org(name="Društvo brez naslova", kind="ngo")  # no coordinates
    creator = await make_user("poster", "enterprise", organisation_id=host)
    open_one = await make_opportunity_at(host, creator, "Popravila koles", PTUJ)
    draft = await make_opportunity_at(host, creator, "Skrivni osnutek", PTUJ, status="draft")
    training = await make_opportunity_at(host, creator, "Tečaj šivanja", PTUJ, kind="training")
    return {"host": host, "csd": csd, "nowhere": nowhere, "open": open_one, "draft": draft, "training": training}


def _names(answer: dict, layer: str) -> set[str]:
    return {point["name"] for point in answer["layers"][layer]["points"]}


async def test_the_map_page_is_public_and_lists_what_the_map_shows(client, places):
    page = await client.get("/map/")
    assert page.status_code == 200
    text = page.text
    # The lists are the page without JavaScript: every organisation (with or without coordinates), open opportunities.
    for name in (
        "Zadruga Na zemljevidu",
        "Centar za socijalnu skrb Čakovec",
        "Društvo brez naslova",
        "Popravila koles",
    ):
        assert name in text
    assert "Skrivni osnutek" not in text
    assert f'href="/organisations/{places["csd"]}"' in text and f'href="/opportunities/{places["open"]}"' in text
    # The map's script is a file of our own; tiles are off under tests; no inline script anywhere.
    assert '<script src="/static/js/map.js" defer></script>' in text
    assert 'data-tiles-url=""' in text
    assert "<script>" not in text
    # Anonymous visitors do not get the gaps (the network page is for logged-in users).
    assert "Placement gaps by region" not in text


async def test_the_page_filters_by_kind_region_and_kind_of_opportunity(client, places):
    text = (await client.get("/map/", params={"kind": "social_work_centre"})).text
    assert f'href="/organisations/{places["csd"]}"' in text
    assert f'href="/organisations/{places["host"]}"' not in text
    text = (await client.get("/map/", params={"region": "Međimurska županija", "show": "organisations"})).text
    assert "Centar za socijalnu skrb Čakovec" in text and "Zadruga Na zemljevidu" not in text
    assert "Popravila koles" not in text  # organisations only
    text = (await client.get("/map/", params={"opportunity_kind": "training", "show": "opportunities"})).text
    assert "Tečaj šivanja" in text and "Popravila koles" not in text
    assert "Centar za socijalnu skrb" not in text
    # An unknown value is dropped, not an error.
    assert (await client.get("/map/", params={"kind": "<script>", "region": "Atlantis"})).status_code == 200


async def test_points_inside_the_box_with_filters(client, places):
    answer = (await client.get("/map/points", params={"bbox": ALL_OF_IT})).json()
    assert _names(answer, "organisations") == {"Zadruga Na zemljevidu", "Centar za socijalnu skrb Čakovec"}
    assert _names(answer, "opportunities") == {"Popravila koles", "Tečaj šivanja"}  # never the draft
    assert "gaps" not in answer
    point = next(p for p in answer["layers"]["organisations"]["points"] if p["name"].startswith("Centar"))
    assert point["url"] == f"/organisations/{places['csd']}" and point["kind"] == "Social work centre"
    assert (point["lat"], point["lon"]) == CAKOVEC
    opportunity = answer["layers"]["opportunities"]["points"][0]
    assert opportunity["organisation"] == "Zadruga Na zemljevidu"

    # A box around Čakovec only.
    answer = (await client.get("/map/points", params={"bbox": "16.3,46.3,16.5,46.5"})).json()
    assert _names(answer, "organisations") == {"Centar za socijalnu skrb Čakovec"}
    assert _names(answer, "opportunities") == set()

    filtered = (
        await client.get(
            "/map/points", params={"bbox": ALL_OF_IT, "kind": "social_enterprise", "opportunity_kind": "training"}
        )
    ).json()
    assert _names(filtered, "organisations") == {"Zadruga Na zemljevidu"}
    assert _names(filtered, "opportunities") == {"Tečaj šivanja"}
    only = (await client.get("/map/points", params={"bbox": ALL_OF_IT, "show": "opportunities"})).json()
    assert set(only["layers"]) == {"opportunities"}


@pytest.mark.parametrize("bbox", ["", "1,2,3", "a,b,c,d", "20,42,13,47", "13,47,20,42", "-200,42,20,47", "nan,1,2,3"])
async def test_a_bad_box_is_refused_naming_the_field(client, db, bbox):
    response = await client.get("/map/points", params={"bbox": bbox})
    assert response.status_code == 400
    assert "bbox" in response.json()["errors"]


async def test_more_points_than_the_limit_come_as_clusters(client, places, monkeypatch):
    monkeypatch.setattr(map_services, "POINT_LIMIT", 1)
    answer = (await client.get("/map/points", params={"bbox": ALL_OF_IT})).json()
    organisations = answer["layers"]["organisations"]
    assert organisations["clustered"] and organisations["points"] == [] and organisations["total"] == 2
    assert sum(cluster["count"] for cluster in organisations["clusters"]) == 2
    assert len(organisations["clusters"]) == 2  # Ptuj and Čakovec fall in different cells of a 12 x 12 grid
    for cluster in organisations["clusters"]:
        south, west, north, east = cluster["bounds"]
        assert 42 <= south <= cluster["lat"] <= north <= 47 and 13 <= west <= cluster["lon"] <= east <= 20
    opportunities = answer["layers"]["opportunities"]
    assert opportunities["clustered"] and [c["count"] for c in opportunities["clusters"]] == [2]
    assert opportunities["clusters"][0]["type"] == "opportunity"


async def test_the_answer_never_exceeds_the_limit(client, make_org, db):
    from portal.db.tables import Organisation

    now = dt.datetime.now(dt.UTC)
    rows = [
        Organisation(
            name=f"Org {n}", slug=f"org-{n}", kind="ngo", country="SI", region="Podravska", municipality="Ptuj",
            address="", postcode="", latitude=45.5 + (n % 30) / 20, longitude=14 + (n // 30) / 5, languages="",
            email="", phone="", website="", contact_person="", description="", registry_id="",
            search_text=f"org {n}", created_at=now, updated_at=now,
        )
        for n in range(map_services.POINT_LIMIT + 50)
    ]  # fmt: skip
    await Organisation.insert(*rows)
    answer = (await client.get("/map/points", params={"bbox": ALL_OF_IT, "show": "organisations"})).json()
    layer = answer["layers"]["organisations"]
    assert layer["clustered"] and layer["total"] == len(rows)
    assert len(layer["clusters"]) <= map_services.GRID**2
    assert sum(cluster["count"] for cluster in layer["clusters"]) == len(rows)
    page = await client.get("/map/", params={"show": "organisations"})
    assert len(re.findall(r'<li><a href="/organisations/\d+"', page.text)) == 20  # the list is paged


async def _snapshot(regions: list[dict]) -> None:
    now = dt.datetime.now(dt.UTC)
    empty_summary = {"organisations": [], "communities": [], "region_pairs": [], "isolated": []}
    await NetworkSnapshot.insert(
        NetworkSnapshot(
            status="done",
            progress=100,
            started_at=now,
            finished_at=now,
            error="",
            summary=json.dumps(empty_summary),
            graph=json.dumps({"nodes": [], "edges": []}),
            gaps=json.dumps({"worst": [], "regions": regions, "missing_kinds": {}}),
            suggestions=json.dumps({"top": [], "by_organisation": {}}),
        )
    )


async def test_logged_in_readers_see_gaps_per_region_rounded_and_small_counts_suppressed(client, make_user, places):
    await _snapshot(
        [
            {"region": "Podravska", "participants": 42, "unlocated": 0, "without_places": 12,
             "places_within_reach": 10, "ratio": 0.24},
            {"region": "Međimurska županija", "participants": 12, "unlocated": 0, "without_places": 2,
             "places_within_reach": 9, "ratio": 0.75},
            {"region": "Pomurska", "participants": 17, "unlocated": 0, "without_places": 7,
             "places_within_reach": 10, "ratio": 0.59},
        ]
    )  # fmt: skip
    anonymous = (await client.get("/map/points", params={"bbox": ALL_OF_IT})).json()
    assert "gaps" not in anonymous
    await make_user("ana", "counsellor")
    await login(client, "ana")
    answer = (await client.get("/map/points", params={"bbox": ALL_OF_IT})).json()
    by_region = {gap["region"]: gap for gap in answer["gaps"]}
    # Counts of people as the indicators show them: each rounded to the nearest 5, one to four suppressed.
    podravska, pomurska = by_region["Podravska"], by_region["Pomurska"]
    assert (podravska["participants"], podravska["without_places"], podravska["shortfall"]) == (40, 10, 30)  # 42-10
    assert (pomurska["participants"], pomurska["without_places"], pomurska["shortfall"]) == (15, 5, 5)  # 7 each
    assert by_region["Međimurska županija"]["shortfall"] is None  # 12 - 9 = 3 people: suppressed
    assert by_region["Međimurska županija"]["without_places"] is None  # 2 people: suppressed
    # Places are not people: exact; the ratio is worked out from the rounded participants (10 / 15, not 10 / 17).
    assert (pomurska["places"], pomurska["ratio"]) == (10, 0.67)
    assert [gap["region"] for gap in answer["gaps"]][0] == "Podravska"  # the worst first
    lat, lon = by_region["Podravska"]["lat"], by_region["Podravska"]["lon"]
    assert 46 < lat < 47 and 15 < lon < 17
    page = (await client.get("/map/")).text
    assert "Placement gaps by region" in page and "fewer than 5" in page
    row = page[page.index("<td>Pomurska</td>") :].split("</tr>")[0]
    assert row == "<td>Pomurska</td><td>15</td><td>10</td><td>5</td>"


def test_the_tile_server_is_a_setting_allowed_by_the_csp():
    assert load_settings({"PORTAL_ENV": "test"}).map_tiles_url == ""
    default = load_settings({"PORTAL_ENV": "development"})
    assert default.map_tiles_url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "OpenStreetMap" in default.map_tiles_attribution
    assert load_settings({"PORTAL_ENV": "development", "PORTAL_MAP_TILES_URL": ""}).map_tiles_url == ""
    for bad in ("ftp://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org/tile.png"):
        with pytest.raises(SettingsError):
            load_settings({"PORTAL_ENV": "development", "PORTAL_MAP_TILES_URL": bad})
    assert _tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == " https://tile.openstreetmap.org"
    assert _tile_origin("https://{s}.tiles.example.org/{z}/{x}/{y}.png") == " https://*.tiles.example.org"
    assert _tile_origin("") == ""


async def test_the_map_opens_on_the_chosen_region(client, db):
    whole = (await client.get("/map/")).text
    assert 'data-bounds="42.3,13.3,46.9,19.5"' in whole
    page = (await client.get("/map/", params={"region": "Međimurska županija"})).text
    south, west, north, east = (float(n) for n in re.search(r'data-bounds="([^"]+)"', page).group(1).split(","))
    assert 46.2 < south < CAKOVEC[0] < north < 46.7 and 16.0 < west < CAKOVEC[1] < east < 17.0
