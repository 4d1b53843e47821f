"""Mentors named by the case team, "offers a mentor" backed by counts, and undoing a host's completion, hire or decline."""

from __future__ import annotations

import datetime as dt

from portal.db.tables import (
    Opportunity,
    Participant,
    PlacementMentor,
    Referral,
    ReferralEvent,
)
from portal.placements import mentor_figures
from portal.referrals import undo
from portal.referrals.steps import today
from tests.factories import current_user, make_opportunity, make_participant
from tests.fixtures import post_form
from tests.flows import open_case, refer, setting, step, switch


async def started(client, make_user, make_org, capacity: int = 3):
    """A referral the host accepted and started three days back; the host is signed in."""
    participant, opportunity, host = await setting(client, make_user, make_org, capacity=capacity)
    referral = await refer(client, participant, opportunity)
    await switch(client, "host")
    assert (await step(client, referral, "accepted")).status_code == 303
    begun = (today() - dt.timedelta(days=3)).isoformat()
    answer = await post_form(client, f"/referrals/{referral}/step", {"to": "started", "started_on": begun})
    assert answer.status_code == 303
    return participant, opportunity, referral, host


async def row(referral: int) -> dict:
    return (
        await Referral.select(
            Referral.status, Referral.holds_place, Referral.reason, Referral.ended_on, Referral.started_on
        )
        .where(Referral.id == referral)
        .first()
    )


async def taken(opportunity: int) -> int:
    return (await Opportunity.select(Opportunity.places_taken).where(Opportunity.id == opportunity).first())[
        "places_taken"
    ]


async def take_undo(client, referral: int) -> str:
    """Post the undo form; the notice code the redirect names ('undone' or a refusal)."""
    answer = await post_form(client, f"/referrals/{referral}/undo", {})
    assert answer.status_code == 303
    return answer.headers["location"].rsplit("notice=", 1)[1]


# --- a mentor from the case team -------------------------------------------------------------------


async def test_the_case_team_names_one_of_its_own_as_mentor(client, make_user, make_org):
    participant, _, referral, host = await started(client, make_user, make_org)
    centre = (await Participant.select(Participant.organisation).where(Participant.id == participant).first())[
        "organisation"
    ]
    tina = await make_user(
        "tina", "counsellor", organisation_id=centre, display_name="Tina Team", email="tina@example.org"
    )
    stranger = await make_user("sara", "counsellor", organisation_id=centre, display_name="Sara Stranger")
    await switch(client, "ana")
    added = await post_form(client, f"/cases/{participant}/team", {"user_id": str(tina), "role": "job coach"})
    assert added.status_code == 303

    page = (await client.get(f"/referrals/{referral}")).text
    assert "Name a mentor from the case team" in page and "Tina Team" in page and "Sara Stranger" not in page

    # Bad input: the form again with what is wrong, nothing saved.
    for form, message in (
        ({"team_mentor_user": ""}, "Choose someone from the case team."),
        ({"team_mentor_user": str(stranger)}, "Choose someone from the case team."),
        ({"team_mentor_user": "abc"}, "Choose someone from the case team."),
        ({"team_mentor_user": str(tina), "team_mentor_contact": "x" * 201}, "at most 200 characters"),
        ({"team_mentor_user": str(tina), "team_mentor_contact": "line\nbreak"}, "at most 200 characters"),
    ):
        bad = await post_form(client, f"/referrals/{referral}/team-mentor", form)
        assert bad.status_code == 422 and message in bad.text and 'aria-invalid="true"' in bad.text
    assert await PlacementMentor.count() == 0

    named = await post_form(client, f"/referrals/{referral}/team-mentor", {"team_mentor_user": str(tina)})
    assert named.status_code == 303 and named.headers["location"].endswith("notice=mentor_named#mentor")
    saved = await PlacementMentor.select().order_by(PlacementMentor.id).first()
    assert (saved["user"], saved["name"], saved["contact"]) == (tina, "Tina Team", "tina@example.org")
    page = (await client.get(f"/referrals/{referral}")).text
    assert "Tina Team · tina@example.org · in the case team" in page and "named by ana" in page
    assert "Tina Team · tina@example.org · in the case team" in (await client.get(f"/cases/{participant}")).text

    # A team member names too, with another contact; the host sees it, then names theirs: history kept.
    await switch(client, "tina")
    again = await post_form(
        client, f"/referrals/{referral}/team-mentor", {"team_mentor_user": str(tina), "team_mentor_contact": "041 1"}
    )
    assert again.status_code == 303
    await switch(client, "host")
    assert "Tina Team · 041 1 · in the case team" in (await client.get(f"/referrals/{referral}")).text
    # The host keeps its own form and may not use the case team's.
    refused = await post_form(client, f"/referrals/{referral}/team-mentor", {"team_mentor_user": str(tina)})
    assert refused.status_code == 403
    own = await post_form(
        client, f"/referrals/{referral}/mentor", {"mentor_name": "Janez Novak", "mentor_contact": "02 123"}
    )
    assert own.status_code == 303
    await switch(client, "ana")
    case = (await client.get(f"/cases/{participant}")).text
    assert "Janez Novak · 02 123 · at the host" in case and "named by host" in case
    assert await PlacementMentor.count() == 3

    # Nobody else: a counsellor off the team finds nothing, and nothing changes.
    await switch(client, "sara")
    outsider = await post_form(client, f"/referrals/{referral}/team-mentor", {"team_mentor_user": str(tina)})
    assert outsider.status_code == 404 and await PlacementMentor.count() == 3
    # Once the placement ended no mentor is named any more.
    await switch(client, "host")
    assert (await post_form(client, f"/referrals/{referral}/step", {"to": "completed"})).status_code == 303
    await switch(client, "ana")
    late = await post_form(client, f"/referrals/{referral}/team-mentor", {"team_mentor_user": str(tina)})
    assert late.status_code == 403 and await PlacementMentor.count() == 3


