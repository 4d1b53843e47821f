"""The case page's reads (issue #15): the written-out statements give what the Piccolo selects gave, in few statements."""

from __future__ import annotations

import datetime as dt
import json

from portal.cases import services
from portal.db.tables import (
    AbsenceAlert,
    AttendanceResponse,
    AttendanceWeek,
    CaseNote,
    CaseTeamMember,
    Consent,
    Introduction,
    Participant,
    PlacementMentor,
    PlanStep,
    ProfilingAssessment,
    StageChange,
)
from portal.employers import introductions
from portal.placements import case_view as placement_view
from portal.referrals.steps import today
from tests.factories import current_user
from tests.fixtures import post_form
from tests.flows import CASE, refer, setting, start_with_mentor, switch


async def _case_with_everything(client, make_user, make_org) -> tuple[int, int, int]:
    """A case led by "ana" with a colleague elsewhere on its team, consents, an assessment, plan steps
    (one undated, one done), notes, a second stage, a look-alike case, and a started placement with a
    mentor, attendance weeks, an open absence alert and two responses; an employer asked twice to meet.
    Returns (case, referral, colleague)."""
    participant, opportunity, _host = await setting(client, make_user, make_org)
    office = await make_org(name="Employment office")
    colleague = await make_user("bor", "counsellor", organisation_id=office, display_name="Bor Svetovalec")
    await post_form(client, f"/cases/{participant}/team", {"user_id": str(colleague), "role": "employment adviser"})
    for scope, decision in [("case_team", "give"), ("employer_profile", "give"), ("employer_profile", "withdraw")]:
        await post_form(client, f"/cases/{participant}/consents", {"scope": scope, "decision": decision})
    due = (today() + dt.timedelta(days=10)).isoformat()
    for goal, when in [("Routine", due), ("Papers", ""), ("Routine", (today() - dt.timedelta(days=3)).isoformat())]:
        await post_form(client, f"/cases/{participant}/plan", {"goal": goal, "step": f"{goal} {when}", "due_on": when})
    late = (
        await PlanStep.select(PlanStep.id)
        .where(PlanStep.goal == "Routine")
        .order_by(PlanStep.id, ascending=False)
        .first()
    )
    await post_form(client, f"/cases/{participant}/plan/{late['id']}/done", {})
    for text in ("First talk.", "Keen to start."):
        await post_form(client, f"/cases/{participant}/notes", {"text": text})
    await post_form(client, f"/cases/{participant}/stage", {"stage": "activation", "stage_note": "plan agreed"})
    await post_form(client, "/cases/new", {**_CASE_AGAIN, "confirm_duplicate": "yes"})  # the same person again?
    await post_form(client, "/cases/new", {**_CASE_AGAIN, "first_name": "Zala", "confirm_duplicate": "yes"})

    referral = await refer(client, participant, opportunity)
    await switch(client, "host")
    await start_with_mentor(client, referral)
    monday = today() - dt.timedelta(days=today().weekday())
    for weeks_back, status in [(2, "present"), (1, "excused"), (0, "present")]:
        week = (monday - dt.timedelta(weeks=weeks_back)).isoformat()
        await post_form(client, f"/referrals/{referral}/attendance", {"week": week, "status": status})
    await switch(client, "ana")
    now = dt.datetime.now(dt.UTC)
    ana = (await Participant.select(Participant.lead_counsellor).where(Participant.id == participant).first())[
        "lead_counsellor"
    ]
    await AbsenceAlert.insert(
        AbsenceAlert(referral=referral, participant=participant, weeks=2, last_week=monday, raised_at=now)
    )
    employer = await make_org(name="Kitchen Ltd", kind="employer")
    asker = await make_user("eva", "employer", organisation_id=employer)
    for status, stamp in [("requested", now - dt.timedelta(days=2)), ("declined", now)]:
        await Introduction.insert(
            Introduction(
                organisation=employer,
                participant=participant,
                requested_by=asker,
                message="",
                status=status,
                reason="",
                created_at=stamp,
                updated_at=stamp,
            )
        )
    for referral_id, note in [(referral, "Called about the hours."), (None, "Talked it through.")]:
        await AttendanceResponse.insert(
            AttendanceResponse(
                participant=participant,
                referral=referral_id,
                step="contact",
                note=note,
                decided_by=ana,
                decided_on=today(),
                recorded_at=now,
            )
        )
    return participant, referral, colleague


