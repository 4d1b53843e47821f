"""Employers: the consenting pool, per-employer pseudonyms, filters, fit, introductions and their refusals."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re

from portal.db.tables import AuditEvent, CandidatePseudonym, Introduction, Notification, Participant, Referral
from portal.employers import pool, profiles
from portal.notifications import services as notifications
from tests.factories import make_opportunity
from tests.fixtures import login, post_form
from tests.flows import open_case, switch

PSEUDONYM = re.compile(r"K-[A-Z2-9]{6}")


async def consent(client, participant: int, scope: str, decision: str = "give") -> None:
    response = await post_form(client, f"/cases/{participant}/consents", {"scope": scope, "decision": decision})
    assert response.status_code == 303, response.text[:400]


async def to_stage(client, participant: int, stage: str) -> None:
    response = await post_form(client, f"/cases/{participant}/stage", {"stage": stage, "stage_note": ""})
    assert response.status_code == 303


async def world(client, make_user, make_org):
    """Counsellor ana leads three cases; two employers with a job each. Ends logged in as ana."""
    centre = await make_org(name="Centre for social work", kind="social_work_centre")
    firms = [
        await make_org(name="First Employer d.o.o.", kind="employer"),
        await make_org(name="Second Employer d.o.o.", kind="employer"),
    ]
    await make_user("ana", "counsellor", organisation_id=centre)
    await make_user("other-counsellor", "counsellor", organisation_id=centre)
    bosses = [
        await make_user("boss1", "employer", organisation_id=firms[0]),
        await make_user("boss2", "employer", organisation_id=firms[1]),
    ]
    jobs = [
        await make_opportunity(
            firms[0],
            bosses[0],
            kind="job",
            title="Warehouse sorter",
            required_skills=json.dumps([{"uri": "", "label": "sorting"}]),
        ),
        await make_opportunity(
            firms[1],
            bosses[1],
            kind="job",
            title="Cook",
            sector="food",
            required_skills=json.dumps([{"uri": "", "label": "cooking"}]),
        ),
    ]
    await login(client, "ana")
    people = {
        # In the pool, open to contact.
        "open": await open_case(
            client,
            first_name="Vesna",
            last_name="Odprta",
            skills="sorting\nforklift driving",
            languages=["sl", "en"],
            hours_per_week="30",
        ),
        # In the pool, no contact consent.
        "private": await open_case(
            client,
            first_name="Tina",
            last_name="Zaprta",
            skills="cooking",
            region="Savinjska",
            municipality="Celje",
            hours_per_week="20",
        ),
        # Consent given but still at intake: not shown.
        "early": await open_case(client, first_name="Rok", last_name="Zgodnji", skills="sorting"),
    }
    for key in ("open", "private"):
        await to_stage(client, people[key], "placement")
        await consent(client, people[key], "employer_profile")
    await consent(client, people["open"], "employer_contact")
    await consent(client, people["early"], "employer_profile")
    return people, firms, jobs


async def candidates_page(client, query: str = "") -> str:
    response = await client.get(f"/employers/candidates{query}")
    assert response.status_code == 200, response.text[:400]
    return response.text


async def pseudonym_of(client, participant: int, firm: int) -> str:
    return (await pool.pseudonyms_for(firm, [participant]))[participant]


async def test_the_pool_is_consenting_people_at_the_right_stage_under_each_employers_own_pseudonym(
    client, make_user, make_org
):
    people, firms, _ = await world(client, make_user, make_org)
    await switch(client, "boss1")
    page = await candidates_page(client)
    names = set(PSEUDONYM.findall(page))
    assert len(names) == 2 and "2 candidates" in page
    assert await CandidatePseudonym.count().where(CandidatePseudonym.organisation == firms[0]) == 2
    shown = re.sub(r"[0-9a-f]{32,}", "", page)  # the CSRF token is random hex: it may hold "1980" by chance
    for secret in ("Vesna", "Odprta", "Zaprta", "Zgodnji", "Ptuj", "Celje", "1980"):
        assert secret not in shown
    codes = await Participant.select(Participant.code)
    assert not any(c["code"] in page for c in codes)
    assert set(PSEUDONYM.findall(await candidates_page(client))) == names  # stable

    await switch(client, "boss2")
    theirs = set(PSEUDONYM.findall(await candidates_page(client)))
    assert len(theirs) == 2 and not theirs & names  # two employers cannot link their views
    stranger = sorted(names)[0]
    assert (await client.get(f"/employers/candidates/{stranger}")).status_code == 404


async def test_withdrawing_consent_or_leaving_the_stage_removes_the_profile_at_once(client, make_user, make_org):
    people, firms, jobs = await world(client, make_user, make_org)
    name = await pseudonym_of(client, people["open"], firms[0])
    await switch(client, "boss1")
    assert (await client.get(f"/employers/candidates/{name}")).status_code == 200
    await switch(client, "ana")
    await consent(client, people["open"], "employer_profile", "withdraw")
    await switch(client, "boss1")
    assert (await client.get(f"/employers/candidates/{name}")).status_code == 404
    assert name not in await candidates_page(client)
    assert name not in (await client.get(f"/opportunities/{jobs[0]}/candidates")).text
    await switch(client, "ana")
    await consent(client, people["open"], "employer_profile")
    await to_stage(client, people["open"], "exit")
    await switch(client, "boss1")
    assert (await client.get(f"/employers/candidates/{name}")).status_code == 404


async def test_activation_with_a_completed_programme_counts_as_activated(client, make_user, make_org):
    people, firms, jobs = await world(client, make_user, make_org)
    await to_stage(client, people["early"], "activation")
    assert people["early"] not in await pool.pool_ids()
    await Referral.insert(
        Referral(
            participant=people["early"],
            opportunity=jobs[0],
            referred_by=await _user_id("ana"),
            message="",
            status="completed",
            reason="",
        )
    )
    assert people["early"] in await pool.pool_ids()


async def test_filters_find_by_skill_region_language_and_hours_but_never_by_name(client, make_user, make_org):
    people, firms, _ = await world(client, make_user, make_org)
    open_name = await pseudonym_of(client, people["open"], firms[0])
    private_name = await pseudonym_of(client, people["private"], firms[0])
    await switch(client, "boss1")

    def found(page: str) -> set[str]:
        return set(PSEUDONYM.findall(page))

    assert found(await candidates_page(client, "?skill=forklift")) == {open_name}
    assert found(await candidates_page(client, "?region=Savinjska")) == {private_name}
    assert found(await candidates_page(client, "?language=en")) == {open_name}
    assert found(await candidates_page(client, "?hours_min=25")) == {open_name}
    assert found(await candidates_page(client, "?hours_max=25")) == {private_name}
    for secret in ("Vesna", "Odprta", "Ptuj", "P-", "europa", "50%", "_"):  # nor a concept's address, nor a wildcard
        assert "0 candidates" in await candidates_page(client, f"?skill={secret}")
    bad = await candidates_page(client, "?hours_min=lots&hours_max=25&region=Atlantis")
    assert "Enter whole hours between 0 and 60." in bad and "Choose a region from the list." in bad
    assert found(bad) == {private_name}  # the bad filters are left out, the good one applies
    fragment = await client.get("/employers/candidates?skill=cook", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and private_name in fragment.text


async def test_sorting_by_fit_to_an_own_opening_puts_the_fitting_first_and_refuses_anothers(
    client, make_user, make_org
):
    people, firms, jobs = await world(client, make_user, make_org)
    open_name = await pseudonym_of(client, people["open"], firms[0])
    private_name = await pseudonym_of(client, people["private"], firms[0])
    await switch(client, "boss1")
    page = await candidates_page(client, f"?fit={jobs[0]}")
    assert page.index(open_name) < page.index(private_name)
    assert "Skills that match:" in page and "km away" not in page  # distance would point at the place
    refused = await candidates_page(client, f"?fit={jobs[1]}")
    assert "Choose one of your own opportunities." in refused


async def test_sorting_by_fit_scores_a_bounded_window_and_says_so(client, make_user, make_org, monkeypatch):
    people, firms, jobs = await world(client, make_user, make_org)
    await switch(client, "boss1")
    assert "newest candidates who match your filters" not in await candidates_page(client, f"?fit={jobs[0]}")
    monkeypatch.setattr(profiles, "FIT_WINDOW", 1)
    page = await candidates_page(client, f"?fit={jobs[0]}")
    assert "Sorted by fit among the 1 newest candidates" in page and "1 candidate" in page
    assert len(set(PSEUDONYM.findall(page))) == 1


async def test_a_profile_shows_skills_adjustments_and_experience_but_not_the_place(client, make_user, make_org):
    people, firms, jobs = await world(client, make_user, make_org)
    await Referral.insert(
        Referral(
            participant=people["open"],
            opportunity=jobs[1],
            referred_by=await _user_id("ana"),
            message="",
            status="completed",
            reason="",
        )
    )
    name = await pseudonym_of(client, people["open"], firms[0])
    await switch(client, "boss1")
    page = (await client.get(f"/employers/candidates/{name}")).text
    assert "forklift driving" in page and "A workplace mentor for the first weeks" in page
    assert "Job" in page and "Completed" in page and "Second Employer" not in page and ">Cook<" not in page
    assert "Podravska" in page and "Ptuj" not in page and "Vesna" not in page
    events = await AuditEvent.select().where(AuditEvent.record_id == people["open"])
    assert any(e["detail"] == "employer candidate profile" for e in events)


async def test_every_candidate_shown_in_the_list_is_audited(client, make_user, make_org):
    people, *_ = await world(client, make_user, make_org)
    await switch(client, "boss1")
    await candidates_page(client)
    listed = await AuditEvent.select(AuditEvent.record_id).where(AuditEvent.detail == "employer candidate list")
    assert {e["record_id"] for e in listed} == {people["open"], people["private"]}


async def ask(client, name: str, message: str = "We have a sorting job; could we meet on Tuesday?", **extra):
    return await post_form(client, f"/employers/candidates/{name}/introductions", {"message": message, **extra})


async def test_asking_to_meet_needs_a_message_and_only_one_waits_at_a_time(client, make_user, make_org):
    people, firms, jobs = await world(client, make_user, make_org)
    name = await pseudonym_of(client, people["open"], firms[0])
    await switch(client, "boss1")
    empty = await ask(client, name, message="   ")
    assert empty.status_code == 422 and "Please write a message for the counsellor." in empty.text
    foreign = await ask(client, name, opportunity_id=str(jobs[1]))
    assert foreign.status_code == 422 and "Choose one of your own opportunities, or none." in foreign.text
    assert await Introduction.count() == 0
    first = await ask(client, name, opportunity_id=str(jobs[0]))
    assert first.status_code == 303
    again = await ask(client, name)
    assert again.status_code == 422 and "You already asked to meet this candidate" in again.text
    assert await Introduction.count() == 1
    note = (
        await Notification.select()
        .where(Notification.link == first.headers["location"])
        .order_by(Notification.id)
        .first()
    )
    assert note is not None and "asks to meet P-" in notifications.text(note)


async def test_concurrent_requests_leave_one_waiting(client, make_user, make_org):
    from portal.auth.current_user import CurrentUser
    from portal.employers import introductions

    people, firms, _ = await world(client, make_user, make_org)
    boss = CurrentUser(await _user_id("boss1"), "boss1", "Boss", "employer", firms[0], "First", "")
    results = await asyncio.gather(
        *[introductions.request(boss, people["open"], "Hello", None) for _ in range(5)], return_exceptions=True
    )
    assert sum(isinstance(r, int) for r in results) == 1
    assert all(isinstance(r, (int, introductions.Refused)) for r in results), results
    assert await Introduction.count() == 1


async def _user_id(username: str) -> int:
    from portal.db.tables import PortalUser

    return (await PortalUser.select(PortalUser.id).where(PortalUser.username == username).first())["id"]


async def _introduction_id(response) -> int:
    return int(response.headers["location"].rsplit("/", 1)[1])


async def _introduction_writes(participant_id: int) -> list[tuple[str, str]]:
    """The audited writes of introductions to the person (reads left out), oldest first."""
    rows = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.detail)
        .where(
            (AuditEvent.record_type == "participant")
            & (AuditEvent.record_id == participant_id)
            & (AuditEvent.action != "read")
            & AuditEvent.detail.like("introduction %")
        )
        .order_by(AuditEvent.id)
    )
    return [(row["action"], row["detail"]) for row in rows]


async def test_accepting_with_contact_consent_shows_contact_until_it_is_withdrawn(client, make_user, make_org):
    people, firms, _ = await world(client, make_user, make_org)
    name = await pseudonym_of(client, people["open"], firms[0])
    await switch(client, "boss1")
    introduction = await _introduction_id(await ask(client, name))
    waiting = (await client.get(f"/introductions/{introduction}")).text
    assert "Waiting for the counsellor" in waiting and "Vesna" not in waiting

    await switch(client, "other-counsellor")  # not the lead: cannot see or answer
    assert (await client.get(f"/introductions/{introduction}")).status_code == 404
    refused = await post_form(client, f"/introductions/{introduction}/answer", {"decision": "accept"})
    assert refused.status_code == 404

    await switch(client, "ana")
    listing = (await client.get("/introductions/")).text
    assert "First Employer d.o.o." in listing
    no_reason = await post_form(client, f"/introductions/{introduction}/answer", {"decision": "decline", "reason": ""})
    assert no_reason.headers["location"].endswith("notice=reason")
    accepted = await post_form(
        client, f"/introductions/{introduction}/answer", {"decision": "accept", "reason": "She is keen; call her."}
    )
    assert accepted.status_code == 303
    twice = await post_form(client, f"/introductions/{introduction}/answer", {"decision": "decline", "reason": "x"})
    assert twice.headers["location"].endswith("notice=not_allowed")

    await switch(client, "boss1")
    page = (await client.get(f"/introductions/{introduction}")).text
    assert "Vesna Odprta" in page and "She is keen; call her." in page
    assert await AuditEvent.count().where(AuditEvent.detail == f"introduction {introduction} with contact details") == 1
    # The request is a write, the acceptance a share of the contact details; the refused answers wrote nothing.
    assert await _introduction_writes(people["open"]) == [
        ("create", f"introduction {introduction}"),
        ("share", f"introduction {introduction} accepted with contact details"),
    ]
    notes = await Notification.select().where(Notification.user == await _user_id("boss1"))
    assert any(name in notifications.text(n) and "Accepted" in notifications.text(n) for n in notes)

    await switch(client, "ana")
    await consent(client, people["open"], "employer_contact", "withdraw")
    await switch(client, "boss1")
    page = (await client.get(f"/introductions/{introduction}")).text
    assert "Vesna" not in page and "The counsellor arranges the meeting" in page


async def test_accepting_without_contact_consent_leaves_the_meeting_to_the_counsellor(client, make_user, make_org):
    people, firms, _ = await world(client, make_user, make_org)
    name = await pseudonym_of(client, people["private"], firms[0])
    await switch(client, "boss1")
    introduction = await _introduction_id(await ask(client, name))
    await switch(client, "ana")
    await post_form(client, f"/introductions/{introduction}/answer", {"decision": "accept", "reason": ""})
    assert (await _introduction_writes(people["private"]))[-1] == ("update", f"introduction {introduction} accepted")
    await switch(client, "boss1")
    page = (await client.get(f"/introductions/{introduction}")).text
    assert "Accepted" in page and "Tina" not in page and "Zaprta" not in page
    assert "The counsellor arranges the meeting" in page and "Centre for social work" in page


async def test_a_withdrawn_profile_consent_can_only_be_declined_and_the_employer_may_withdraw(
    client, make_user, make_org
):
    people, firms, _ = await world(client, make_user, make_org)
    name = await pseudonym_of(client, people["open"], firms[0])
    other = await pseudonym_of(client, people["private"], firms[0])
    await switch(client, "boss1")
    first = await _introduction_id(await ask(client, name))
    second = await _introduction_id(await ask(client, other))
    await switch(client, "ana")
    await consent(client, people["open"], "employer_profile", "withdraw")
    refused = await post_form(client, f"/introductions/{first}/answer", {"decision": "accept"})
    assert refused.headers["location"].endswith("notice=no_consent")
    await switch(client, "boss1")
    page = (await client.get(f"/introductions/{first}")).text
    assert "No longer shown to employers." in page and f"/employers/candidates/{name}" not in page
    assert (await post_form(client, f"/introductions/{second}/withdraw", {})).status_code == 303
    assert (await Introduction.select(Introduction.status).where(Introduction.id == second).first())[
        "status"
    ] == "withdrawn"
    await switch(client, "boss2")  # another employer: neither side
    assert (await client.get(f"/introductions/{second}")).status_code == 404
    assert (await post_form(client, f"/introductions/{first}/withdraw", {})).status_code == 404
    assert await _introduction_writes(people["open"]) == [("create", f"introduction {first}")]
    assert await _introduction_writes(people["private"]) == [
        ("create", f"introduction {second}"),
        ("update", f"introduction {second} withdrawn"),
    ]


async def test_referrals_and_candidate_lists_show_employers_their_pseudonym_not_the_case_code(
    client, make_user, make_org
):
    people, firms, jobs = await world(client, make_user, make_org)
    code = (await Participant.select(Participant.code).where(Participant.id == people["open"]).first())["code"]
    from portal.matching_service.services import placements_for

    # A job an employer posts takes part in matching like any other opportunity...
    assert jobs[0] in [p["opportunity_id"] for p in await placements_for(people["open"])]
    # ...and in referrals.
    sent = await post_form(
        client,
        f"/cases/{people['open']}/referrals",
        {"opportunity_id": str(jobs[0]), "message": "Fits your sorting job.", "send": "now"},
    )
    assert sent.status_code == 303
    referral = (await Referral.select(Referral.id).order_by(Referral.id, ascending=False).first())["id"]
    name = await pseudonym_of(client, people["open"], firms[0])
    await switch(client, "boss1")
    for path in (
        "/referrals/inbox",
        f"/referrals/{referral}",
        "/notifications/",
        f"/opportunities/{jobs[0]}/candidates",
    ):
        text = (await client.get(path)).text
        assert code not in text, path
        assert name in text, path
    await switch(client, "ana")
    assert code in (await client.get(f"/cases/{people['open']}")).text


async def test_pseudonyms_are_created_once_even_when_asked_for_at_the_same_time(client, make_user, make_org):
    people, firms, _ = await world(client, make_user, make_org)
    results = await asyncio.gather(*[pool.pseudonyms_for(firms[1], list(people.values())) for _ in range(6)])
    assert all(r == results[0] for r in results)
    assert await CandidatePseudonym.count().where(CandidatePseudonym.organisation == firms[1]) == 3


async def test_fit_shown_to_employers_adds_up_without_distance_so_nothing_points_at_a_home(client, make_user, make_org):
    from portal.matching_service import services

    people, firms, jobs = await world(client, make_user, make_org)
    # A draft far away: a travel-radius verdict or a hidden distance part would tell how far the person lives.
    far = await make_opportunity(
        firms[0],
        await _user_id("boss1"),
        kind="job",
        status="draft",
        latitude=45.81,
        longitude=15.98,
        required_skills=json.dumps([{"uri": "", "label": "sorting"}]),
    )
    page = (await profiles.browse(firms[0], profiles.CandidateFilters(fit=far))).page
    found = await profiles.best_for(firms[0], jobs[0])
    listed = await services.candidates_for(jobs[0])
    fits = [item["fit"] for item in page.items] + found + listed
    assert fits and found and listed
    for fit in fits:
        assert "distance" not in fit["contributions"] and "travel_radius" not in fit.get("unmet", [])
        assert abs(sum(fit["contributions"].values()) - fit["score"]) < 1e-6


async def test_a_pool_larger_than_the_count_bound_says_more_and_pages_within_it(
    client, make_user, make_org, monkeypatch
):
    await world(client, make_user, make_org)
    await switch(client, "boss1")
    assert "More than" not in await candidates_page(client, "")
    monkeypatch.setattr(profiles, "COUNT_CAP", 1)
    monkeypatch.setattr(profiles, "PER_PAGE", 1)
    page = await candidates_page(client, "")
    assert "More than 1 candidates: choose a region, skill or language" in page
    assert len(set(PSEUDONYM.findall(page))) == 1


async def test_the_requests_page_pages_on_with_waiting_requests_first(client, make_user, make_org):
    people, firms, jobs = await world(client, make_user, make_org)
    boss = await _user_id("boss1")
    now = dt.datetime.now(dt.UTC)
    # 55 answered requests and 2 waiting ones (about two people: one may wait per person), the oldest of all.
    rows = [
        Introduction(
            organisation=firms[0],
            participant=people["private"] if n == 1 else people["open"],
            requested_by=boss,
            message="m",
            status="requested" if n < 2 else "declined",
            reason="",
            created_at=now - dt.timedelta(days=100 - n),
            updated_at=now - dt.timedelta(days=100 - n),
        )
        for n in range(57)
    ]
    await Introduction.insert(*rows)
    first = await client.get("/introductions/")
    assert first.status_code == 200
    statuses = re.findall(r"<td>(Waiting for the counsellor|Declined)</td>", first.text)
    assert len(statuses) == 50 and statuses[:2] == ["Waiting for the counsellor"] * 2
    assert "Page 1 of 2" in first.text
    second = await client.get("/introductions/?page=2")
    assert len(re.findall(r"<td>(Waiting for the counsellor|Declined)</td>", second.text)) == 7
    await switch(client, "boss1")
    employer = await client.get("/introductions/?page=2")
    assert len(re.findall(r"<td>(Waiting for the counsellor|Declined)</td>", employer.text)) == 7
    assert "Page 2 of 2" in employer.text


async def test_kept_person_records_sort_by_fit_as_fresh_ones_and_never_keep_anyone_in_the_pool(
    client, make_user, make_org
):
    from portal.matching_service import person_cache

    people, firms, jobs = await world(client, make_user, make_org)
    person_cache.forget()
    fit = profiles.CandidateFilters(fit=jobs[0])
    cold = await profiles.browse(firms[0], fit)
    best = await profiles.best_for(firms[0], jobs[0])
    # Kept for the rows the pool query returned, never for someone outside it.
    assert people["open"] in person_cache.employer_view and people["early"] not in person_cache.employer_view
    misses = person_cache.employer_view.misses
    warm = await profiles.browse(firms[0], fit)
    assert (warm.page.items, warm.shown) == (cold.page.items, cold.shown) and cold.shown
    assert await profiles.best_for(firms[0], jobs[0]) == best and person_cache.employer_view.misses == misses
    await to_stage(client, people["open"], "employment")  # leaves the pool
    assert people["open"] not in (await profiles.browse(firms[0], fit)).shown
    assert people["open"] not in [b["participant_id"] for b in await profiles.best_for(firms[0], jobs[0])]


async def test_a_change_written_without_a_new_stamp_sorts_by_fit_at_once(client, make_user, make_org):
    # A pseudonymisation or a migration writes columns without stamping updated_at: the kept
    # records must still follow (PostgreSQL: by the row's version; SQLite: by its columns).
    people, firms, jobs = await world(client, make_user, make_org)
    fit = profiles.CandidateFilters(fit=jobs[0])  # the warehouse sorter: "sorting" required
    assert (await profiles.browse(firms[0], fit)).shown == [people["open"], people["private"]]
    stamps = {r["id"]: r["updated_at"] for r in await Participant.select(Participant.id, Participant.updated_at)}
    for key, skill in (("open", "cooking"), ("private", "sorting")):
        skills = json.dumps([{"uri": "", "label": skill}])
        await Participant.raw("UPDATE participant SET skills = {} WHERE id = {}", skills, people[key])
    after = {r["id"]: r["updated_at"] for r in await Participant.select(Participant.id, Participant.updated_at)}
    assert after == stamps  # nothing stamped the change
    assert (await profiles.browse(firms[0], fit)).shown == [people["private"], people["open"]]


async def test_kept_records_of_the_case_teams_and_the_best_fit_lists_follow_an_unstamped_change(
    client, make_user, make_org
):
    from portal.matching_service import person_cache, services

    people, firms, jobs = await world(client, make_user, make_org)

    async def listed() -> tuple[list[dict], list[dict]]:
        return await services.candidates_for(jobs[0]), await profiles.best_for(firms[0], jobs[0])

    before = await listed()
    assert [c["participant_id"] for c in before[0]][:1] == [people["open"]]
    assert [b["participant_id"] for b in before[1]] == [people["open"], people["private"]]
    assert await listed() == before  # from kept records
    for key, skill in (("open", "cooking"), ("private", "sorting")):
        skills = json.dumps([{"uri": "", "label": skill}])
        await Participant.raw("UPDATE participant SET skills = {} WHERE id = {}", skills, people[key])
    after = await listed()
    person_cache.forget()
    assert after == await listed() != before  # as from fresh records
    assert [b["participant_id"] for b in after[1]] == [people["private"], people["open"]]
    await to_stage(client, people["open"], "intake")  # leaves both lists at once
    team, best = await listed()
    assert people["open"] not in [c["participant_id"] for c in team] + [b["participant_id"] for b in best]


async def test_fits_explained_in_one_batch_are_those_explained_one_by_one(client, make_user, make_org, monkeypatch):
    import matching

    people, firms, jobs = await world(client, make_user, make_org)
    # A second opening of the same employer, so a profile explains two pairs and the list several skills.
    await make_opportunity(
        firms[0],
        await _user_id("boss1"),
        kind="work_trial",
        title="Kitchen help",
        required_skills=json.dumps([{"uri": "", "label": "cooking"}, {"uri": "", "label": "forklift"}]),
    )
    name = await pseudonym_of(client, people["open"], firms[0])

    async def shown() -> tuple:
        listed = await profiles.browse(firms[0], profiles.CandidateFilters(fit=jobs[0]))
        one = await profiles.profile(firms[0], name)
        assert one is not None
        return listed.page.items, await profiles.best_for(firms[0], jobs[0]), one[0]["fits"]

    batch = await shown()
    assert batch[0][0]["fit"] and batch[1] and len(batch[2]) == 2
    monkeypatch.setattr(
        matching, "explain_pairs", lambda pairs, scoring: [matching.explain_pair(p, o, scoring) for p, o in pairs]
    )
    assert await shown() == batch


async def test_a_skill_concept_is_found_by_its_address_alone_on_both_engines(make_user, make_org):
    """The concept part of the skill filter: PostgreSQL looks UUIDs up in its index, SQLite reads the text."""
    from tests.factories import current_user, make_participant

    centre = await make_org(name="Centre", kind="social_work_centre")
    lead = current_user(await make_user("ana", "counsellor", organisation_id=centre), "ana", "counsellor", centre)
    welding = "http://data.europa.eu/esco/skill/14b4a40e-da80-452a-86d6-88a959052219"
    cooking = "http://data.europa.eu/esco/skill/27d26fd6-5795-4f0a-884e-112df7c68314"
    local = "urn:example:skill:sorting"
    holders = {}
    for name, uris in (("welder", [welding]), ("cook", [cooking]), ("both", [welding, cooking]), ("sorter", [local])):
        pid = await make_participant(lead, first_name=name)
        stored = json.dumps([{"uri": uri, "label": "x"} for uri in uris])
        await Participant.update({Participant.skills: stored}).where(Participant.id == pid)
        holders[name] = pid
    await make_participant(lead, first_name="nobody")  # a skill typed as words, no address

    async def holding(*uris: str) -> set[int]:
        rows = await Participant.select(Participant.id).where(profiles.has_any_concept(list(uris)))
        return {row["id"] for row in rows}

    assert await holding(welding) == {holders["welder"], holders["both"]}
    assert await holding(welding, cooking) == {holders["welder"], holders["cook"], holders["both"]}
    assert await holding(local, cooking) == {holders["sorter"], holders["cook"], holders["both"]}
    assert await holding("http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000") == set()
    assert profiles.has_any_concept([]) is None
