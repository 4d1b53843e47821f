"""Allocation rounds: choose an intake and places, run (stable or welfare), review with reasons, adjust, send."""

from __future__ import annotations

import json
import random
import re
from collections import Counter

import pytest

import matching
from portal.db.tables import AllocationProposal, AllocationRound, AuditEvent, Opportunity, Participant, Referral
from portal.matching_service import round_runs, rounds, training
from tests.factories import current_user, make_opportunity, make_participant, skills_json
from tests.fixtures import csrf_token, login, post_form
from tests.flows import round_setting, run_round


@pytest.fixture(autouse=True)
def _default_weights():
    """No learned weights carried over from another test's database."""
    training.forget_weights()
    yield
    training.forget_weights()


async def _proposals(round_id: int) -> dict[int, dict]:
    rows = await AllocationProposal.select().where(AllocationProposal.allocation_round == round_id)
    return {r["participant"]: {**r, "explanation": json.loads(r["explanation"])} for r in rows}


async def _places_left() -> dict[int, int]:
    return {o["id"]: o["capacity"] - o["places_taken"] for o in await Opportunity.select()}


def _within_places(proposals: dict[int, dict], left: dict[int, int]) -> bool:
    used = Counter(p["opportunity"] for p in proposals.values() if p["opportunity"] is not None)
    return all(count <= left[oid] for oid, count in used.items())


@pytest.mark.parametrize("method", ["stable", "welfare"])
async def test_a_round_proposes_within_places_and_the_page_explains_each(client, make_user, make_org, method):
    people, places, _ = await round_setting(client, make_user, make_org)
    round_id = await run_round(client, method=method)
    stored = await AllocationRound.select().where(AllocationRound.id == round_id).first()
    assert stored["status"] == "ready" and stored["progress"] == 100 and stored["method"] == method
    proposals = await _proposals(round_id)
    assert set(proposals) == {people[k] for k in ("sorter", "both", "cook", "empty", "far")}  # not the intake stage
    assert _within_places(proposals, await _places_left())
    placed = {p["participant"]: p["opportunity"] for p in proposals.values() if p["opportunity"]}
    assert set(placed.values()) <= {places["sorting"], places["kitchen"]}
    assert placed[people["cook"]] == places["kitchen"] and len(placed) == 3
    for pid, oid in placed.items():
        p = proposals[pid]
        assert p["computed_opportunity"] == oid and p["rank"] >= 1 and p["score"] > 0
        assert p["explanation"]["reasons"]["show_scores"] and oid in [o for o, _ in p["explanation"]["options"]]
    assert proposals[people["far"]]["explanation"]["unplaced"] == "no_fit"
    report = json.loads(stored["report"])
    assert (report["intake"], report["placed"], report["unplaced"], report["places"]) == (
        5,
        3,
        2,
        6,
    )  # the Croatian one too
    assert sum(report["ranks"].values()) == 3 and report["no_fit"] == 1 and report["empty_profiles"] == 1

    page = await client.get(f"/matching/rounds/{round_id}")
    assert page.status_code == 200
    codes = {r["id"]: r["code"] for r in await Participant.select(Participant.id, Participant.code)}
    for pid in proposals:
        assert codes[pid] in page.text
    assert "Mojca" not in page.text and "Testna" not in page.text  # codes only, never names
    assert "Skills that match:" in page.text and "Nothing has been sent yet" in page.text
    assert "Send 3 referrals" in page.text and 'name="_csrf_token"' in page.text
    events = await AuditEvent.select(AuditEvent.record_id).where(AuditEvent.detail == f"allocation round {round_id}")
    assert sorted(e["record_id"] for e in events) == sorted(proposals)
    listing = await client.get("/matching/rounds")
    assert "Spring intake" in listing.text and "Ready for review" in listing.text


async def test_welfare_never_totals_less_than_stable(client, make_user, make_org):
    await round_setting(client, make_user, make_org)
    totals = {}
    for method in ("stable", "welfare"):
        round_id = await run_round(client, method=method)
        totals[method] = json.loads(
            (await AllocationRound.select(AllocationRound.report).where(AllocationRound.id == round_id).first())[
                "report"
            ]
        )["total_score"]
    assert totals["welfare"] >= totals["stable"] - 1e-9


