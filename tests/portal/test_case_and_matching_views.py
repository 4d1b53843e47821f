"""The case, suggestion and round views called with plain values: what each returns, refuses and audits."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from portal.cases import view as case_views
from portal.db.tables import AuditEvent, CaseTeamMember, Participant, PortalUser
from portal.matching_service import view as matching_views
from portal.placements import case_view as placement_view
from portal.referrals.steps import today
from portal.service_errors import NotFound, Refused
from tests.factories import current_user, make_participant
from tests.fixtures import post_form
from tests.flows import refer, round_setting, run_round, setting, start_with_mentor, switch

ADDRESS = "203.0.113.9"


async def _audited(detail: str) -> list[tuple[int, str]]:
    rows = await AuditEvent.select(AuditEvent.record_id, AuditEvent.address).where(AuditEvent.detail == detail)
    return [(r["record_id"], r["address"]) for r in rows]


async def _people(make_user, make_org):
    """A lead counsellor, a colleague on the case team (not the lead), and a stranger; and the case."""
    centre = await make_org(name="Centre for social work", kind="social_work_centre")
    lead = current_user(await make_user("ana", "counsellor", organisation_id=centre), "ana", "counsellor", centre)
    member = current_user(await make_user("bor", "counsellor", organisation_id=centre), "bor", "counsellor", centre)
    stranger_org = await make_org(name="Elsewhere")
    stranger = current_user(
        await make_user("cene", "counsellor", organisation_id=stranger_org), "cene", "counsellor", stranger_org
    )
    case = await make_participant(lead, skills=("sorting", "cooking"))
    await CaseTeamMember.insert(
        CaseTeamMember(
            participant=case, user=member.id, role="mentor", added_by=lead.id, added_at=dt.datetime.now(dt.UTC)
        )
    )
    return lead, member, stranger, case


async def test_the_form_views_fill_from_the_case_audit_the_read_and_refuse_who_may_not_change_it(
    client, make_user, make_org
):
    lead, member, stranger, case = await _people(make_user, make_org)
    form = await case_views.profile_form_view(member, ADDRESS, case)
    assert form.case["id"] == case and form.form["languages"] == ["sl"] and form.status_code == 200
    assert "sorting" in form.form["skills"] and form.template_context()["duplicates"] == []
    assert await _audited("edit form") == [(case, ADDRESS)]
    profiling = await case_views.profiling_view(lead, ADDRESS, case)
    assert profiling.form == {} and profiling.result is None  # no assessment yet
    assert await _audited("profiling form") == [(case, ADDRESS)]

    with pytest.raises(NotFound):
        await case_views.profile_form_view(stranger, ADDRESS, case)
    with pytest.raises(NotFound):
        await case_views.profiling_view(stranger, ADDRESS, 99999)
    with pytest.raises(Refused) as not_lead:
        await case_views.team_choices_view(member, case, "")
    assert not_lead.value.code == "not_lead"
    choices = await case_views.team_choices_view(lead, case, "")
    assert choices.template_context()["team_q"] == "" and isinstance(choices.choices.more, bool)

    await Participant.update({Participant.pseudonymised_at: dt.datetime.now(dt.UTC)}).where(Participant.id == case)
    for view in (case_views.profile_form_view(lead, ADDRESS, case), case_views.profiling_view(lead, ADDRESS, case)):
        with pytest.raises(Refused) as refused:
            await view
        assert refused.value.code == "pseudonymised"
    assert len(await _audited("edit form")) == 1 and len(await _audited("profiling form")) == 1  # refused: not read


async def test_the_case_page_placement_section_is_typed_and_frozen(client, make_user, make_org):
    participant, opportunity, _ = await setting(client, make_user, make_org)
    referral = await refer(client, participant, opportunity)
    await switch(client, "host")
    started_on = await start_with_mentor(client, referral)
    monday = today() - dt.timedelta(days=today().weekday())
    await post_form(client, f"/referrals/{referral}/attendance", {"week": monday.isoformat(), "status": "present"})

    section = await placement_view.case_context(participant)
    (placement,) = section.placements
    assert placement.id == referral and placement.started_on.isoformat() == started_on
    assert placement.mentor == placement_view.Mentor("Marko", "041 000", "host", "host")
    assert placement.weeks == (placement_view.Week(monday, "present"),)
    assert section.absence_alerts == () and section.responses == ()
    assert set(section.template_context()) == {
        "placements",
        "absence_alerts",
        "responses",
        "response_steps",
        "attendance_statuses",
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        placement.title = "changed"  # type: ignore[misc]


async def test_suggestion_views_refuse_who_may_not_see_them_and_audit_who_may(client, make_user, make_org):
    lead, _, stranger, case = await _people(make_user, make_org)
    with pytest.raises(NotFound):
        await matching_views.placements_view(stranger, ADDRESS, case)
    with pytest.raises(NotFound):
        await matching_views.placements_view(lead, ADDRESS, 99999)
    found = await matching_views.placements_view(lead, ADDRESS, case)
    assert found.participant_id == case and found.code and found.template_context()["preparing"] is found.preparing
    assert await _audited("placement suggestions") == [(case, ADDRESS)]
    with pytest.raises(NotFound):
        await matching_views.candidates_view(lead, ADDRESS, 99999)


async def test_the_round_view_pages_proposals_audits_each_person_and_explains_a_refusal(client, make_user, make_org):
    people, _, _ = await round_setting(client, make_user, make_org)
    round_id = await run_round(client)
    coord = (
        await PortalUser.select(PortalUser.id, PortalUser.organisation).where(PortalUser.username == "coord").first()
    )
    user = current_user(coord["id"], "coord", "coordinator", coord["organisation"])
    with pytest.raises(NotFound):
        await matching_views.round_view(user, ADDRESS, 99999)
    page = await matching_views.round_view(user, ADDRESS, round_id, notice="full", errors={1: "x"})
    assert page.proposals is not None and page.status_code == 422 and not page.delivering
    assert page.notice.startswith("That opportunity has no place left") and page.template_context()["errors"] == {
        1: "x"
    }
    audited = await _audited(f"allocation round {round_id}")
    assert sorted(pid for pid, _ in audited) == sorted(p["participant"] for p in page.proposals.items)
    assert {address for _, address in audited} == {ADDRESS} and people["intake"] not in dict(audited)
    listing = await matching_views.rounds_view(1)
    assert listing.result.total == 1 and listing.values == {"method": "stable", "stage": "activation"}