_CASE_AGAIN = {**CASE, "skills": "sorting"}


async def _as_piccolo_read_it(participant_id: int) -> dict:
    """The case file's lists as the Piccolo selects that LISTS_SQL replaced read them."""
    return {
        "stages": await StageChange.select(
            StageChange.stage,
            StageChange.note,
            StageChange.changed_at,
            StageChange.changed_by.display_name.as_alias("by"),
        )
        .where(StageChange.participant == participant_id)
        .order_by(StageChange.id),
        "team": await CaseTeamMember.select(
            CaseTeamMember.id,
            CaseTeamMember.role,
            CaseTeamMember.added_at,
            CaseTeamMember.user.display_name.as_alias("name"),
            CaseTeamMember.user._.organisation.name.as_alias("organisation_name"),
        )
        .where(CaseTeamMember.participant == participant_id)
        .order_by(CaseTeamMember.id),
        "consent_history": await Consent.select(
            Consent.scope,
            Consent.given,
            Consent.note,
            Consent.recorded_at,
            Consent.recorded_by.display_name.as_alias("by"),
        )
        .where(Consent.participant == participant_id)
        .order_by(Consent.id, ascending=False),
        "assessments": await ProfilingAssessment.select(
            ProfilingAssessment.id,
            ProfilingAssessment.answers,
            ProfilingAssessment.points,
            ProfilingAssessment.computed_level,
            ProfilingAssessment.override_level,
            ProfilingAssessment.override_reason,
            ProfilingAssessment.assessed_at,
            ProfilingAssessment.assessed_by.display_name.as_alias("by"),
        )
        .where(ProfilingAssessment.participant == participant_id)
        .order_by(ProfilingAssessment.id, ascending=False),
        "plan": await PlanStep.select(
            PlanStep.id,
            PlanStep.goal,
            PlanStep.step,
            PlanStep.due_on,
            PlanStep.done_on,
            PlanStep.created_by,
            PlanStep.created_at,
        )
        .where(PlanStep.participant == participant_id)
        .order_by(PlanStep.id),
        "notes": await CaseNote.select(CaseNote.text, CaseNote.written_at, CaseNote.author.display_name.as_alias("by"))
        .where(CaseNote.participant == participant_id)
        .order_by(CaseNote.id, ascending=False),
    }