# --- "offers a mentor" backed by numbers ------------------------------------------------------------


async def placements(lead, opportunity: int, statuses: list[str], mentored: int, namer: int) -> list[int]:
    """Referrals to ``opportunity`` in ``statuses`` for new people; the first ``mentored`` get a mentor (twice)."""
    now = dt.datetime.now(dt.UTC)
    made = []
    for n, status in enumerate(statuses):
        person = await make_participant(lead, first_name=f"Oseba{n}")
        rows = await Referral.insert(
            Referral(
                participant=person,
                opportunity=opportunity,
                referred_by=lead.id,
                message="",
                status=status,
                reason="",
                holds_place=status == "started",
                started_on=today(),
                created_at=now,
                updated_at=now,
            )
        )
        made.append(rows[0]["id"])
    for referral in made[:mentored]:
        for name in ("First", "Second"):  # a changed mentor is still one placement with a mentor
            await PlacementMentor.insert(
                PlacementMentor(referral=referral, name=name, contact="x", named_by=namer, named_at=now)
            )
    return made


async def test_offers_a_mentor_shows_how_many_placements_have_one(client, make_user, make_org):
    centre = await make_org(name="Centre", kind="social_work_centre")
    host = await make_org(name="Mentoring host")
    other = await make_org(name="Other host")
    ana = current_user(await make_user("ana", "counsellor", organisation_id=centre), "ana", "counsellor", centre)
    host_user = await make_user("host", "enterprise", organisation_id=host)
    with_mentor = await make_opportunity(host, host_user, capacity=50, support_offered="flexible_hours,mentor")
    second = await make_opportunity(host, host_user, capacity=50, support_offered="", title="Second")
    elsewhere = await make_opportunity(other, host_user, capacity=50, support_offered="mentor")
    await placements(ana, with_mentor, ["started"] * 4 + ["completed"] * 3 + ["sent", "declined"], 3, host_user)
    await placements(ana, second, ["started"] * 3 + ["hired"], 1, host_user)
    await placements(ana, elsewhere, ["started"] * 6, 6, host_user)

    # Computed in the database: 7 under way (4 + 3), 4 of them mentored; 11 placements in all, 4 mentored.
    assert await mentor_figures.counts(host) == {"now_total": 7, "now_mentored": 4, "all_total": 11, "all_mentored": 4}
    assert await mentor_figures.counts(other) == {"now_total": 6, "now_mentored": 6, "all_total": 6, "all_mentored": 6}

    # Shown as the indicators show counts of people: 1-4 as "fewer than 5", the rest to the nearest 5 (7 is 5).
    assert await mentor_figures.figures(host) == {
        "now_total": 5,
        "now_mentored": None,
        "all_total": 10,
        "all_mentored": None,
    }
    page = (await client.get(f"/opportunities/{with_mentor}")).text
    assert "Mentors in its placements" in page
    assert "Under way now: fewer than 5 of 5 placements have a mentor named." in page
    assert "In all: fewer than 5 of 10 placements had a mentor named." in page
    assert "Mentors in its placements" not in (await client.get(f"/opportunities/{second}")).text
    assert "In all: 5 of 5 placements" in (await client.get(f"/opportunities/{elsewhere}")).text
    org_page = (await client.get(f"/organisations/{host}")).text
    assert "Under way now: fewer than 5 of 5 placements" in org_page

    # Once no open opportunity offers a mentor, the organisation page does not claim it.
    await Opportunity.update({Opportunity.status: "closed"}).where(Opportunity.id == with_mentor)
    assert "Mentors in its placements" not in (await client.get(f"/organisations/{host}")).text
    empty = await make_org(name="New host")
    await make_opportunity(empty, host_user, support_offered="mentor")
    assert "No placement has started here yet." in (await client.get(f"/organisations/{empty}")).text


# --- undoing a completion, a hire or a decline ----------------------------------------------------