async def test_an_empty_profile_is_unplaced_with_the_note_and_no_scores(client, make_user, make_org):
    people, *_ = await round_setting(client, make_user, make_org)
    round_id = await run_round(client)
    empty = (await _proposals(round_id))[people["empty"]]
    assert empty["opportunity"] is None and empty["score"] is None and empty["rank"] is None
    assert empty["explanation"]["unplaced"] == "empty_profile" and empty["explanation"]["reasons"] is None
    page = await client.get(f"/matching/rounds/{round_id}")
    code = (await Participant.select(Participant.code).where(Participant.id == people["empty"]).first())["code"]
    row = re.search(rf'<tr id="proposal-{empty["id"]}">.*?</tr>', page.text, re.S)[0]
    assert code in row and "Not enough information to rank" in row
    assert "fit 0" not in row and "Fit " not in row  # the options carry no scores for this person


async def test_the_intake_and_the_places_follow_the_criteria(client, make_user, make_org):
    people, places, host = await round_setting(client, make_user, make_org)
    busy = people["sorter"]
    lead = (await Participant.select(Participant.lead_counsellor).where(Participant.id == busy).first())[
        "lead_counsellor"
    ]
    await Referral.insert(
        Referral(participant=busy, opportunity=places["closed"], referred_by=lead, message="", status="sent", reason="")
    )
    round_id = await run_round(client, without_live_referral="1", opportunity_kind="work_trial", stage="activation")
    assert busy not in await _proposals(round_id)
    await Opportunity.update({Opportunity.kind: "training"}).where(Opportunity.id == places["kitchen"])
    round_id = await run_round(client, opportunity_kind="training")
    options = {o for p in (await _proposals(round_id)).values() for o, _ in p["explanation"]["options"]}
    assert options == {places["kitchen"]}
    round_id = await run_round(client, region="Savinjska")
    assert await _proposals(round_id) == {}
    page = await client.get(f"/matching/rounds/{round_id}")
    assert "Nobody matched the intake" in page.text


async def test_bad_input_re_renders_the_form_and_changes_nothing(client, make_user, make_org):
    await round_setting(client, make_user, make_org)
    response = await post_form(
        client,
        "/matching/rounds",
        {"name": " ", "method": "lottery", "stage": "nowhere", "region": "Atlantis", "opportunity_kind": "castle"},
    )
    assert response.status_code == 422
    for message in (
        "Give the round a name.",
        "Choose a method from the list.",
        "Choose a stage from the list.",
        "Choose a region from the list.",
        "Choose a kind from the list.",
    ):
        assert message in response.text
    assert 'value="Atlantis"' not in response.text or "aria-invalid" in response.text
    assert await AllocationRound.count() == 0


async def test_a_welfare_round_too_large_for_memory_is_refused_up_front(client, make_user, make_org, monkeypatch):
    await round_setting(client, make_user, make_org)
    monkeypatch.setattr(round_runs, "WELFARE_CELLS", 10)
    response = await post_form(
        client, "/matching/rounds", {"name": "Everyone", "method": "welfare", "stage": "activation"}
    )
    assert response.status_code == 422 and "5 people for 6 places are too many" in response.text
    assert await AllocationRound.count() == 0
    await run_round(client, method="stable")  # the stable method has no such limit