async def test_the_case_file_gives_what_the_piccolo_selects_gave_with_the_same_types(client, make_user, make_org):
    participant, referral, _ = await _case_with_everything(client, make_user, make_org)
    case = await services.get_case(participant)
    expected = await _as_piccolo_read_it(participant)
    for assessment in expected["assessments"]:
        assessment["answers"] = json.loads(assessment["answers"])
    for key in ("stages", "team", "consent_history", "assessments", "notes"):
        assert case[key] == expected[key], key
    # The plan by due date, the undated step last, on both engines.
    assert [s["id"] for s in case["plan"]] == [
        s["id"] for s in sorted(expected["plan"], key=lambda s: (s["due_on"] is None, s["due_on"] or dt.date.min))
    ]
    assert sorted(case["plan"], key=lambda s: s["id"]) == expected["plan"]
    assert case["plan"][-1]["due_on"] is None and case["overdue"] == 0  # the late step was done
    assert [n["text"] for n in case["notes"]] == ["Keen to start.", "First talk."]
    assert {scope: c["given"] for scope, c in case["consents"].items()} == {
        "case_team": True,
        "employer_profile": False,
    }
    assert case["consents"] == await services.consents_in_force(participant)
    # Types as PostgreSQL gives them, on SQLite too: aware UTC timestamps, real booleans and dates, parsed JSON.
    moments = [s["changed_at"] for s in case["stages"]] + [c["recorded_at"] for c in case["consent_history"]]
    moments += [n["written_at"] for n in case["notes"]] + [t["added_at"] for t in case["team"]]
    assert moments and all(isinstance(m, dt.datetime) and m.utcoffset() == dt.timedelta(0) for m in moments)
    assert all(type(c["given"]) is bool for c in case["consent_history"])
    assert isinstance(case["plan"][0]["due_on"], dt.date) and isinstance(case["assessments"][0]["answers"], dict)
    assert isinstance(case["created_at"], dt.datetime) and case["created_at"].utcoffset() == dt.timedelta(0)
    # The look-alike with the same initials, not the one with other initials.
    look_alike = await Participant.select(Participant.id, Participant.code).where(Participant.first_name == "Mojca")
    [duplicate] = case["duplicates"]
    assert duplicate["code"] in {r["code"] for r in look_alike if r["id"] != participant}
    assert duplicate["organisation_name"] == "Centre for social work"
    assert case["organisation_name"] == "Centre for social work" and case["country"] == "SI" and case["lead_name"]
    assert "name_search" not in case and "skill_terms" not in case  # search fields: nothing shows them

    section = await placement_view.case_context(participant)
    (placement,) = section.placements
    assert placement.id == referral and placement.title == "Repair workshop assistant"
    assert placement.host_name == "Repair cooperative" and placement.mentor is not None
    assert placement.mentor.name == "Marko" and placement.mentor.side == "host"
    weeks = await AttendanceWeek.select(AttendanceWeek.week_start, AttendanceWeek.status).order_by(
        AttendanceWeek.week_start, ascending=False
    )
    assert [(w.week_start, w.status) for w in placement.weeks] == [(w["week_start"], w["status"]) for w in weeks]
    (alert,) = section.absence_alerts
    assert (alert.referral, alert.weeks, alert.title) == (referral, 2, "Repair workshop assistant")
    assert isinstance(alert.last_week, dt.date)
    assert [(r.note, r.title) for r in section.responses] == [
        ("Talked it through.", None),
        ("Called about the hours.", "Repair workshop assistant"),
    ]
    assert all(isinstance(r.decided_on, dt.date) and r.by for r in section.responses)
    mentor_row = await PlacementMentor.select(PlacementMentor.name).first()
    assert mentor_row["name"] == "Marko"

    lead = current_user(case["lead_counsellor"], "ana", "counsellor", case["organisation"])
    asked = await introductions.list_for_counsellor(lead, participant)
    assert [(i["status"], i["employer_name"], i["code"]) for i in asked] == [
        ("requested", "Kitchen Ltd", case["code"]),  # waiting first, though older
        ("declined", "Kitchen Ltd", case["code"]),
    ]
    assert all(i["updated_at"].utcoffset() == dt.timedelta(0) and i["opportunity_title"] is None for i in asked)
    assert await introductions.list_for_counsellor(current_user(9999, "x", "counsellor", None), participant) == []


async def test_the_case_page_reads_in_few_statements(client, make_user, make_org, sent_statements):
    participant, _referral, _colleague = await _case_with_everything(client, make_user, make_org)
    statements = sent_statements
    statements.clear()
    page = await client.get(f"/cases/{participant}")
    assert page.status_code == 200
    assert "Keen to start." in page.text and "Marko" in page.text and "Talked it through." in page.text
    assert "Employers asking to meet" in page.text and "Kitchen Ltd" in page.text
    # The session, the unread count, where the user stands, the case, its lists, the audit record, the
    # referrals, the placement section; for the lead also the team form's people and employers' requests.
    assert len(statements) <= 10, "\n".join(statements)

    statements.clear()
    await switch(client, "bor")  # on the team from another organisation, with the person's consent
    statements.clear()
    page = await client.get(f"/cases/{participant}")
    assert page.status_code == 200 and "Keen to start." in page.text
    assert len(statements) <= 8, "\n".join(statements)
