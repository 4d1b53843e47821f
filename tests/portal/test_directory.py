"""The organisation directory pages: search, filters, detail, forms and relationships."""

from __future__ import annotations

import pytest

from portal.db.tables import Organisation, Relationship
from tests.fixtures import login, post_form

VALID_FORM = {
    "name": "Udruga Korak dalje",
    "kind": "ngo",
    "country": "HR",
    "region": "Međimurska županija",
    "municipality": "Čakovec",
    "languages": ["hr", "en"],
    "email": "info@korak.example.org",
}


async def test_directory_lists_and_searches_without_diacritics(client, make_org):
    await make_org(
        name="Centar za socijalnu skrb Čakovec",
        kind="social_work_centre",
        country="HR",
        region="Međimurska županija",
        municipality="Čakovec",
    )
    await make_org(name="Zadruga Zeleni krog")
    page = await client.get("/organisations/")
    assert page.status_code == 200
    assert "Zadruga Zeleni krog" in page.text and "Centar za socijalnu skrb" in page.text
    found = await client.get("/organisations/", params={"q": "cakovec"})
    assert "Centar za socijalnu skrb Čakovec" in found.text
    assert "Zadruga Zeleni krog" not in found.text


async def test_search_as_you_type_returns_only_the_results_block(client, make_org):
    await make_org(name="Zadruga Zeleni krog")
    fragment = await client.get("/organisations/", params={"q": "zelen"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and "Zadruga Zeleni krog" in fragment.text
    assert "1 organisation found" in fragment.text
    assert fragment.headers["vary"] == "HX-Request"
    # A boosted or history-restore request still gets the whole page.
    full = await client.get(
        "/organisations/", params={"q": "zelen"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in full.text


async def test_filters_by_kind_country_region_and_municipality(client, make_org):
    await make_org(name="Alpha", kind="ngo", country="SI", region="Savinjska", municipality="Celje")
    await make_org(name="Beta", kind="employer", country="SI", region="Podravska", municipality="Ptuj")
    await make_org(name="Gamma", kind="ngo", country="HR", region="Varaždinska županija", municipality="Varaždin")

    async def names(**params):
        text = (await client.get("/organisations/", params=params, headers={"HX-Request": "true"})).text
        return {n for n in ("Alpha", "Beta", "Gamma") if f">{n}<" in text}

    assert await names(kind="ngo") == {"Alpha", "Gamma"}
    assert await names(country="HR") == {"Gamma"}
    assert await names(region="Podravska") == {"Beta"}
    assert await names(municipality="Celje") == {"Alpha"}
    assert await names(kind="ngo", country="SI") == {"Alpha"}


async def test_directory_is_paginated(client, make_org):
    for n in range(25):
        await make_org(name=f"Organisation {n:02d}")
    first = await client.get("/organisations/")
    assert "Organisation 00" in first.text and "Organisation 20" not in first.text
    assert "Page 1 of 2" in first.text and 'rel="next"' in first.text
    second = await client.get("/organisations/", params={"page": 2})
    assert "Organisation 20" in second.text and "Organisation 00" not in second.text
    assert (await client.get("/organisations/", params={"page": 0})).status_code == 400


async def test_public_detail_hides_the_contact_person(client, make_org, make_user):
    org_id = await make_org(contact_person="Head of programmes")
    public = await client.get(f"/organisations/{org_id}")
    assert public.status_code == 200 and "Zadruga Testni krog" in public.text
    assert "Head of programmes" not in public.text
    await make_user("ana", "counsellor")
    await login(client, "ana")
    assert "Head of programmes" in (await client.get(f"/organisations/{org_id}")).text


async def test_unknown_organisation_is_a_404_page(client, db):
    response = await client.get("/organisations/999999")
    assert response.status_code == 404 and "Page not found" in response.text
    assert (await client.get("/organisations/99999999999")).status_code == 400


async def test_coordinator_creates_an_organisation_placed_at_its_municipality(client, make_user):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    response = await post_form(client, "/organisations/new", VALID_FORM)
    assert response.status_code == 303
    row = await Organisation.select().where(Organisation.name == "Udruga Korak dalje").order_by(Organisation.id).first()
    assert response.headers["location"] == f"/organisations/{row['id']}"
    assert row["languages"] == "hr,en" and row["latitude"] is not None


async def test_bad_input_rerenders_the_form_with_each_problem_and_saves_nothing(client, make_user):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    before = await Organisation.count()
    bad = {
        **VALID_FORM,
        "name": "",
        "kind": "bakery",
        "region": "Atlantis",
        "email": "not-an-address",
        "latitude": "95",
    }
    response = await post_form(client, "/organisations/new", bad)
    assert response.status_code == 422
    for message in (
        "Enter the organisation&#39;s name.",
        "Choose a kind of organisation.",
        "Choose one of this country&#39;s regions or counties.",
        "Enter an e-mail address",
        "Enter a number between -90 and 90.",
    ):
        assert message in response.text
    assert 'value="not-an-address"' in response.text  # what was typed is kept
    assert await Organisation.count() == before


async def test_counsellor_cannot_create_organisations(client, make_user):
    await make_user("ana", "counsellor")
    await login(client, "ana")
    assert (await client.get("/organisations/new")).status_code == 403
    assert (await post_form(client, "/organisations/new", VALID_FORM)).status_code == 403


async def test_users_edit_their_own_organisation_but_not_others(client, make_org, make_user):
    own = await make_org(name="Own enterprise")
    other = await make_org(name="Other enterprise")
    await make_user("ent", "enterprise", organisation_id=own)
    await login(client, "ent")
    assert (await client.get(f"/organisations/{own}/edit")).status_code == 200
    form = {
        **VALID_FORM,
        "name": "Own enterprise renamed",
        "kind": "social_enterprise",
        "country": "SI",
        "region": "Podravska",
        "municipality": "Ptuj",
    }
    # What the organisation is and where it is registered stay a coordinator's call.
    changed_kind = await post_form(client, f"/organisations/{own}/edit", {**form, "kind": "ministry"})
    assert changed_kind.status_code == 422 and "Only a coordinator can change the kind" in changed_kind.text
    assert (await post_form(client, f"/organisations/{own}/edit", form)).status_code == 303
    assert (await Organisation.select(Organisation.name).where(Organisation.id == own).first())[
        "name"
    ] == "Own enterprise renamed"
    assert (await client.get(f"/organisations/{other}/edit")).status_code == 403
    assert (await post_form(client, f"/organisations/{other}/edit", form)).status_code == 403
    assert (await Organisation.select(Organisation.name).where(Organisation.id == other).first())[
        "name"
    ] == "Other enterprise"


async def test_relationships_are_added_edited_and_removed_on_the_organisation_page(client, make_org, make_user):
    a = await make_org(name="Centre A", kind="social_work_centre")
    b = await make_org(name="Enterprise B")
    await make_user("coord", "coordinator")
    await login(client, "coord")
    response = await post_form(
        client,
        f"/organisations/{a}/relationships",
        {
            "kind": "referral_agreement",
            "other_id": str(b),
            "direction": "outgoing",
            "since": "2019-01-01",
            "strength": "4",
        },
    )
    assert response.status_code == 303
    tie = await Relationship.select().order_by(Relationship.id).first()
    assert (tie["source"], tie["target"], tie["kind"], tie["strength"]) == (a, b, "referral_agreement", 4)
    page = await client.get(f"/organisations/{b}")
    assert "Centre A" in page.text and "Referral agreement" in page.text
    # The same tie twice is refused with a message.
    again = await post_form(
        client,
        f"/organisations/{a}/relationships",
        {"kind": "referral_agreement", "other_id": str(b), "direction": "outgoing"},
    )
    assert again.status_code == 422 and "already have a relationship of this kind" in again.text
    # Until before since is refused, and nothing changes.
    bad = await post_form(
        client,
        f"/relationships/{tie['id']}/edit",
        {"kind": "cooperation", "since": "2020-01-01", "until": "2019-01-01", "strength": "3", "back": str(b)},
    )
    assert bad.status_code == 422 and "The end cannot be before the start." in bad.text
    assert (await Relationship.select(Relationship.kind).order_by(Relationship.id).first())[
        "kind"
    ] == "referral_agreement"
    ok = await post_form(
        client,
        f"/relationships/{tie['id']}/edit",
        {"kind": "cooperation", "since": "2020-01-01", "until": "2021-06-30", "strength": "2", "back": str(b)},
    )
    assert ok.status_code == 303 and ok.headers["location"] == f"/organisations/{b}#relationships"
    assert (await Relationship.select(Relationship.kind).order_by(Relationship.id).first())["kind"] == "cooperation"
    gone = await post_form(client, f"/relationships/{tie['id']}/delete", {"back": str(a)})
    assert gone.status_code == 303 and await Relationship.count() == 0


async def test_adding_a_relationship_with_htmx_returns_the_updated_block(client, make_org, make_user):
    a = await make_org(name="Centre A")
    b = await make_org(name="Enterprise B")
    await make_user("coord", "coordinator")
    await login(client, "coord")
    response = await post_form(
        client,
        f"/organisations/{a}/relationships",
        {"kind": "cooperation", "other_id": str(b)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="relationships"') and "Enterprise B" in response.text


async def test_a_relationship_to_itself_or_to_nothing_is_refused(client, make_org, make_user):
    a = await make_org(name="Centre A")
    await make_user("coord", "coordinator")
    await login(client, "coord")
    self_tie = await post_form(client, f"/organisations/{a}/relationships", {"kind": "cooperation", "other_id": str(a)})
    assert self_tie.status_code == 422 and "cannot have a relationship with itself" in self_tie.text
    nothing = await post_form(client, f"/organisations/{a}/relationships", {"kind": "cooperation", "other_id": ""})
    assert nothing.status_code == 422 and "Choose an organisation from the list." in nothing.text
    assert await Relationship.count() == 0


async def test_users_edit_only_relationships_of_their_organisation(client, make_org, make_user):
    own = await make_org(name="Own")
    x = await make_org(name="X")
    y = await make_org(name="Y")
    from portal.organisations import services

    foreign = await services.create_relationship(
        x, y, {"kind": "cooperation", "since": None, "until": None, "strength": 3, "note": ""}
    )
    await make_user("ent", "enterprise", organisation_id=own)
    await login(client, "ent")
    assert (await client.get(f"/relationships/{foreign}/edit")).status_code == 403
    assert (await post_form(client, f"/relationships/{foreign}/delete", {})).status_code == 403
    assert (
        await post_form(client, f"/organisations/{x}/relationships", {"kind": "cooperation", "other_id": str(y)})
    ).status_code == 403
    assert await Relationship.count() == 1
    mine = await post_form(client, f"/organisations/{own}/relationships", {"kind": "cooperation", "other_id": str(x)})
    assert mine.status_code == 303


async def test_municipality_must_lie_in_the_region(client, make_user):
    await make_user("coord", "coordinator")
    await login(client, "coord")
    response = await post_form(client, "/organisations/new", {**VALID_FORM, "region": "Varaždinska županija"})
    assert response.status_code == 422 and "Čakovec lies in Međimurska županija." in response.text


async def test_only_coordinators_record_programme_partnerships(client, make_org, make_user):
    own = await make_org(name="Own")
    lead = await make_org(name="Lead partner")
    from portal.organisations import services

    tie = await services.create_relationship(
        lead, own, {"kind": "project_partner", "since": None, "until": None, "strength": 5, "note": ""}
    )
    await make_user("ent", "enterprise", organisation_id=own)
    await login(client, "ent")
    assert (await client.get(f"/relationships/{tie}/edit")).status_code == 403
    assert (await post_form(client, f"/relationships/{tie}/delete", {})).status_code == 403
    claim = await post_form(
        client, f"/organisations/{own}/relationships", {"kind": "associated_partner", "other_id": str(lead)}
    )
    assert claim.status_code == 422 and "Only a coordinator records programme partnerships." in claim.text
    assert await Relationship.count() == 1


async def test_odd_ids_in_forms_are_refused_cleanly(client, make_org, make_user):
    a = await make_org(name="A")
    await make_user("coord", "coordinator")
    await login(client, "coord")
    for odd in ("²", "9" * 5000, "-1", " 1"):
        response = await post_form(
            client, f"/organisations/{a}/relationships", {"kind": "cooperation", "other_id": odd}
        )
        assert response.status_code == 422, odd


async def test_logged_in_pages_are_not_stored_and_htmx_logins_redirect(client, make_user):
    public = await client.get("/organisations/")
    assert "cache-control" not in public.headers
    await make_user("ana", "counsellor")
    await login(client, "ana")
    assert (await client.get("/organisations/")).headers["cache-control"] == "no-store"
    client.cookies.clear()
    htmx = await client.get("/organisations/new", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"].startswith("/login?next=")


async def test_the_database_refuses_a_duplicate_tie_too(make_org):
    from portal.organisations import services

    a, b = await make_org(name="A"), await make_org(name="B")
    values = {"kind": "cooperation", "since": None, "until": None, "strength": 3, "note": ""}
    await services.create_relationship(a, b, values)
    # Bypass the service's own check, as a concurrent request would.
    with pytest.raises(Exception) as caught:
        await Relationship.insert(Relationship(source=a, target=b, **values))
    assert services._is_unique_violation(caught.value)


async def test_organisation_pickers_list_twenty_and_find_the_rest(client, make_org, make_user):
    own = await make_org(name="Center za socialno delo Ptuj", kind="social_work_centre")
    for number in range(25):
        await make_org(name=f"Društvo {number:02}")
    far = await make_org(name="Zadruga Čakovec")
    await make_user("coord", "coordinator")
    await login(client, "coord")

    page = (await client.get(f"/organisations/{own}")).text
    assert 'id="other_id"' in page and "find by name or place to narrow the list" in page
    assert page.count("Društvo ") == 19 and "Zadruga Čakovec" not in page  # 20 by name, itself left out

    found = (await client.get(f"/organisations/{own}", params={"org_q": "cakovec"})).text  # without JavaScript
    assert f'<option value="{far}">Zadruga Čakovec' in found and "Društvo 00" not in found

    fragment = await client.get(
        "/organisations/choices",
        params={"field": "other_id", "org_q": "čakovec", "exclude": str(own)},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'id="other_id-choices"' in fragment.text and f'value="{far}"' in fragment.text
    none = await client.get("/organisations/choices", params={"field": "other_id", "org_q": "nikjer"})
    assert "No organisation matches" in none.text
    assert (await client.get("/organisations/choices", params={"field": "password"})).status_code == 404

    # A form shown again keeps the organisation chosen, even one the list would not show.
    refused = await post_form(client, f"/organisations/{own}/relationships", {"kind": "", "other_id": str(far)})
    assert refused.status_code == 422 and f'<option value="{far}" selected>' in refused.text

    new = (await client.get("/opportunities/new", params={"org_q": "zadruga"})).text
    assert 'id="organisation_id"' in new and f'value="{far}"' in new and "Društvo 00" not in new
