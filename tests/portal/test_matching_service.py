"""The portal's use of the matching library: records, placements for a case, candidates for an opportunity."""

from __future__ import annotations

import json
import re

import pytest

from portal.db.tables import AuditEvent, Participant, Referral
from portal.matching_service import person_cache, records, services
from tests.factories import make_opportunity
from tests.fixtures import login, post_form
from tests.flows import CASE, open_case


def _skills(*labels: str) -> str:
    return json.dumps([{"uri": "", "label": label} for label in labels])


async def placements_setting(client, make_user, make_org):
    """A counsellor's case (Ptuj, 25 km, sl, needs a mentor, sorting/cleaning) and opportunities around it."""
    centre = await make_org(name="Centre for social work")
    host = await make_org(name="Repair cooperative")
    await make_user("ana", "counsellor", organisation_id=centre)
    host_user = await make_user("host", "enterprise", organisation_id=host)
    await login(client, "ana")
    participant = await open_case(client)
    opp = {
        "good": await make_opportunity(host, host_user, title="Sorting helper", required_skills=_skills("sorting")),
        "weaker": await make_opportunity(
            host, host_user, title="Kitchen help", sector="food", required_skills=_skills("welding")
        ),
        "closed": await make_opportunity(host, host_user, title="Closed one", status="closed"),
        "full": await make_opportunity(host, host_user, title="Full one", capacity=2, places_taken=2),
        "far": await make_opportunity(host, host_user, title="Far away", latitude=46.05, longitude=14.51),
        "croatian": await make_opportunity(host, host_user, title="Croatian only", languages="hr"),
        "no_mentor": await make_opportunity(host, host_user, title="No mentor", support_offered=""),
    }
    return participant, opp, host, host_user


def test_records_carry_nothing_personal():
    row = {
        "id": 5,
        "first_name": "Mojca",
        "last_name": "Testna",
        "birth_year": 1980,
        "phone": "1",
        "email": "a@b",
        "skills": _skills("sorting"),
        "interests": "reuse_repair",
        "languages": "sl,en",
        "hours_per_week": 20,
        "travel_km": 25,
        "latitude": 46.42,
        "longitude": 15.87,
        "support_needs": "mentor",
        "available_from": None,
    }
    person = records.person(row)
    assert person.id == 5 and person.languages == {"sl", "en"} and person.support_needs == {"mentor"}
    assert [s.label for s in person.skills] == ["sorting"] and person.travel_radius_km == 25
    assert "Mojca" not in repr(person) and "1980" not in repr(person) and "a@b" not in repr(person)
    place = records.opportunity(
        {
            "id": 9,
            "required_skills": _skills("sorting"),
            "optional_skills": "[]",
            "sector": "food",
            "languages": "sl",
            "hours_per_week": 20,
            "latitude": None,
            "longitude": None,
            "support_offered": "mentor,flexible_hours",
            "starts_on": None,
            "ends_on": None,
            "capacity": 3,
            "places_taken": 1,
            "status": "open",
        }
    )
    assert place.places_left == 2 and place.sectors == {"food"} and place.location is None


async def test_placements_are_ranked_explained_and_never_break_hard_constraints(client, make_user, make_org):
    participant, opp, *_ = await placements_setting(client, make_user, make_org)
    found = await services.placements_for(participant)
    ids = [p["opportunity_id"] for p in found]
    assert ids == [opp["good"], opp["weaker"]]
    assert found[0]["score"] > found[1]["score"]
    best = found[0]
    assert [m["label"] for m in best["matched_skills"]] == ["sorting"]
    assert best["missing_required"] == [] and found[1]["missing_required"] == ["welding"]
    assert best["distance_km"] == 0.0 and best["support_offered"] == ["mentor"]
    assert abs(sum(best["contributions"].values()) - best["score"]) < 1e-6
    assert best["show_scores"] and best["title"] == "Sorting helper"


async def test_an_empty_profile_gets_the_note_and_no_scores(client, make_user, make_org):
    participant, opp, *_ = await placements_setting(client, make_user, make_org)
    await Participant.update(
        {Participant.skills: "[]", Participant.interests: "", Participant.support_needs: ""}
    ).where(Participant.id == participant)
    found = await services.placements_for(participant)
    assert found and all(p["notes"] == ["empty_profile"] and not p["show_scores"] for p in found)
    assert opp["far"] not in {p["opportunity_id"] for p in found}


