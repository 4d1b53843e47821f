"""No statement's arguments grow with the data: a round's or a plan's every opportunity, and every
finished referral, are named by sub-selects (PostgreSQL takes at most 32,767 arguments a statement)."""

from __future__ import annotations

from portal.db.tables import AllocationProposal, Participant, Referral
from portal.matching_service import round_runs, training
from portal.matching_service.rounds import Criteria, employer_hosted
from portal.network import plan_runs, plans
from tests.factories import current_user, make_opportunity
from tests.fixtures import post_form
from tests.flows import refer, round_setting, run_round, setting

MANY = 40


async def test_a_round_and_a_plan_read_their_opportunities_without_listing_them(
    client, make_user, make_org, arguments_sent
):
    participant, first, _ = await setting(client, make_user, make_org, capacity=1)
    await refer(client, participant, first)  # sent, not answered: it holds the only place
    employer = await make_org(name="Employer d.o.o.", kind="employer")
    hiring = await make_user("hr", "employer", organisation_id=employer)
    offered = {await make_opportunity(employer, hiring, capacity=2) for _ in range(MANY)}
    arguments_sent.clear()

    places = await round_runs._places(Criteria(name="all"))
    assert {p["id"] for p in places} == offered  # the first is full once its sent referral is counted
    assert await employer_hosted(round_runs.place_ids(Criteria(name="all"))) == offered
    coordinator = current_user(await make_user("coord", "coordinator"), "coord", "coordinator", None)
    data = await plan_runs.load(await plans.create("Bounded", coordinator))
    assert data.employer_places == offered
    assert max(map(len, arguments_sent)) < MANY


async def test_training_reads_the_finished_referrals_people_and_places_without_listing_them(
    client, make_user, make_org, arguments_sent
):
    participant, opportunity, _ = await setting(client, make_user, make_org)
    await refer(client, participant, opportunity)
    person = await Participant.select().where(Participant.id == participant).first()
    referral = await Referral.select().order_by(Referral.id).first()
    for n in range(6):
        values = {**person, "code": f"T-{n}"}
        values.pop("id")
        other = (await Participant.insert(Participant(**values)))[0]["id"]
        copy = {**referral, "participant": other, "status": "completed" if n % 2 else "dropped_out"}
        copy.pop("id")
        await Referral.insert(Referral(**copy))
    arguments_sent.clear()

    found = await training.gather_outcomes()

    assert len(found.outcomes) == 6 and sum(o.success for o in found.outcomes) == 3
    assert max(map(len, arguments_sent)) < 6


async def test_sending_a_round_reads_its_opportunities_without_listing_them(
    client, make_user, make_org, arguments_sent
):
    people, _, host = await round_setting(client, make_user, make_org)
    round_id = await run_round(client)
    # Many more proposals, each person to an opportunity of their own.
    person = await Participant.select().where(Participant.id == people["sorter"]).first()
    host_user = await make_user("host2", "enterprise", organisation_id=host)
    proposed = set()
    for n in range(MANY):
        values = {**person, "code": f"T-{n}"}
        values.pop("id")
        other = (await Participant.insert(Participant(**values)))[0]["id"]
        place = await make_opportunity(host, host_user, capacity=1, support_offered="")
        proposed.add(place)
        await AllocationProposal.insert(
            AllocationProposal(allocation_round=round_id, participant=other, opportunity=place, explanation="[]")
        )
    arguments_sent.clear()

    response = await post_form(client, f"/matching/rounds/{round_id}/send", {"message": "Welcome"})

    assert response.status_code == 303
    assert await Referral.count().where(Referral.participant.code.like("T-%") & (Referral.status == "sent")) == MANY
    # The people are asked about in chunks of a bounded size; the opportunities by a sub-select.
    assert not any(proposed <= set(arguments) for arguments in arguments_sent)
