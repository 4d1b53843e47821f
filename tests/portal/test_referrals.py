"""Referrals: the closed loop between counsellor and host, capacity under concurrency, notifications."""

from __future__ import annotations

import asyncio
import datetime as dt

from portal.db.tables import Notification, Opportunity, Participant, Referral, ReferralEvent
from tests.factories import make_opportunity
from tests.fixtures import csrf_token, login, post_form
from tests.flows import open_case, refer, setting, step, switch


async def test_the_whole_loop_with_history_and_notifications(client, make_user, make_org):
    participant, opportunity, _ = await setting(client, make_user, make_org)
    referral = await refer(client, participant, opportunity)
    await switch(client, "host")
    inbox = await client.get("/referrals/inbox")
    code = (await Participant.select(Participant.code).order_by(Participant.id).first())["code"]
    assert code in inbox.text
    page = await client.get(f"/referrals/{referral}")
    assert "Reliable, likes hands-on work." in page.text and "sorting" in page.text and "Mentor" in page.text
    for private in ("Mojca", "Testna", "1980", "Long-term recipient", "Debt", "Podravska"):
        assert private not in page.text  # the host sees what the placement needs, nothing more
    assert "New referral" in (await client.get("/notifications/")).text
    for to in ("accepted", "started", "completed", "hired"):
        assert (await step(client, referral, to)).status_code == 303
    row = await Referral.select().where(Referral.id == referral).first()
    assert row["status"] == "hired" and not row["holds_place"]
    assert (await Opportunity.select(Opportunity.places_taken).order_by(Opportunity.id).first())[
        "places_taken"
    ] == 0  # completion frees it
    events = (
        await ReferralEvent.select(ReferralEvent.to_status)
        .where(ReferralEvent.referral == referral)
        .order_by(ReferralEvent.id)
    )
    assert [e["to_status"] for e in events] == ["sent", "accepted", "started", "completed", "hired"]
    await switch(client, "ana")
    case_page = await client.get(f"/cases/{participant}")
    assert "Hired" in case_page.text
    # Stored as a key with the status code; written out when read (portal.notifications.services).
    assert await Notification.count().where(Notification.params.like('%"status": "hired"%')) == 1


async def test_decline_and_drop_out_need_a_reason(client, make_user, make_org):
    participant, opportunity, _ = await setting(client, make_user, make_org)
    referral = await refer(client, participant, opportunity)
    await switch(client, "host")
    no_reason = await step(client, referral, "declined")
    # The small form comes back with the field's message, open where it was.
    assert no_reason.status_code == 422 and "Please give a reason." in no_reason.text
    assert 'aria-invalid="true"' in no_reason.text
    assert (await Referral.select(Referral.status).order_by(Referral.id).first())["status"] == "sent"
    await step(client, referral, "declined", "No mentor free until spring")
    row = await Referral.select().order_by(Referral.id).first()
    assert (row["status"], row["reason"]) == ("declined", "No mentor free until spring")


async def test_each_side_takes_only_its_own_steps(client, make_user, make_org):
    participant, opportunity, _ = await setting(client, make_user, make_org)
    proposal = await refer(client, participant, opportunity, send="later")
    refused = await step(client, proposal, "accepted")  # the counsellor cannot accept for the host
    assert refused.headers["location"].endswith("notice=not_allowed")
    await switch(client, "host")
    assert (await client.get(f"/referrals/{proposal}")).status_code == 404  # proposals stay with the counsellor
    assert (await step(client, proposal, "accepted")).status_code == 404
    await switch(client, "ana")
    assert (await step(client, proposal, "sent")).status_code == 303
    await switch(client, "host")
    assert (await client.get(f"/referrals/{proposal}")).status_code == 200


async def test_outsiders_cannot_see_or_move_a_referral(client, make_user, make_org):
    participant, opportunity, _ = await setting(client, make_user, make_org)
    referral = await refer(client, participant, opportunity)
    for role in ("enterprise", "employer", "counsellor", "coordinator", "admin"):
        await make_user(f"x-{role}", role)
        await switch(client, f"x-{role}")
        assert (await client.get(f"/referrals/{referral}")).status_code == 404, role
        assert (await step(client, referral, "accepted")).status_code == 404, role
        assert (
            await post_form(client, f"/cases/{participant}/referrals", {"opportunity_id": str(opportunity)})
        ).status_code == 404
    assert (await Referral.select(Referral.status).order_by(Referral.id).first())["status"] == "sent"


