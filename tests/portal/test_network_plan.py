"""What-if plans through HTTP: named, edited, run as a job, before and after side by side, compared."""

from __future__ import annotations

import re

import pytest

from portal.db.tables import NetworkPlan, NetworkPlanPlace, Opportunity
from tests.fixtures import login, post_form

# Each test starts with no network run left over from another.
pytestmark = pytest.mark.usefixtures("no_leftover_runs")

PLACE = {
    "kind": "programme_place",
    "country": "SI",
    "municipality": "Ormož",
    "support_offered": ["transport", "childcare_compatible"],
    "languages": ["sl"],
    "hours_per_week": "20",
    "capacity": "3",
}


def _measure(page: str, name: str) -> int:
    return int(re.search(rf'data-measure="{name}">([\d,.]+)<', page)[1].replace(",", ""))


async def _new_plan(client, name="Ormož places") -> int:
    response = await post_form(client, "/network/plan", {"name": name})
    assert response.status_code == 303
    return int(response.headers["location"].rsplit("/", 1)[1])


async def test_a_plan_adds_places_and_shows_before_and_after(client, thin_spot):
    await login(client, "coord")
    plan = await _new_plan(client)
    for _ in range(3):
        response = await post_form(client, f"/network/plan/{plan}/places", PLACE)
        assert response.status_code == 303
    page = await client.get(f"/network/plan/{plan}")
    assert page.text.count("Childcare-compatible hours, Transport") == 3 and "Ormož" in page.text
    assert "Not run yet." in page.text
    response = await post_form(client, f"/network/plan/{plan}/run", {})
    assert response.status_code == 303
    page = await client.get(f"/network/plan/{plan}")
    assert (await NetworkPlan.select(NetworkPlan.status).where(NetworkPlan.id == plan).first())["status"] == "done"
    # Seven in Ormož need transport and childcare hours; nothing within 15 km offers them, the plan does.
    assert _measure(page.text, "without-before") == 15
    assert _measure(page.text, "without-after") == 8
    # Ten places for 17 people who fit them before; the nine new ones all fill (the five in Ormož who spoke
    # Slovene and had no needs move to them, freeing places in Ptuj).
    assert _measure(page.text, "placed-before") == 10
    assert _measure(page.text, "placed-after") == 19
    assert '<th scope="row">Podravska</th>' in page.text.split("<caption>Regions affected")[1]
    # A change after the run marks the result as stale.
    await post_form(client, f"/network/plan/{plan}/places", PLACE)
    assert "The plan changed after this result" in (await client.get(f"/network/plan/{plan}")).text


async def test_taking_places_away_and_comparing_two_plans(client, thin_spot):
    await login(client, "coord")
    mentor = (
        await Opportunity.select(Opportunity.id)
        .where(Opportunity.support_offered == "mentor")
        .order_by(Opportunity.id)
        .first()
    )["id"]
    worse = await _new_plan(client, "Without the Ptuj workshop")
    assert (await post_form(client, f"/network/plan/{worse}/removals", {"opportunity": str(mentor)})).status_code == 303
    await post_form(client, f"/network/plan/{worse}/run", {})
    page = await client.get(f"/network/plan/{worse}")
    assert _measure(page.text, "without-after") == 32  # nobody has a feasible place left
    assert _measure(page.text, "placed-after") == 0
    better = await _new_plan(client, "Ormož places")
    await post_form(client, f"/network/plan/{better}/places", PLACE)
    await post_form(client, f"/network/plan/{better}/run", {})
    listing = await client.get("/network/plan")
    assert "Without the Ptuj workshop" in listing.text and "Ormož places" in listing.text
    compared = await client.get("/network/plan/compare", params={"a": worse, "b": better})
    assert compared.status_code == 200
    sides = compared.text.split('id="compared-')
    assert "Without the Ptuj workshop" in sides[1] and "Ormož places" in sides[2]
    assert "1 opportunity taken away" in sides[1] and "1 place added" in sides[2]
    # The form's empty choice, and a plan that is not there, show the page with what there is.
    one = await client.get("/network/plan/compare", params={"a": worse, "b": ""})
    assert one.status_code == 200 and one.text.count('id="compared-') == 1
    assert (await client.get("/network/plan/compare", params={"a": "x", "b": "-1"})).status_code == 200


async def test_bad_input_is_refused_and_changes_nothing(client, thin_spot):
    await login(client, "coord")
    assert (await post_form(client, "/network/plan", {"name": "  "})).status_code == 422
    assert await NetworkPlan.count() == 0
    plan = await _new_plan(client)
    for bad, field in (
        ({"municipality": "Atlantis"}, "No municipality of that name"),
        ({"capacity": "0"}, "Enter a whole number from 1 to 200."),
        ({"support_offered": ["teleport"]}, "Choose from the list."),
        ({"kind": "<script>"}, "Choose a kind from the list."),
    ):
        response = await post_form(client, f"/network/plan/{plan}/places", {**PLACE, **bad})
        assert response.status_code == 422 and field in response.text
    assert await NetworkPlanPlace.count() == 0
    response = await post_form(client, f"/network/plan/{plan}/removals", {"opportunity": "999999"})
    assert response.status_code == 422 and "No open opportunity has that number." in response.text
    assert (await client.get("/network/plan/999999")).status_code == 404


async def test_only_coordinators_and_admins_plan(client, thin_spot):
    await login(client, "svetovalka")
    assert (await client.get("/network/plan")).status_code == 403
    assert (await post_form(client, "/network/plan", {"name": "Mine"})).status_code == 403
    assert await NetworkPlan.count() == 0


async def test_htmx_gets_the_result_block_and_polling_refreshes(client, thin_spot):
    await login(client, "coord")
    plan = await _new_plan(client)
    await post_form(client, f"/network/plan/{plan}/places", PLACE)
    headers = {"HX-Request": "true"}
    response = await post_form(client, f"/network/plan/{plan}/run", {}, headers=headers)
    assert response.status_code == 200 and "<html" not in response.text
    assert 'data-measure="placed-after"' in response.text
    polled = await client.get(f"/network/plan/{plan}/status", params={"polling": "true"}, headers=headers)
    assert polled.status_code == 200 and polled.headers.get("HX-Refresh") == "true"
    assert (await client.get(f"/network/plan/{plan}/status")).status_code == 303


async def test_a_run_that_died_can_be_started_again(client, thin_spot):
    import datetime as dt

    await login(client, "coord")
    plan = await _new_plan(client)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    await NetworkPlan.update({NetworkPlan.status: "running", NetworkPlan.started_at: long_ago}).where(
        NetworkPlan.id == plan
    )
    assert "The run was interrupted; start it again." in (await client.get(f"/network/plan/{plan}")).text
    await post_form(client, f"/network/plan/{plan}/run", {})
    assert (await NetworkPlan.select(NetworkPlan.status).where(NetworkPlan.id == plan).first())["status"] == "done"
