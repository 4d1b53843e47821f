"""Referral steps as small forms: a message, a note, a date where it matters, a confirmation, a short undo."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx

from portal.db.tables import AuditEvent, Notification, Opportunity, Referral, ReferralEvent
from portal.referrals import steps, undo
from tests.fixtures import csrf_token, login, post_form
from tests.flows import open_case, refer, setting, switch

HTMX = {"HX-Request": "true"}


async def take(client, referral, to, headers=None, **fields):
    return await post_form(client, f"/referrals/{referral}/step", {"to": to, **fields}, headers=headers)


async def referral_row(referral):
    return await Referral.select().where(Referral.id == referral).first()


async def places_taken():
    return (await Opportunity.select(Opportunity.places_taken).order_by(Opportunity.id).first())["places_taken"]


async def events(referral):
    return await ReferralEvent.select().where(ReferralEvent.referral == referral).order_by(ReferralEvent.id)


async def test_refer_from_a_suggestion_with_a_message_the_host_reads(client, make_user, make_org):
    participant, opportunity, _ = await setting(client, make_user, make_org)
    # With htmx the confirmation and its undo take the small form's place.
    sent = await post_form(
        client,
        f"/cases/{participant}/referrals",
        {"opportunity_id": str(opportunity), "send": "now", "message": "Prefers mornings; a mentor helps."},
        headers=HTMX,
    )
    assert sent.status_code == 200
    assert "Sent to Repair cooperative." in sent.text and 'role="status"' in sent.text
    assert "/undo" in sent.text and "<html" not in sent.text
    referral = (await Referral.select(Referral.id).order_by(Referral.id).first())["id"]
    assert (await referral_row(referral))["message"] == "Prefers mornings; a mentor helps."
    # Without htmx the case page confirms it, with the undo while it is possible.
    other = await open_case(client, birth_year="1991", first_name="Lara", last_name="Kos")
    plain = await post_form(client, f"/cases/{other}/referrals", {"opportunity_id": str(opportunity), "send": "now"})
    assert plain.status_code == 303 and "notice=done_sent" in plain.headers["location"]
    page = await client.get(plain.headers["location"])
    assert "Sent to Repair cooperative." in page.text and "Undo" in page.text
    await switch(client, "host")
    host_page = await client.get(f"/referrals/{referral}")
    assert "Prefers mornings; a mentor helps." in host_page.text


async def test_accept_with_a_note_and_start_with_a_date_within_the_limits(client, make_user, make_org):
    participant, opportunity, _ = await setting(client, make_user, make_org)
    referral = await refer(client, participant, opportunity)
    await switch(client, "host")
    accepted = await take(client, referral, "accepted", headers=HTMX, note="Come on Monday at 8.")
    assert accepted.status_code == 200 and "Accepted. The counsellor has been told." in accepted.text
    assert "Come on Monday at 8." in accepted.text  # the history shows the note
    assert (await events(referral))[-1]["note"] == "Come on Monday at 8."
    today = steps.today()
    page = await client.get(f"/referrals/{referral}")
    assert f'value="{today.isoformat()}"' in page.text and "up to 14 days back" in page.text
    for bad, message in (
        ((today + dt.timedelta(days=1)).isoformat(), "The date cannot be in the future."),
        ((today - dt.timedelta(days=15)).isoformat(), "A start can be backdated by at most 14 days."),
        ("31.02.2026", "Enter a date as YYYY-MM-DD."),
    ):
        refused = await take(client, referral, "started", started_on=bad, note="kept")
        assert refused.status_code == 422 and message in refused.text, bad
        assert 'aria-invalid="true"' in refused.text and "kept" in refused.text  # the form keeps what was typed
        row = await referral_row(referral)
        assert (row["status"], row["started_on"]) == ("accepted", None)
    assert len(await events(referral)) == 2  # nothing was recorded by the refused tries
    backdated = today - dt.timedelta(days=14)
    started = await take(client, referral, "started", started_on=backdated.isoformat(), note="First day went well.")
    assert started.status_code == 303
    assert "Start recorded for" in (await client.get(started.headers["location"])).text
    row = await referral_row(referral)
    assert (row["status"], row["started_on"]) == ("started", backdated)
    last = (await events(referral))[-1]
    # The referral keeps when it happened; the event keeps that too and when it was recorded (now).
    assert last["happened_on"] == backdated and last["note"] == "First day went well."
    assert dt.datetime.now(dt.UTC) - last["changed_at"] < dt.timedelta(minutes=1)
    # Undone and recorded again without a date: today.
    assert (await post_form(client, f"/referrals/{referral}/undo", {})).status_code == 303
    assert (await referral_row(referral))["started_on"] is None
    await take(client, referral, "started")
    assert (await referral_row(referral))["started_on"] == today


async def test_completion_cannot_end_before_the_start(client, make_user, make_org):
    participant, opportunity, _ = await setting(client, make_user, make_org)
    referral = await refer(client, participant, opportunity)
    await switch(client, "host")
    today = steps.today()
    await take(client, referral, "accepted")
    await take(client, referral, "started", started_on=(today - dt.timedelta(days=3)).isoformat())
    early = await take(client, referral, "completed", ended_on=(today - dt.timedelta(days=5)).isoformat())
    assert early.status_code == 422 and "The end cannot be before the start" in early.text
    assert (await referral_row(referral))["status"] == "started" and await places_taken() == 1
    done = await take(client, referral, "completed", ended_on=(today - dt.timedelta(days=1)).isoformat(), note="ok")
    assert done.status_code == 303
    row = await referral_row(referral)
    assert (row["status"], row["ended_on"], row["holds_place"]) == ("completed", today - dt.timedelta(days=1), False)
    assert await places_taken() == 0
    page = await client.get(f"/referrals/{referral}")
    assert "Ended on" in page.text and f'action="/referrals/{referral}/undo"' in page.text  # undone for ten minutes


async def test_undo_within_the_window_restores_status_and_places(client, make_user, make_org):
    participant, opportunity, _ = await setting(client, make_user, make_org)
    referral = await refer(client, participant, opportunity)
    await switch(client, "host")
    await take(client, referral, "accepted")
    assert await places_taken() == 1
    undone = await post_form(client, f"/referrals/{referral}/undo", {}, headers=HTMX)
    assert undone.status_code == 200 and "Undone: the referral is back to “Sent”." in undone.text
    row = await referral_row(referral)
    assert (row["status"], row["holds_place"]) == ("sent", False) and await places_taken() == 0
    last = (await events(referral))[-1]
    assert (last["kind"], last["from_status"], last["to_status"]) == ("undone", "accepted", "sent")
    assert await AuditEvent.count().where(AuditEvent.detail.like(f"referral {referral} undone accepted -> sent")) == 1
    # The counsellor had been told of the accept, so hears of the undo.
    assert await Notification.count() == 3  # new referral to the host; accepted, then undone, to the counsellor
    # The undo is not undone: the last step is now the undo itself.
    again = await post_form(client, f"/referrals/{referral}/undo", {})
    assert again.headers["location"].endswith("notice=undo_nothing")
    # The counsellor withdraws a referral the host has not opened: back to a private proposal.
    await switch(client, "ana")
    other = await open_case(client, birth_year="1992", first_name="Eva", last_name="Novak")
    second = await refer(client, other, opportunity)
    withdrawn = await post_form(client, f"/referrals/{second}/undo", {"next": "case"})
    assert withdrawn.status_code == 303 and f"/cases/{other}?notice=undone" in withdrawn.headers["location"]
    assert (await referral_row(second))["status"] == "proposed"
    assert "back to “Proposed”" in (await client.get(withdrawn.headers["location"])).text
    assert "Accepted was undone by the host" in (await client.get("/notifications/")).text
    await switch(client, "host")
    assert "withdrawn by the counsellor" in (await client.get("/notifications/")).text
    assert (await client.get(f"/referrals/{second}")).status_code == 404  # proposals stay private


async def test_undo_refused_after_the_window_or_once_the_other_side_acted(client, make_user, make_org):
    participant, opportunity, _ = await setting(client, make_user, make_org)
    referral = await refer(client, participant, opportunity)
    await switch(client, "host")
    await client.get(f"/referrals/{referral}")  # the host opens it
    await switch(client, "ana")
    opened = await post_form(client, f"/referrals/{referral}/undo", {})
    assert opened.headers["location"].endswith("notice=undo_opened")
    assert "already opened" in (await client.get(opened.headers["location"])).text
    assert (await referral_row(referral))["status"] == "sent"
    await switch(client, "host")
    await take(client, referral, "accepted")
    # Eleven minutes later the accept stands.
    late = dt.datetime.now(dt.UTC) - undo.WINDOW - dt.timedelta(minutes=1)
    await ReferralEvent.update({ReferralEvent.changed_at: late}).where(ReferralEvent.referral == referral)
    too_late = await post_form(client, f"/referrals/{referral}/undo", {})
    assert too_late.headers["location"].endswith("notice=undo_late")
    assert (await referral_row(referral))["status"] == "accepted" and await places_taken() == 1
    # The counsellor cannot undo the host's step.
    await take(client, referral, "started")
    await switch(client, "ana")
    theirs = await post_form(client, f"/referrals/{referral}/undo", {})
    assert theirs.headers["location"].endswith("notice=undo_nothing")
    assert (await referral_row(referral))["status"] == "started" and await places_taken() == 1


async def test_undo_racing_accepts_never_leaves_the_places_wrong(app, client, make_user, make_org):
    """The counsellor withdraws six referrals while the host accepts them for three places, all at once;
    then the host undoes the accepts while starting them. The count always equals the places held."""
    participant, opportunity, _ = await setting(client, make_user, make_org, capacity=3)
    referrals = [await refer(client, participant, opportunity)]
    for n in range(5):
        case = await open_case(client, birth_year=str(1960 + n), first_name=f"A{n}", last_name=f"B{n}")
        referrals.append(await refer(client, case, opportunity))
    counsellor_token = await csrf_token(client, "/")
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as host:
        await login(host, "host")
        host_token = await csrf_token(host, "/")
        answers = await asyncio.gather(
            *(host.post(f"/referrals/{r}/step", data={"to": "accepted", "_csrf_token": host_token}) for r in referrals),
            *(client.post(f"/referrals/{r}/undo", data={"_csrf_token": counsellor_token}) for r in referrals),
        )
        assert all(a.status_code == 303 for a in answers), {a.status_code for a in answers}
        rows = await Referral.select(Referral.status, Referral.holds_place).where(Referral.id.is_in(referrals))
        assert {r["status"] for r in rows} <= {"proposed", "accepted", "sent"}
        # Each one was either accepted first (the undo then refused) or withdrawn (a later accept refused);
        # an accept refused for want of a place leaves it sent, and the undo then withdraws it.
        assert all(r["status"] != "sent" for r in rows)
        accepted = sum(r["status"] == "accepted" for r in rows)
        assert accepted == sum(r["holds_place"] for r in rows) == await places_taken() <= 3
        taken = [r for r in referrals if (await referral_row(r))["status"] == "accepted"]
        answers = await asyncio.gather(
            *(host.post(f"/referrals/{r}/undo", data={"_csrf_token": host_token}) for r in taken),
            *(host.post(f"/referrals/{r}/step", data={"to": "started", "_csrf_token": host_token}) for r in taken),
        )
        assert all(a.status_code == 303 for a in answers), {a.status_code for a in answers}
    rows = await Referral.select(Referral.status, Referral.holds_place).where(Referral.id.is_in(taken))
    assert {r["status"] for r in rows} <= {"sent", "started"}
    assert sum(r["holds_place"] for r in rows) == await places_taken()
    assert await places_taken() == sum(r["status"] == "started" for r in rows)


async def test_recording_a_consent_is_confirmed(client, make_user, make_org):
    participant, _, _ = await setting(client, make_user, make_org)
    given = await post_form(client, f"/cases/{participant}/consents", {"scope": "case_team", "decision": "give"})
    assert given.headers["location"].endswith("notice=consent_give#consents")
    page = await client.get(given.headers["location"])
    assert "Consent recorded as given." in page.text
    withdrawn = await post_form(
        client, f"/cases/{participant}/consents", {"scope": "case_team", "decision": "withdraw"}
    )
    assert "Withdrawal of consent recorded." in (await client.get(withdrawn.headers["location"])).text
    assert "Consent recorded" not in (await client.get(f"/cases/{participant}")).text  # only right after