async def test_adjusting_respects_the_places_and_records_who(client, make_user, make_org):
    people, places, _ = await round_setting(client, make_user, make_org)
    round_id = await run_round(client)
    proposals = await _proposals(round_id)
    holder = next(p for p in proposals.values() if p["opportunity"] == places["sorting"])
    # The other sorter (not the cook: "cooking" is no match for "sorting", whatever their letters share).
    other = next(proposals[people[name]] for name in ("sorter", "both") if people[name] != holder["participant"])
    assert places["sorting"] in [o for o, _ in other["explanation"]["options"]]
    path = f"/matching/rounds/{round_id}/proposals/{other['id']}"

    refused = await post_form(client, path, {"opportunity_id": str(places["sorting"])})
    assert refused.status_code == 422 and "no place left in this round" in refused.text
    assert await _proposals(round_id) == proposals  # nothing changed
    not_an_option = await post_form(client, path, {"opportunity_id": str(places["croatian"])})
    assert not_an_option.status_code == 422 and "Choose one of this person" in not_an_option.text

    freed = await post_form(client, f"/matching/rounds/{round_id}/proposals/{holder['id']}", {"opportunity_id": ""})
    assert freed.status_code == 303
    moved = await post_form(client, path, {"opportunity_id": str(places["sorting"])}, headers={"HX-Request": "true"})
    assert moved.status_code == 200 and "<html" not in moved.text and 'id="round-proposals"' in moved.text
    after = await _proposals(round_id)
    coord = await _user_id("coord")
    assert after[holder["participant"]]["opportunity"] is None and after[holder["participant"]]["adjusted_by"] == coord
    changed = after[other["participant"]]
    assert changed["opportunity"] == places["sorting"] and changed["adjusted_by"] == coord
    assert changed["computed_opportunity"] == other["opportunity"]  # what the algorithm proposed stays on record
    assert changed["rank"] == [o for o, _ in other["explanation"]["options"]].index(places["sorting"]) + 1
    assert changed["explanation"]["reasons"]["matched_skills"]
    assert _within_places(after, await _places_left())
    page = await client.get(f"/matching/rounds/{round_id}")
    assert "Changed by coord." in page.text and "Set to no placement by a coordinator." in page.text


async def _user_id(username: str) -> int:
    from portal.db.tables import PortalUser

    return (await PortalUser.select(PortalUser.id).where(PortalUser.username == username).first())["id"]


async def test_stored_proposals_never_exceed_places_left_under_random_adjustments(client, make_user, make_org):
    """Property-style: random places and people, then random adjustments; the places are never over-proposed."""
    rng = random.Random(4)
    centre = await make_org(name="Centre")
    host = await make_org(name="Host")
    lead_id = await make_user("ana", "counsellor", organisation_id=centre)
    host_user = await make_user("host", "enterprise", organisation_id=host)
    coord = current_user(await make_user("coord", "coordinator"), "coord", "coordinator", centre)
    labels = ("sorting", "cooking", "sewing", "cleaning")
    lead = current_user(lead_id, "ana", "counsellor", centre)
    for _ in range(14):
        await make_participant(lead, skills=tuple(rng.sample(labels, rng.randint(1, 2))))
    for i in range(5):
        capacity = rng.randint(1, 3)
        await make_opportunity(
            host,
            host_user,
            capacity=capacity,
            places_taken=rng.randint(0, capacity - 1),
            title=f"Place {i}",
            required_skills=skills_json(rng.choice(labels)),
            support_offered="",
        )
    for method in ("stable", "welfare"):
        round_id = await round_runs.start_round(rounds.Criteria(name=method, method=method), coord)
        assert _within_places(await _proposals(round_id), await _places_left())
        for _ in range(15):
            proposal = rng.choice(list((await _proposals(round_id)).values()))
            options = [o for o, _ in proposal["explanation"]["options"]]
            target = rng.choice([*options, None])
            try:
                await rounds.adjust(round_id, proposal["id"], target, coord)
            except rounds.Refused as refused:
                assert refused.code == "full"
            assert _within_places(await _proposals(round_id), await _places_left())


def test_allocate_keeps_capacities_and_lists_on_random_instances():
    """The pure step on random instances: capacities, acceptability and stability hold for both methods."""
    rng = random.Random(7)
    for _ in range(30):
        places = [
            matching.Opportunity(
                f"o{i}", required_skills=[rng.choice(["a b", "c d", "e f"])], capacity=rng.randint(0, 3)
            )
            for i in range(rng.randint(1, 5))
        ]
        people = [
            matching.Person(f"p{i}", skills=rng.sample(["a b", "c d", "e f"], rng.randint(1, 2)))
            for i in range(rng.randint(1, 12))
        ]
        lists = round_runs.preference_lists(matching.OpportunityIndex(places), people)
        capacities = {o.id: o.capacity for o in places}
        for method in ("stable", "welfare"):
            assignment, report = round_runs.allocate(method, lists, capacities)
            used = Counter(o for o in assignment.values() if o is not None)
            assert all(used[o] <= capacities[o] for o in used)
            assert all(o is None or o in [m.opportunity_id for m in lists[p]] for p, o in assignment.items())
            assert report.placed == sum(used.values())