async def test_case_page_loads_placements_as_a_fragment_with_a_page_fallback(client, make_user, make_org):
    participant, opp, *_ = await placements_setting(client, make_user, make_org)
    page = await client.get(f"/cases/{participant}")
    assert f'hx-get="/cases/{participant}/placements"' in page.text
    assert f'href="/cases/{participant}/placements"' in page.text
    fragment = await client.get(f"/cases/{participant}/placements", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.index("Sorting helper") < fragment.text.index("Kitchen help")
    for hidden in ("Closed one", "Full one", "Far away", "Croatian only", "No mentor"):
        assert hidden not in fragment.text
    assert "welding" in fragment.text and "sorting" in fragment.text and "km" in fragment.text
    assert f'action="/cases/{participant}/referrals"' in fragment.text
    assert (
        f'name="opportunity_id" value="{opp["good"]}"' in fragment.text and 'name="send" value="now"' in fragment.text
    )
    assert 'name="_csrf_token"' in fragment.text
    full = await client.get(f"/cases/{participant}/placements")
    assert full.status_code == 200 and "<html" in full.text and "Sorting helper" in full.text
    events = await AuditEvent.select(AuditEvent.detail).where(
        (AuditEvent.record_id == participant) & (AuditEvent.detail == "placement suggestions")
    )
    assert len(events) == 2


async def test_refer_from_a_suggestion_sends_the_referral(client, make_user, make_org):
    participant, opp, *_ = await placements_setting(client, make_user, make_org)
    fragment = await client.get(f"/cases/{participant}/placements", headers={"HX-Request": "true"})
    token = re.search(r'name="_csrf_token" value="([^"]+)"', fragment.text)[1]
    response = await client.post(
        f"/cases/{participant}/referrals",
        data={"_csrf_token": token, "opportunity_id": str(opp["good"]), "send": "now"},
    )
    assert response.status_code == 303
    referral = (
        await Referral.select(Referral.status).where(Referral.participant == participant).order_by(Referral.id).first()
    )
    assert referral["status"] == "sent"


async def test_empty_profile_page_shows_the_note_and_no_scores(client, make_user, make_org):
    participant, *_ = await placements_setting(client, make_user, make_org)
    await Participant.update(
        {Participant.skills: "[]", Participant.interests: "", Participant.support_needs: ""}
    ).where(Participant.id == participant)
    fragment = await client.get(f"/cases/{participant}/placements", headers={"HX-Request": "true"})
    assert "Not enough information to rank" in fragment.text
    assert "Score parts" not in fragment.text and "Fit " not in fragment.text


async def test_outsiders_get_404_for_placements(client, make_user, make_org):
    participant, _, host, _ = await placements_setting(client, make_user, make_org)
    for username, role, org in (("other", "counsellor", None), ("host2", "enterprise", host), ("boss", "admin", None)):
        await make_user(username, role, organisation_id=org)
        client.cookies.clear()
        await login(client, username)
        assert (await client.get(f"/cases/{participant}/placements")).status_code == 404


async def candidates_setting(client, make_user, make_org):
    """Two consenting participants in activation, one without consent, one still at intake; the host's opportunity."""
    participant, opp, host, host_user = await placements_setting(client, make_user, make_org)
    second = await open_case(client, first_name="Janez", last_name="Drugi", skills="welding")
    no_consent = await open_case(client, first_name="Brez", last_name="Soglasja")
    at_intake = await open_case(client, first_name="Na", last_name="Vstopu")
    for pid in (participant, second, no_consent):
        await post_form(client, f"/cases/{pid}/stage", {"stage": "activation"})
    for pid in (participant, second, at_intake):
        await post_form(client, f"/cases/{pid}/consents", {"scope": "employer_profile", "decision": "give"})
    await post_form(client, f"/cases/{no_consent}/consents", {"scope": "case_team", "decision": "give"})
    codes = {
        pid: (await Participant.select(Participant.code).where(Participant.id == pid).first())["code"]
        for pid in (participant, second, no_consent, at_intake)
    }
    return {"ids": (participant, second, no_consent, at_intake), "codes": codes, "opp": opp, "host": host}


async def test_candidates_need_current_consent_and_an_active_stage(client, make_user, make_org):
    s = await candidates_setting(client, make_user, make_org)
    participant, second, no_consent, at_intake = s["ids"]
    found = await services.candidates_for(s["opp"]["good"])
    assert [c["participant_id"] for c in found] == [participant, second]
    assert found[0]["missing_required"] == [] and found[0]["distance_km"] is None and found[0]["support_offered"] == []
    # Withdrawing consent removes the person at once.
    await post_form(client, f"/cases/{participant}/consents", {"scope": "employer_profile", "decision": "withdraw"})
    assert [c["participant_id"] for c in await services.candidates_for(s["opp"]["good"])] == [second]


async def test_the_posting_organisation_sees_pseudonymous_candidates_only(client, make_user, make_org):
    s = await candidates_setting(client, make_user, make_org)
    participant, second, no_consent, at_intake = s["ids"]
    client.cookies.clear()
    await login(client, "host")
    page = await client.get(f"/opportunities/{s['opp']['good']}")
    assert f'hx-get="/opportunities/{s["opp"]["good"]}/candidates"' in page.text
    fragment = await client.get(f"/opportunities/{s['opp']['good']}/candidates", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    text = fragment.text
    assert s["codes"][participant] in text and s["codes"][second] in text
    assert s["codes"][no_consent] not in text and s["codes"][at_intake] not in text
    assert text.index(s["codes"][participant]) < text.index(s["codes"][second])
    assert "Podravska" in text and "sorting" in text and "Score parts" in text
    for secret in ("Mojca", "Testna", "Janez", "Drugi", "1980", "Ptuj", "km away", "Mentor"):
        assert secret not in text, secret
    full = await client.get(f"/opportunities/{s['opp']['good']}/candidates")
    assert full.status_code == 200 and "<html" in full.text and s["codes"][second] in full.text
    events = await AuditEvent.select(AuditEvent.record_id).where(
        AuditEvent.detail == f"candidate list for opportunity {s['opp']['good']}"
    )
    assert sorted(e["record_id"] for e in events) == sorted([participant, second] * 2)
    await post_form_as(
        client, "ana", f"/cases/{participant}/consents", {"scope": "employer_profile", "decision": "withdraw"}
    )
    client.cookies.clear()
    await login(client, "host")
    again = await client.get(f"/opportunities/{s['opp']['good']}/candidates", headers={"HX-Request": "true"})
    assert s["codes"][participant] not in again.text and s["codes"][second] in again.text


async def test_others_get_404_for_candidates_and_no_section(client, make_user, make_org):
    s = await candidates_setting(client, make_user, make_org)
    url = f"/opportunities/{s['opp']['good']}/candidates"
    for username, role, org in (("ana", None, None), ("other-host", "enterprise", None), ("emp", "employer", None)):
        if role:
            await make_user(username, role, organisation_id=org)
        client.cookies.clear()
        await login(client, username)
        assert (await client.get(url)).status_code == 404, username
        assert (
            f"/opportunities/{s['opp']['good']}/candidates"
            not in (await client.get(f"/opportunities/{s['opp']['good']}")).text
        )
    client.cookies.clear()
    assert (await client.get(url)).status_code in (401, 303)
    for username, role in (("coord", "coordinator"), ("adm", "admin")):
        await make_user(username, role)
        client.cookies.clear()
        await login(client, username)
        assert (await client.get(url)).status_code == 200, username


async def post_form_as(client, username, path, data):
    client.cookies.clear()
    await login(client, username)
    return await post_form(client, path, data)


async def test_the_index_follows_new_closed_and_filled_opportunities_without_a_rebuild(client, make_user, make_org):
    import datetime as dt

    from portal.db.tables import Opportunity
    from portal.matching_service import live_index

    participant, opp, host, host_user = await placements_setting(client, make_user, make_org)
    first = [p["opportunity_id"] for p in await services.placements_for(participant)]
    index = live_index._state.index
    newer = await make_opportunity(host, host_user, title="Sorting, second shift", required_skills=_skills("sorting"))
    assert newer in [p["opportunity_id"] for p in await services.placements_for(participant)]
    assert live_index._state.index is index  # followed, not rebuilt

    now = dt.datetime.now(dt.UTC)
    await Opportunity.update({Opportunity.status: "closed", Opportunity.updated_at: now}).where(Opportunity.id == newer)
    await Opportunity.update({Opportunity.places_taken: Opportunity.capacity, Opportunity.updated_at: now}).where(
        Opportunity.id == opp["good"]
    )
    after = [p["opportunity_id"] for p in await services.placements_for(participant)]
    assert newer not in after and opp["good"] not in after and opp["weaker"] in after

    live_index.forget()  # what a restart does: the rebuilt index ranks the same
    assert [p["opportunity_id"] for p in await services.placements_for(participant)] == after
    assert first[0] == opp["good"]


async def test_a_place_taken_elsewhere_is_left_out_even_before_the_index_hears_of_it(client, make_user, make_org):
    from portal.db.tables import Opportunity

    participant, opp, *_ = await placements_setting(client, make_user, make_org)
    await services.placements_for(participant)
    # Another process fills the place without touching updated_at: the fresh read still drops it.
    await Opportunity.update({Opportunity.places_taken: Opportunity.capacity}).where(Opportunity.id == opp["good"])
    assert opp["good"] not in [p["opportunity_id"] for p in await services.placements_for(participant)]


async def test_a_place_with_an_earlier_referral_is_set_apart_with_its_date_and_reason(client, make_user, make_org):
    from tests.flows import refer, step, switch

    participant, opp, *_ = await placements_setting(client, make_user, make_org)
    first = await services.placements_for(participant)
    assert first[0]["opportunity_id"] == opp["good"]
    assert first[0]["summary"] == {"band": "strong", "required_held": 1, "required_total": 1, "distance_only": False}
    referral = await refer(client, participant, opp["good"])
    await switch(client, "host")
    await step(client, referral, "declined", "No mentor free until spring")
    await switch(client, "ana")

    again = await services.placements_for(participant)
    assert opp["good"] not in [p["opportunity_id"] for p in again] and again[0]["opportunity_id"] == opp["weaker"]
    apart = await services.set_apart_for(participant)
    assert [(a["opportunity_id"], a["status"], a["reason"]) for a in apart] == [
        (opp["good"], "declined", "No mentor free until spring")
    ]
    page = await client.get(f"/cases/{participant}/placements")
    assert "Not suggested again: earlier referrals" in page.text and "No mentor free until spring" in page.text
    assert page.text.index("Kitchen help") < page.text.index("Not suggested again")
    # The plain-words sentence, with the score parts behind the toggle.
    assert re.search(
        r"<strong>(Strong|Good|Weak) fit</strong>: has 0 of the 1 required skills \(missing: welding\)", page.text
    )
    assert "Why, in detail" in page.text


async def test_while_the_index_is_built_the_fragment_says_so_and_then_answers(client, make_user, make_org, monkeypatch):
    import threading

    from portal.matching_service import live_index

    participant, opp, _host, _user = await placements_setting(client, make_user, make_org)
    live_index.forget()
    release = threading.Event()
    slow = live_index._construct

    def held(rows, scoring):  # a country's build, held until the test lets it finish
        release.wait(10)
        return slow(rows, scoring)

    monkeypatch.setattr(live_index, "_construct", held)
    monkeypatch.setattr(live_index, "BUILD_WAIT", 0.05)
    waiting = await client.get(f"/cases/{participant}/placements", headers={"HX-Request": "true"})
    assert waiting.status_code == 200 and "Suggestions are being prepared" in waiting.text
    assert 'hx-trigger="load delay:3s"' in waiting.text  # htmx asks again by itself
    release.set()
    await live_index._state.building
    ready = await client.get(f"/cases/{participant}/placements", headers={"HX-Request": "true"})
    assert "being prepared" not in ready.text and "Sorting helper" in ready.text


async def test_a_stopping_server_gives_up_a_build_under_way_and_logs_no_failure(
    client, make_user, make_org, monkeypatch, caplog
):
    import asyncio
    import threading

    from portal.matching_service import live_index, training

    participant, _opp, _host, _user = await placements_setting(client, make_user, make_org)
    live_index.forget()
    release, entered = threading.Event(), threading.Event()
    slow = live_index._construct

    def held(rows, scoring):  # a country's build, in its thread when the server stops
        entered.set()
        release.wait(10)
        return slow(rows, scoring)

    monkeypatch.setattr(live_index, "_construct", held)
    live_index.warm(await training.current_scoring())
    building = live_index._state.building
    while not entered.is_set():
        await asyncio.sleep(0.01)
    live_index.cancel_build()  # what the app's shutdown does before closing the pool
    with pytest.raises(asyncio.CancelledError):
        await building
    release.set()
    assert live_index._state.index is None and "build failed" not in caplog.text
    monkeypatch.setattr(live_index, "_construct", slow)
    ready = await client.get(f"/cases/{participant}/placements", headers={"HX-Request": "true"})
    assert "Sorting helper" in ready.text  # the next start builds it again


async def test_the_suggestions_fragment_reads_little(client, make_user, make_org, sent_statements):
    participant, _opp, _host, _user = await placements_setting(client, make_user, make_org)
    await client.get(f"/cases/{participant}/placements", headers={"HX-Request": "true"})  # index built, labels read
    statements = sent_statements
    statements.clear()
    response = await client.get(f"/cases/{participant}/placements", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Sorting helper" in response.text
    # Besides the session (1) and the audit record (1): the person with who leads the case, the
    # places set apart, the index's changes and the shown places read fresh; however many
    # opportunities there are.
    assert len(statements) <= 6, "\n".join(statements)


async def test_rows_stamped_alike_are_read_whole_once_then_only_their_stamps(client, make_user, make_org, monkeypatch):
    import datetime as dt

    from portal.db.tables import Opportunity
    from portal.matching_service import live_index

    participant, _opp, _host, _user = await placements_setting(client, make_user, make_org)
    await services.placements_for(participant)  # built
    stamp = dt.datetime.now(dt.UTC)
    await Opportunity.update({Opportunity.updated_at: stamp}, force=True)  # as a bulk import stamps them
    looks = []
    look = live_index._changed_rows

    async def recorded(since):
        stamps, rows = await look(since)
        looks.append((len(stamps), len(rows)))
        return stamps, rows

    monkeypatch.setattr(live_index, "_changed_rows", recorded)
    await services.placements_for(participant)
    await services.placements_for(participant)
    total = await Opportunity.count()
    assert looks == [(total, total), (total, 0)]  # whole rows once; after that, the stamps only


async def test_kept_person_records_give_the_same_candidates_and_follow_a_changed_profile(client, make_user, make_org):
    s = await candidates_setting(client, make_user, make_org)
    participant, second, no_consent, at_intake = s["ids"]
    person_cache.forget()
    cold = await services.candidates_for(s["opp"]["good"])
    assert participant in person_cache.people and second in person_cache.people
    # Only rows the query returned are kept: nobody without consent or at intake.
    assert no_consent not in person_cache.people and at_intake not in person_cache.people
    misses = person_cache.people.misses
    warm = await services.candidates_for(s["opp"]["good"])
    assert warm == cold and person_cache.people.misses == misses  # answered from kept records
    # An edit of the profile stamps the row: the next list scores the new skills.
    await post_form(client, f"/cases/{second}/edit", {**CASE, "first_name": "Janez", "skills": "sorting\nwelding"})
    changed = await services.candidates_for(s["opp"]["good"])
    held = {c["participant_id"]: [m["label"] for m in c["matched_skills"]] for c in changed}
    assert held[second] == ["sorting"] and person_cache.people.misses == misses + 1
    person_cache.forget()
    assert await services.candidates_for(s["opp"]["good"]) == changed
    # A kept record never keeps a person listed: consent withdrawn, they are gone at once.
    await post_form(client, f"/cases/{second}/consents", {"scope": "employer_profile", "decision": "withdraw"})
    assert [c["participant_id"] for c in await services.candidates_for(s["opp"]["good"])] == [participant]
