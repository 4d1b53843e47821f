"""The pages' one calls (views and write services) keep their answers: a 404 for what is not there, a 403
for what the user may not change, and a refused form changes nothing (issue #17)."""

from __future__ import annotations

import pytest

from portal.db.tables import AllocationRound, NetworkPlan, NetworkPlanPlace, Opportunity, Relationship
from portal.outcomes import PageOutcome
from portal.skills.view import add_skill, field_name
from tests.fixtures import login, post_form


def test_an_outcome_either_redirects_or_shows_a_page():
    assert PageOutcome.go("/x").redirect == "/x"
    refused = PageOutcome.refuse({"errors": {"name": "Wrong"}})
    assert (refused.redirect, refused.status_code, refused.context) == (None, 422, {"errors": {"name": "Wrong"}})
    assert PageOutcome.show({}).status_code == 200


async def test_adding_a_skill_to_a_field_name_that_is_refused_keeps_no_text():
    # Neither the field name nor the address is looked up: nothing reaches the database.
    assert field_name("required_skills") == "required_skills" and field_name("Bad-Name") == ""
    added = await add_skill("Bad-Name", "not a skill", "Punctuality", "en")
    assert (added.field, added.text, added.message) == ("", "", "This skill cannot be added here.")


async def test_every_change_to_a_plan_that_is_not_there_is_a_404_and_stores_nothing(client, make_user):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    for path, form in [
        ("/network/plan/999999/places", {"kind": "programme_place", "country": "SI", "capacity": "1"}),
        ("/network/plan/999999/removals", {"opportunity": "1"}),
        ("/network/plan/999999/run", {}),
        ("/network/plan/999999/places/1/delete", {}),
        ("/network/plan/999999/removals/1/delete", {}),
    ]:
        assert (await post_form(client, path, form)).status_code == 404, path
    assert (await client.get("/network/plan/compare?a=999999")).status_code == 404
    assert await NetworkPlan.count() == 0 and await NetworkPlanPlace.count() == 0


async def test_a_refused_plan_name_shows_the_list_again_and_stores_nothing(client, make_user):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    response = await post_form(client, "/network/plan", {"name": ""})
    assert response.status_code == 422 and await NetworkPlan.count() == 0


async def test_sending_or_adjusting_a_round_that_is_not_there_is_a_404(client, make_user):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    assert (await post_form(client, "/matching/rounds/999999/send", {"message": "Hello"})).status_code == 404
    adjusted = await post_form(client, "/matching/rounds/999999/proposals/1", {"opportunity_id": "", "page": "1"})
    assert adjusted.status_code == 404
    assert await AllocationRound.count() == 0


async def test_a_manager_tying_an_organisation_that_is_not_there_gets_a_404(client, make_user, make_org):
    other = await make_org(name="Other")
    await make_user("coord", "coordinator")
    await login(client, "coord")
    response = await post_form(
        client, "/organisations/999999/relationships", {"kind": "cooperation", "other_id": str(other)}
    )
    assert response.status_code == 404 and await Relationship.count() == 0


async def test_editing_an_opportunity_that_is_not_there_is_a_404(client, make_user):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    assert (await client.get("/opportunities/999999/edit")).status_code == 404
    assert (await post_form(client, "/opportunities/999999/edit", {"title": "x"})).status_code == 404
    assert await Opportunity.count() == 0


@pytest.mark.parametrize("hx", [False, True])
async def test_a_new_relationship_answers_with_the_ties_for_htmx_and_a_redirect_without(
    client, make_user, make_org, hx
):
    a = await make_org(name="A")
    b = await make_org(name="B")
    await make_user("coord", "coordinator")
    await login(client, "coord")
    headers = {"HX-Request": "true"} if hx else {}
    response = await post_form(
        client, f"/organisations/{a}/relationships", {"kind": "cooperation", "other_id": str(b)}, headers=headers
    )
    if hx:
        assert response.status_code == 200 and "B" in response.text and "<html" not in response.text
    else:
        assert response.status_code == 303 and response.headers["location"] == f"/organisations/{a}#relationships"
    assert await Relationship.count() == 1
