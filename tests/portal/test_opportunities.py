"""Opportunity pages: posting and editing with the skills picker, the public list and detail, "ours"."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from portal.db.tables import Opportunity, Organisation
from portal.geo import find_place
from portal.opportunities import services
from portal.skills import importer
from tests.fixtures import login, post_form
from tests.flows import CLEAN, OPPORTUNITY_FORM

TEAM = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000001"
VOCABULARY = f"""conceptUri,preferredLabel,altLabels,reuseLevel
{TEAM},work in teams,teamwork,transversal
{CLEAN},cleaning techniques,,cross-sector
"""


async def add_opportunity(organisation_id: int, user_id: int, **overrides: Any) -> int:
    """An opportunity stored directly (as the referrals code or the demo would leave it)."""
    now = dt.datetime.now(dt.UTC)
    values: dict[str, Any] = {
        "kind": "work_trial",
        "title": "Pomočnik v kuhinji",
        "description": "Pomoč pri pripravi kosil.",
        "required_skills": [],
        "optional_skills": [],
        "sector": "food",
        "country": "SI",
        "region": "Podravska",
        "municipality": "Ptuj",
        "latitude": 46.42,
        "longitude": 15.87,
        "hours_per_week": 20,
        "starts_on": None,
        "ends_on": None,
        "capacity": 4,
        "places_taken": 0,
        "support_offered": "mentor",
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
async def vocabulary(db):
    await importer.import_text(VOCABULARY, "en")


@pytest.fixture
async def enterprise(make_org, make_user):
    """A logged-out enterprise user of an organisation in Ptuj: (organisation id, user id)."""
    org_id = await make_org(name="Zadruga Šivalnica", latitude=46.5, longitude=15.9)
    return org_id, await make_user("ent", "enterprise", organisation_id=org_id)


# --- posting ---------------------------------------------------------------------------------


async def test_enterprise_posts_for_its_own_organisation_and_skills_are_recognised(client, vocabulary, enterprise):
    org_id, _ = enterprise
    await login(client, "ent")
    form = await client.get("/opportunities/new")
    assert form.status_code == 200
    assert 'name="organisation_id"' not in form.text  # posts for its own organisation only
    assert 'form="required_skills-finder"' in form.text and 'id="required_skills-finder"' in form.text
    assert "ESCO, European Commission" in form.text
    response = await post_form(client, "/opportunities/new", {**OPPORTUNITY_FORM, "places_taken": "3"})
    assert response.status_code == 303
    opp_id = int(response.headers["location"].rsplit("/", 1)[1])
    stored = await services.get_opportunity(opp_id, None)
    assert stored["organisation_id"] == org_id and stored["places_taken"] == 0
    assert stored["required_skills"] == [{"uri": TEAM, "label": "Work in Teams"}, {"uri": "", "label": "krojenje"}]
    # "teamwork" is the same concept as a required skill: it is not optional as well.
    assert stored["optional_skills"] == [{"uri": CLEAN, "label": "cleaning techniques"}]
    assert stored["support_offered"] == ["mentor", "flexible_hours"] and stored["languages"] == ["sl", "hr"]
    ptuj = find_place("SI", "Ptuj")
    assert (stored["latitude"], stored["longitude"]) == (ptuj.latitude, ptuj.longitude)
    detail = await client.get(f"/opportunities/{opp_id}")
    assert f'<a href="{TEAM}" rel="noopener">Work in Teams</a>' in detail.text
    assert "<li>krojenje</li>" in detail.text and "ESCO, European Commission" in detail.text
    assert f'href="/opportunities/{opp_id}/edit"' in detail.text


async def test_bad_input_rerenders_the_form_with_each_problem_and_stores_nothing(client, enterprise):
    await login(client, "ent")
    bad = {
        **OPPORTUNITY_FORM,
        "title": "",
        "kind": "picnic",
        "sector": "",
        "region": "Atlantis",
        "hours_per_week": "61",
        "capacity": "0",
        "starts_on": "2026-09-01",
        "ends_on": "2026-08-31",
        "support_offered": ["mentor", "free lunch"],
        "required_skills": "sewing <https://example.org/sewing>",
        "status": "secret",
    }
    response = await post_form(client, "/opportunities/new", bad)
    assert response.status_code == 422
    for field in (
        "title",
        "kind",
        "sector",
        "region",
        "hours_per_week",
        "capacity",
        "ends_on",
        "support_offered",
        "required_skills",
        "status",
    ):
        assert f'id="{field}-error"' in response.text, field
    assert "The end cannot be before the start." in response.text
    assert 'aria-invalid="true" aria-describedby="hours_per_week-error"' in response.text
    assert "sewing &lt;https://example.org/sewing&gt;" in response.text  # what was typed stays
    assert await Opportunity.count() == 0


async def test_coordinates_come_from_the_municipality_else_from_the_organisation(client, enterprise):
    org_id, _ = enterprise
    await login(client, "ent")
    response = await post_form(client, "/opportunities/new", {**OPPORTUNITY_FORM, "municipality": "Neznana vas"})
    stored = await services.get_opportunity(int(response.headers["location"].rsplit("/", 1)[1]), None)
    assert (stored["latitude"], stored["longitude"]) == (46.5, 15.9)
    given = await post_form(
        client, "/opportunities/new", {**OPPORTUNITY_FORM, "title": "Drugi", "latitude": "46,1", "longitude": "15.1"}
    )
    stored = await services.get_opportunity(int(given.headers["location"].rsplit("/", 1)[1]), None)
    assert (stored["latitude"], stored["longitude"]) == (46.1, 15.1)


async def test_coordinators_pick_the_organisation_and_counsellors_only_read(client, make_org, make_user):
    target = await make_org(name="Udruga Korak", country="HR", region="Međimurska županija", municipality="Čakovec")
    await make_user("coord", "coordinator")
    await login(client, "coord")
    form = await client.get("/opportunities/new")
    assert 'name="organisation_id"' in form.text and "Udruga Korak" in form.text
    missing = await post_form(client, "/opportunities/new", OPPORTUNITY_FORM)
    assert missing.status_code == 422 and 'id="organisation_id-error"' in missing.text
    # No region or municipality given: the opportunity is where the organisation is.
    at_home = {**OPPORTUNITY_FORM, "organisation_id": str(target), "region": "", "municipality": ""}
    created = await post_form(client, "/opportunities/new", at_home)
    assert created.status_code == 303
    stored = await services.get_opportunity(int(created.headers["location"].rsplit("/", 1)[1]), None)
    assert stored["organisation_id"] == target
    assert (stored["country"], stored["region"], stored["municipality"]) == ("HR", "Međimurska županija", "Čakovec")
    await make_user("ana", "counsellor")
    await login(client, "ana")
    assert (await client.get("/opportunities/new")).status_code == 403
    assert (await post_form(client, "/opportunities/new", OPPORTUNITY_FORM)).status_code == 403


async def test_enterprise_cannot_post_for_another_organisation(client, make_org, enterprise):
    other = await make_org(name="Somebody else")
    await login(client, "ent")
    response = await post_form(client, "/opportunities/new", {**OPPORTUNITY_FORM, "organisation_id": str(other)})
    assert response.status_code == 403 and await Opportunity.count() == 0


# --- editing ---------------------------------------------------------------------------------


async def test_edit_shows_skills_one_per_line_and_keeps_capacity_above_places_taken(client, vocabulary, enterprise):
    org_id, user_id = enterprise
    opp_id = await add_opportunity(
        org_id,
        user_id,
        capacity=5,
        places_taken=3,
        required_skills=[{"uri": CLEAN, "label": "cleaning techniques"}, {"uri": "", "label": "krojenje"}],
    )
    await login(client, "ent")
    form = await client.get(f"/opportunities/{opp_id}/edit")
    assert form.status_code == 200
    assert f"cleaning techniques &lt;{CLEAN}&gt;\nkrojenje</textarea>" in form.text
    assert "3 places are taken by accepted referrals." in form.text
    too_small = await post_form(client, f"/opportunities/{opp_id}/edit", {**OPPORTUNITY_FORM, "capacity": "2"})
    assert too_small.status_code == 422
    assert "3 places are already taken by accepted referrals, so the capacity cannot be lower than 3." in too_small.text
    assert (await services.get_opportunity(opp_id, None))["title"] == "Pomočnik v kuhinji"
    saved = await post_form(
        client,
        f"/opportunities/{opp_id}/edit",
        {**OPPORTUNITY_FORM, "capacity": "3", "places_taken": "0", "status": "closed"},
    )
    assert saved.status_code == 303
    stored = await services.get_opportunity(opp_id, await _as_user(user_id))
    assert (stored["capacity"], stored["places_taken"], stored["status"]) == (3, 3, "closed")
    assert stored["title"] == OPPORTUNITY_FORM["title"]


async def test_moving_the_place_moves_the_coordinates(client, enterprise):
    org_id, user_id = enterprise
    opp_id = await add_opportunity(org_id, user_id)
    await login(client, "ent")
    form = (await client.get(f"/opportunities/{opp_id}/edit")).text
    shown = {
        name: re.search(rf'id="{name}" name="{name}" type="text" value="([^"]*)"', form).group(1)
        for name in ("latitude", "longitude")
    }
    moved = {**OPPORTUNITY_FORM, "municipality": "Ormož", **shown}
    assert (await post_form(client, f"/opportunities/{opp_id}/edit", moved)).status_code == 303
    stored = await services.get_opportunity(opp_id, None)
    ormoz = find_place("SI", "Ormož")
    assert (stored["latitude"], stored["longitude"]) == (ormoz.latitude, ormoz.longitude)


async def test_only_the_organisation_and_managers_edit(client, make_org, make_user, enterprise):
    org_id, user_id = enterprise
    opp_id = await add_opportunity(org_id, user_id)
    other = await make_org(name="Other enterprise")
    await make_user("rival", "enterprise", organisation_id=other)
    await login(client, "rival")
    assert (await client.get(f"/opportunities/{opp_id}/edit")).status_code == 403
    assert (await post_form(client, f"/opportunities/{opp_id}/edit", OPPORTUNITY_FORM)).status_code == 403
    await make_user("colleague", "counsellor", organisation_id=org_id)
    await login(client, "colleague")
    assert (await client.get(f"/opportunities/{opp_id}/edit")).status_code == 403
    assert 'href="/opportunities/' + str(opp_id) + '/edit"' not in (await client.get(f"/opportunities/{opp_id}")).text
    await make_user("admin", "admin")
    await login(client, "admin")
    assert (await post_form(client, f"/opportunities/{opp_id}/edit", OPPORTUNITY_FORM)).status_code == 303


# --- list, detail, ours ----------------------------------------------------------------------


async def test_public_list_shows_open_ones_searches_and_filters(client, make_org, make_user):
    org_id = await make_org(name="Zadruga Čebela")
    user_id = await make_user("ent", "enterprise", organisation_id=org_id)
    await add_opportunity(org_id, user_id, title="Šivanje torb", sector="textiles", capacity=5, places_taken=2)
    await add_opportunity(
        org_id,
        user_id,
        title="Vrtnarjenje",
        sector="agriculture",
        kind="volunteering",
        country="HR",
        region="Međimurska županija",
        municipality="Čakovec",
    )
    await add_opportunity(org_id, user_id, title="Skrivni osnutek", status="draft")
    await add_opportunity(org_id, user_id, title="Zaprto mesto", status="closed")
    page = await client.get("/opportunities/")
    assert page.status_code == 200 and "2 open opportunities found" in page.text
    assert "Šivanje torb" in page.text and "Skrivni osnutek" not in page.text and "Zaprto mesto" not in page.text
    assert "3 of 5" in page.text  # places left

    async def titles(**params):
        text = (await client.get("/opportunities/", params=params, headers={"HX-Request": "true"})).text
        assert "<html" not in text
        return {t for t in ("Šivanje torb", "Vrtnarjenje") if t in text}

    assert await titles(q="sivanje") == {"Šivanje torb"}
    assert await titles(q="cebela") == {"Šivanje torb", "Vrtnarjenje"}  # the organisation's name
    assert await titles(sector="agriculture") == {"Vrtnarjenje"}
    assert await titles(kind="volunteering") == {"Vrtnarjenje"}
    assert await titles(country="HR") == {"Vrtnarjenje"}
    assert await titles(region="Podravska") == {"Šivanje torb"}
    fragment = await client.get("/opportunities/", params={"q": "torb"}, headers={"HX-Request": "true"})
    assert fragment.headers["vary"] == "HX-Request" and "1 open opportunity found" in fragment.text


async def test_list_is_paginated(client, make_org, make_user):
    org_id = await make_org()
    user_id = await make_user("ent", "enterprise", organisation_id=org_id)
    for n in range(23):
        await add_opportunity(org_id, user_id, title=f"Mesto {n:02d}")
    first = await client.get("/opportunities/")
    assert "Page 1 of 2" in first.text and 'rel="next"' in first.text
    second = await client.get("/opportunities/", params={"page": 2})
    assert second.text.count('<a href="/opportunities/') - second.text.count("/edit") >= 3
    assert (await client.get("/opportunities/", params={"page": 0})).status_code == 400


async def test_filtered_pages_list_each_match_once_newest_first_with_its_organisation(client, make_org, make_user):
    org_id = await make_org(name="Zadruga Podravje")
    user_id = await make_user("ent", "enterprise", organisation_id=org_id)
    stamp = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    wanted = []
    for n in range(45):
        # Every third one is another kind, and the stamps repeat: the id breaks the ties.
        kind = "job" if n % 3 == 0 else "work_trial"
        opp = await add_opportunity(org_id, user_id, title=f"Mesto {n:02d}", kind=kind)
        await Opportunity.update({Opportunity.created_at: stamp + dt.timedelta(hours=n // 4)}).where(
            Opportunity.id == opp
        )
        if kind == "work_trial":
            wanted.append((stamp + dt.timedelta(hours=n // 4), opp))
    newest_first = [opp for _, opp in sorted(wanted, reverse=True)]
    filters = services.OpportunityFilters(kind="work_trial", country="SI")
    pages = [await services.search_opportunities(filters, page, per_page=7) for page in (1, 2, 3, 4, 5)]
    assert [row["id"] for page in pages for row in page.items] == newest_first
    assert pages[0].total == 30 and [len(page.items) for page in pages] == [7, 7, 7, 7, 2]
    assert all(row["organisation_name"] == "Zadruga Podravje" and row["places_left"] == 4 for row in pages[2].items)


async def test_drafts_are_hidden_from_everyone_but_the_organisation_and_managers(
    client, make_org, make_user, enterprise
):
    org_id, user_id = enterprise
    draft = await add_opportunity(org_id, user_id, title="Osnutek", status="draft")
    assert (await client.get(f"/opportunities/{draft}")).status_code == 404
    await make_user("outsider", "counsellor", organisation_id=await make_org(name="CSD"))
    await login(client, "outsider")
    assert (await client.get(f"/opportunities/{draft}")).status_code == 404
    assert (await client.get(f"/opportunities/{draft}/edit")).status_code == 404
    await make_user("colleague", "counsellor", organisation_id=org_id)
    await login(client, "colleague")
    assert "Osnutek" in (await client.get(f"/opportunities/{draft}")).text
    await make_user("coord", "coordinator")
    await login(client, "coord")
    page = await client.get(f"/opportunities/{draft}")
    assert page.status_code == 200 and "only your organisation and the programme coordinators" in page.text
    assert (await client.get("/opportunities/424242")).status_code == 404


async def test_ours_lists_every_status_of_the_own_organisation(client, make_org, make_user, enterprise):
    org_id, user_id = enterprise
    for status in ("draft", "open", "closed"):
        await add_opportunity(org_id, user_id, title=f"Naše {status}", status=status)
    other = await make_org(name="Other")
    await add_opportunity(other, user_id, title="Tuje mesto")
    await login(client, "ent")
    page = await client.get("/opportunities/mine")
    assert page.status_code == 200
    assert all(f"Naše {status}" in page.text for status in ("draft", "open", "closed"))
    assert "Tuje mesto" not in page.text
    await make_user("ana", "counsellor", organisation_id=org_id)
    await login(client, "ana")
    assert (await client.get("/opportunities/mine")).status_code == 403


async def _as_user(user_id: int):
    from portal.auth.current_user import CurrentUser
    from portal.db.tables import PortalUser

    row = (
        await PortalUser.select(PortalUser.username, PortalUser.role, PortalUser.organisation)
        .where(PortalUser.id == user_id)
        .first()
    )
    return CurrentUser(user_id, row["username"], row["username"], row["role"], row["organisation"], "", "en")