async def test_send_creates_exactly_the_referrals_once(client, make_user, make_org):
    people, places, _ = await round_setting(client, make_user, make_org)
    round_id = await run_round(client)
    proposals = await _proposals(round_id)
    placed = {p["participant"]: p["opportunity"] for p in proposals.values() if p["opportunity"]}
    # One person already has a live referral to the proposed place: refused as a duplicate, the rest go through.
    duplicate = people["cook"]
    lead = (await Participant.select(Participant.lead_counsellor).where(Participant.id == duplicate).first())[
        "lead_counsellor"
    ]
    await Referral.insert(
        Referral(
            participant=duplicate,
            opportunity=placed[duplicate],
            referred_by=lead,
            message="",
            status="proposed",
            reason="",
        )
    )
    assert await Referral.count() == 1  # nothing is sent before a coordinator presses Send

    response = await post_form(client, f"/matching/rounds/{round_id}/send", {"message": "Welcome"})
    assert response.status_code == 303
    sent = await Referral.select().where(Referral.status == "sent")
    assert {(r["participant"], r["opportunity"]) for r in sent} == {(p, o) for p, o in placed.items() if p != duplicate}
    coord = await _user_id("coord")
    assert all(r["message"] == "Welcome" and r["referred_by"] == coord for r in sent)
    after = await _proposals(round_id)
    assert {p["participant"] for p in after.values() if p["referral"]} == set(placed) - {duplicate}
    stored = await AllocationRound.select().where(AllocationRound.id == round_id).first()
    assert stored["status"] == "sent" and stored["sent_by"] == coord and stored["sent_at"]
    page = await client.get(f"/matching/rounds/{round_id}")
    assert "already has a live referral to this opportunity" in page.text and "2 referrals." in page.text
    refers = await AuditEvent.count().where(
        (AuditEvent.action == "refer") & AuditEvent.detail.like("%allocation round%")
    )
    assert refers == 2

    again = await post_form(client, f"/matching/rounds/{round_id}/send", {})
    assert again.status_code == 303 and again.headers["location"].endswith("notice=not_ready")
    assert await Referral.count() == 3
    changed = await post_form(
        client, f"/matching/rounds/{round_id}/proposals/{proposals[people['sorter']]['id']}", {"opportunity_id": ""}
    )
    assert changed.status_code == 422 and "can no longer be changed" in changed.text
    assert (await _proposals(round_id))[people["sorter"]]["opportunity"] is not None