async def test_a_full_or_closed_opportunity_or_a_second_live_referral_is_refused_politely(client, make_user, make_org):
    participant, opportunity, host = await setting(client, make_user, make_org, capacity=1)
    await refer(client, participant, opportunity)
    again = await post_form(
        client, f"/cases/{participant}/referrals", {"opportunity_id": str(opportunity), "send": "now"}
    )
    assert again.headers["location"].endswith("notice=duplicate#referrals")
    closed = await make_opportunity(
        host,
        (await Opportunity.select(Opportunity.created_by).order_by(Opportunity.id).first())["created_by"],
        status="closed",
    )
    response = await post_form(
        client, f"/cases/{participant}/referrals", {"opportunity_id": str(closed), "send": "now"}
    )
    page = await client.get(response.headers["location"])
    assert "This opportunity is not open for referrals." in page.text and await Referral.count() == 1


async def test_concurrent_accepts_never_overbook(client, make_user, make_org):
    """100 referrals accepted at once for 5 places: exactly 5 are accepted and nobody sees an error."""
    capacity, attempts = 5, 100
    centre = await make_org(name="Centre", kind="social_work_centre")
    host = await make_org(name="Host")
    lead = await make_user("ana", "counsellor", organisation_id=centre)
    host_user = await make_user("host", "enterprise", organisation_id=host)
    opportunity = await make_opportunity(host, host_user, capacity=capacity)
    now = dt.datetime.now(dt.UTC)
    people = await Participant.insert(
        *[
            Participant(
                code=f"P-T{n:05d}",
                first_name="T",
                last_name=str(n),
                birth_year=1980,
                organisation=centre,
                lead_counsellor=lead,
                region="Podravska",
                municipality="Ptuj",
                languages="sl",
                education_level="primary",
                skills="[]",
                interests="",
                support_needs="",
                stage="activation",
                support_level="",
                created_at=now,
                updated_at=now,
            )
            for n in range(attempts)
        ]
    )
    referrals = await Referral.insert(
        *[
            Referral(
                participant=p["id"],
                opportunity=opportunity,
                referred_by=lead,
                message="",
                status="sent",
                reason="",
                created_at=now,
                updated_at=now,
            )
            for p in people
        ]
    )
    await login(client, "host")
    token = await csrf_token(client, "/referrals/inbox")
    responses = await asyncio.gather(
        *(client.post(f"/referrals/{r['id']}/step", data={"to": "accepted", "_csrf_token": token}) for r in referrals)
    )
    assert all(r.status_code == 303 for r in responses), {r.status_code for r in responses}
    refused = [r for r in responses if r.headers["location"].endswith("notice=full")]
    assert len(refused) == attempts - capacity
    assert await Referral.count().where(Referral.status == "accepted") == capacity
    assert await Referral.count().where(Referral.holds_place.eq(True)) == capacity
    assert (await Opportunity.select(Opportunity.places_taken).order_by(Opportunity.id).first())[
        "places_taken"
    ] == capacity
    page = await client.get(refused[0].headers["location"])
    assert page.status_code == 200 and "No places are left in this opportunity." in page.text


async def test_a_counsellor_who_left_the_case_gets_no_more_news_of_it(client, make_user, make_org):
    centre = await make_org(name="Centre", kind="social_work_centre")
    office = await make_org(name="Employment office", kind="employment_office")
    host = await make_org(name="Host")
    await make_user("lead", "counsellor", organisation_id=centre)
    adviser = await make_user("adviser", "counsellor", organisation_id=office)
    host_user = await make_user("host", "enterprise", organisation_id=host)
    opportunity = await make_opportunity(host, host_user)
    await login(client, "lead")
    participant = await open_case(client)
    await post_form(client, f"/cases/{participant}/team", {"user_id": str(adviser), "role": "employment adviser"})
    await post_form(client, f"/cases/{participant}/consents", {"scope": "case_team", "decision": "give"})
    await switch(client, "adviser")
    referral = await refer(client, participant, opportunity)
    await switch(client, "lead")
    await post_form(client, f"/cases/{participant}/consents", {"scope": "case_team", "decision": "withdraw"})
    await switch(client, "host")
    await step(client, referral, "accepted")
    accepted = Notification.params.like('%"status": "accepted"%')
    assert await Notification.count().where(accepted & (Notification.user == adviser)) == 0
    assert await Notification.count().where(accepted) == 1  # the lead still hears of it