async def test_the_host_undoes_a_completion_then_a_hire(client, make_user, make_org):
    _, opportunity, referral, _ = await started(client, make_user, make_org)
    assert await taken(opportunity) == 1
    assert (await post_form(client, f"/referrals/{referral}/step", {"to": "completed"})).status_code == 303
    assert (await row(referral))["holds_place"] is False and await taken(opportunity) == 0
    assert f'action="/referrals/{referral}/undo"' in (await client.get(f"/referrals/{referral}")).text

    assert await take_undo(client, referral) == "undone"
    back = await row(referral)
    assert (back["status"], back["holds_place"], back["ended_on"]) == ("started", True, None)
    assert back["started_on"] is not None and await taken(opportunity) == 1
    last = await ReferralEvent.select().order_by(ReferralEvent.id, ascending=False).first()
    assert (last["kind"], last["from_status"], last["to_status"]) == ("undone", "completed", "started")

    # Completed again, then a hire, then the hire undone: no place moves.
    assert (await post_form(client, f"/referrals/{referral}/step", {"to": "completed"})).status_code == 303
    assert (await step(client, referral, "hired")).status_code == 303
    assert await taken(opportunity) == 0
    assert await take_undo(client, referral) == "undone"
    assert (await row(referral))["status"] == "completed" and await taken(opportunity) == 0
    # The undo is the last event now: nothing more to take back, and the counsellor never could.
    assert await take_undo(client, referral) == "undo_nothing"
    await switch(client, "ana")
    assert await take_undo(client, referral) == "undo_nothing"


async def test_undoing_a_decline_frees_nothing_and_clears_its_reason(client, make_user, make_org):
    participant, opportunity, _ = await setting(client, make_user, make_org)
    referral = await refer(client, participant, opportunity)
    await switch(client, "host")
    assert (await step(client, referral, "declined", reason="No places for now")).status_code == 303
    assert (await row(referral))["reason"] == "No places for now"
    assert await take_undo(client, referral) == "undone"
    back = await row(referral)
    assert (back["status"], back["reason"], back["holds_place"]) == ("sent", "", False)
    assert await taken(opportunity) == 0

    # Declined again; the counsellor refers the person anew: the old decline can no longer be undone.
    assert (await step(client, referral, "declined", reason="Still no")).status_code == 303
    await switch(client, "ana")
    anew = await refer(client, participant, opportunity)
    await switch(client, "host")
    assert await take_undo(client, referral) == "duplicate"
    assert (await row(referral))["status"] == "declined" and (await row(anew))["status"] == "sent"


async def test_undo_of_a_completion_refused_late_after_the_case_team_acted_or_when_full(client, make_user, make_org):
    participant, opportunity, referral, _ = await started(client, make_user, make_org, capacity=1)
    assert (await post_form(client, f"/referrals/{referral}/step", {"to": "completed"})).status_code == 303

    # The case team records a response about this placement: the completion stands.
    await switch(client, "ana")
    answer = await post_form(
        client,
        f"/cases/{participant}/responses",
        {
            "response_step": "contact",
            "response_note": "Talked about what comes next",
            "response_referral": str(referral),
        },
    )
    assert answer.status_code == 303
    await switch(client, "host")
    assert f'action="/referrals/{referral}/undo"' not in (await client.get(f"/referrals/{referral}")).text
    assert await take_undo(client, referral) == "undo_acted"
    assert "the case team has acted" in (await client.get(f"/referrals/{referral}?notice=undo_acted")).text
    assert (await row(referral))["status"] == "completed" and await taken(opportunity) == 0

    # The only place went to someone else meanwhile: undoing the completion would over-book, so it is refused.
    await switch(client, "ana")
    other = await open_case(client, birth_year="1991", first_name="Eva", last_name="Novak")
    second = await refer(client, other, opportunity)
    await switch(client, "host")
    assert (await step(client, second, "accepted")).status_code == 303
    assert await taken(opportunity) == 1
    assert (await step(client, second, "started")).status_code == 303
    assert (await post_form(client, f"/referrals/{second}/step", {"to": "completed"})).status_code == 303
    assert await taken(opportunity) == 0
    third_person = await open_case_as_ana(client, "1993", "Iva")
    third = await refer(client, third_person, opportunity)
    await switch(client, "host")
    assert (await step(client, third, "accepted")).status_code == 303 and await taken(opportunity) == 1
    # Accepting another referral is no event of ``second``: its completion is still its last step.
    assert await take_undo(client, second) == "full"
    assert (await row(second))["status"] == "completed" and await taken(opportunity) == 1

    # Past the window, even with a place free again, the completion stands.
    await ReferralEvent.update({ReferralEvent.changed_at: dt.datetime.now(dt.UTC) - undo.WINDOW * 2}).where(
        ReferralEvent.referral == second
    )
    await Opportunity.update({Opportunity.capacity: 2}).where(Opportunity.id == opportunity)
    assert await take_undo(client, second) == "undo_late"
    assert (await row(second))["status"] == "completed" and await taken(opportunity) == 1
    held = await Referral.count().where((Referral.opportunity == opportunity) & Referral.holds_place.eq(True))
    assert held == await taken(opportunity) == 1


async def open_case_as_ana(client, birth_year: str, first_name: str) -> int:
    await switch(client, "ana")
    return await open_case(client, birth_year=birth_year, first_name=first_name, last_name="Kralj")