async def test_progress_polls_while_running_and_works_without_javascript(client, make_user, make_org):
    await round_setting(client, make_user, make_org)
    coord = await _user_id("coord")
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    rows = await AllocationRound.insert(
        AllocationRound(
            name="Busy",
            method="stable",
            criteria=json.dumps({"name": "Busy"}),
            status="running",
            progress=40,
            report="{}",
            error="",
            run_by=coord,
            started_at=now,
        ),
        AllocationRound(
            name="Died",
            method="stable",
            criteria=json.dumps({"name": "Died"}),
            status="running",
            progress=40,
            report="{}",
            error="",
            run_by=coord,
            started_at=now - dt.timedelta(hours=2),
        ),
    )
    busy, died = rows[0]["id"], rows[1]["id"]
    page = await client.get(f"/matching/rounds/{busy}")
    assert 'hx-trigger="every 1s"' in page.text and f'hx-get="/matching/rounds/{busy}/status?polling=true"' in page.text
    assert '<meta http-equiv="refresh"' in page.text and f'href="/matching/rounds/{busy}"' in page.text
    fragment = await client.get(f"/matching/rounds/{busy}/status?polling=true", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'value="40"' in fragment.text
    await AllocationRound.update({AllocationRound.status: "ready"}).where(AllocationRound.id == busy)
    done = await client.get(f"/matching/rounds/{busy}/status?polling=true", headers={"HX-Request": "true"})
    assert "The round is ready." in done.text and done.headers["hx-refresh"] == "true"
    assert "This round failed" in (await client.get(f"/matching/rounds/{died}")).text
    assert (await client.get("/matching/rounds/999999")).status_code == 404


@pytest.mark.parametrize("role", ["counsellor", "enterprise", "employer"])
async def test_other_roles_cannot_see_or_change_a_round(client, make_user, make_org, role):
    await round_setting(client, make_user, make_org)
    round_id = await run_round(client)
    proposal = (await AllocationProposal.select(AllocationProposal.id).order_by(AllocationProposal.id).first())["id"]
    client.cookies.clear()
    await make_user("someone", role)
    await login(client, "someone")
    token = await csrf_token(client, "/")
    for method, path in (
        ("GET", "/matching/rounds"),
        ("GET", f"/matching/rounds/{round_id}"),
        ("POST", f"/matching/rounds/{round_id}/send"),
        ("POST", f"/matching/rounds/{round_id}/proposals/{proposal}"),
    ):
        response = await client.request(method, path, data={"_csrf_token": token} if method == "POST" else None)
        assert response.status_code == 403, (method, path)
    assert await Referral.count() == 0
    assert await AuditEvent.count().where(AuditEvent.detail == f"allocation round {round_id}") == 0  # nobody saw it


async def test_referrals_waiting_for_an_answer_count_against_the_places(client, make_user, make_org):
    people, places, _ = await round_setting(client, make_user, make_org)
    lead = (await Participant.select(Participant.lead_counsellor).order_by(Participant.id).first())["lead_counsellor"]
    # The one sorting place already has a referral the host has not answered: the round leaves it alone.
    await Referral.insert(
        Referral(
            participant=people["intake"],
            opportunity=places["sorting"],
            referred_by=lead,
            message="",
            status="sent",
            reason="",
        )
    )
    proposals = await _proposals(await run_round(client))
    assert places["sorting"] not in {p["opportunity"] for p in proposals.values()}


async def test_employer_places_only_for_people_who_agreed_to_be_shown_to_employers(client, make_user, make_org):
    from portal.db.tables import Consent

    people, places, _ = await round_setting(client, make_user, make_org)
    firm = await make_org(name="Sorting employer d.o.o.", kind="employer")
    boss = await make_user("boss", "employer", organisation_id=firm)
    job = await make_opportunity(
        firm,
        boss,
        kind="job",
        capacity=5,
        title="Sorting job",
        required_skills=skills_json("sorting"),
        support_offered="",
    )
    lead = (await Participant.select(Participant.lead_counsellor).order_by(Participant.id).first())["lead_counsellor"]
    await Consent.insert(
        Consent(participant=people["both"], scope="employer_profile", given=True, recorded_by=lead, note="")
    )
    proposals = await _proposals(await run_round(client))
    offered = {pid: [o for o, _ in p["explanation"].get("options", [])] for pid, p in proposals.items()}
    assert job in offered[people["both"]] and job not in offered[people["sorter"]]


async def test_send_checks_stage_places_waiting_elsewhere_and_tells_the_lead(client, make_user, make_org):
    from portal.db.tables import Notification

    people, places, _ = await round_setting(client, make_user, make_org)
    first, second = await run_round(client), await run_round(client)  # both computed before either is sent
    placed = {p["participant"]: p["opportunity"] for p in (await _proposals(first)).values() if p["opportunity"]}
    moved_on = next(pid for pid, oid in placed.items() if oid == places["kitchen"])
    await Participant.update({Participant.stage: "exit"}).where(Participant.id == moved_on)
    assert (await post_form(client, f"/matching/rounds/{first}/send", {})).status_code == 303
    assert (await post_form(client, f"/matching/rounds/{second}/send", {})).status_code == 303
    sent = Counter(r["opportunity"] for r in await Referral.select().where(Referral.status == "sent"))
    left = await _places_left()
    assert all(count <= left[oid] for oid, count in sent.items())  # the second round did not over-refer
    report = json.loads((await AllocationRound.select().where(AllocationRound.id == first).first())["report"])
    assert "stage_changed" in {r["reason"] for r in report["sending"]["refused"]}
    lead = await _user_id("ana")
    assert await Notification.count().where(
        (Notification.user == lead) & (Notification.key == "referral.status")  # written out when read
    ) == sum(sent.values())
    assert (await client.get(f"/matching/rounds/{first}/status")).status_code == 303  # without htmx: the page


async def _exactly_one_referral_each(round_id: int) -> int:
    """Every placed proposal has one referral, linked, and no referral is unlinked; the number of referrals."""
    proposals = [p for p in (await _proposals(round_id)).values() if p["opportunity"]]
    referrals = await Referral.select(Referral.id, Referral.participant, Referral.opportunity)
    assert len(referrals) == len(proposals) == len({r["id"] for r in referrals})
    assert {p["referral"] for p in proposals} == {r["id"] for r in referrals}
    assert {(p["participant"], p["opportunity"]) for p in proposals} == {
        (r["participant"], r["opportunity"]) for r in referrals
    }
    refers = await AuditEvent.count().where(AuditEvent.detail.like(f"%from allocation round {round_id}"))
    assert refers == len(referrals)
    return len(referrals)


async def test_sending_cut_short_is_finished_by_continue_without_a_second_referral(
    client, make_user, make_org, monkeypatch
):
    await round_setting(client, make_user, make_org)
    round_id = await run_round(client)
    placed = sum(1 for p in (await _proposals(round_id)).values() if p["opportunity"])
    assert placed >= 2
    notified = []
    real_notify = rounds.referrals.notify_counsellors

    async def crash_after_the_first(referral_id, status):
        notified.append(referral_id)
        if len(notified) == 1:
            raise ConnectionResetError("the worker died here")  # after the first referral was committed
        await real_notify(referral_id, status)

    monkeypatch.setattr(rounds.referrals, "notify_counsellors", crash_after_the_first)
    with pytest.raises(ConnectionResetError):
        await rounds.send(
            round_id, current_user(await _user_id("coord"), "coord", "coordinator", 0), "Hello", "10.0.0.9"
        )
    stored = await AllocationRound.select(AllocationRound.status).where(AllocationRound.id == round_id).first()
    assert stored["status"] == rounds.SENDING and await Referral.count() == 1
    page = await client.get(f"/matching/rounds/{round_id}")
    assert "Sending did not finish" in page.text and "Continue sending" in page.text

    response = await post_form(client, f"/matching/rounds/{round_id}/send", {"message": "ignored"})
    assert response.status_code == 303
    assert await _exactly_one_referral_each(round_id) == placed
    assert {r["message"] for r in await Referral.select(Referral.message)} == {"Hello"}
    stored = (
        await AllocationRound.select(AllocationRound.status, AllocationRound.report)
        .order_by(AllocationRound.id)
        .first()
    )
    assert stored["status"] == "sent" and json.loads(stored["report"])["sending"]["sent"] == placed
    again = await post_form(client, f"/matching/rounds/{round_id}/send", {})
    assert again.headers["location"].endswith("notice=not_ready") and await Referral.count() == placed


async def test_a_failure_inside_one_referral_leaves_no_referral_without_its_link(
    client, make_user, make_org, monkeypatch
):
    await round_setting(client, make_user, make_org)
    round_id = await run_round(client)
    placed = sum(1 for p in (await _proposals(round_id)).values() if p["opportunity"])
    real_insert = rounds.AuditEvent.insert
    calls = []

    def fail_the_second(*rows):
        calls.append(rows)
        if len(calls) == 2:
            raise RuntimeError("disk full")  # inside the transaction of the second referral
        return real_insert(*rows)

    monkeypatch.setattr(rounds.AuditEvent, "insert", fail_the_second)
    response = await post_form(client, f"/matching/rounds/{round_id}/send", {"message": "Hi"})
    assert response.status_code == 500
    linked = [p for p in (await _proposals(round_id)).values() if p["referral"]]
    assert await Referral.count() == len(linked) == 1
    monkeypatch.setattr(rounds.AuditEvent, "insert", real_insert)
    assert await rounds.resume_interrupted() == 1
    assert await _exactly_one_referral_each(round_id) == placed


async def test_two_deliveries_at_once_make_each_referral_once(client, make_user, make_org):
    import asyncio

    await round_setting(client, make_user, make_org)
    round_id = await run_round(client)
    placed = sum(1 for p in (await _proposals(round_id)).values() if p["opportunity"])
    await AllocationRound.update(
        {AllocationRound.status: rounds.SENDING, AllocationRound.sent_by: await _user_id("coord")}
    ).where(AllocationRound.id == round_id)
    await asyncio.gather(rounds.deliver(round_id), rounds.deliver(round_id), return_exceptions=True)
    if (await AllocationRound.select(AllocationRound.status).order_by(AllocationRound.id).first())[
        "status"
    ] == rounds.SENDING:
        await rounds.deliver(round_id)
    assert await _exactly_one_referral_each(round_id) == placed
