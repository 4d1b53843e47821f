"""What the case page shows of placements: attendance weeks, mentors, open absence alerts and the response ladder."""

from __future__ import annotations

from typing import Any

from portal.db.tables import AbsenceAlert, AttendanceResponse, AttendanceWeek, PlacementMentor
from portal.placements import attendance, responses, team_mentors

WEEKS_SHOWN = 8


async def case_context(participant_id: int) -> dict[str, Any]:
    """The case page's placement section; each part one bounded statement."""
    placements = await responses.placements_of(participant_id)
    weeks = (
        await AttendanceWeek.select(AttendanceWeek.referral, AttendanceWeek.week_start, AttendanceWeek.status)
        .where(AttendanceWeek.referral.participant == participant_id)
        .order_by(AttendanceWeek.week_start, ascending=False)
        .limit(WEEKS_SHOWN * 10)
    )
    named = PlacementMentor.select(
        PlacementMentor.referral,
        PlacementMentor.name,
        PlacementMentor.contact,
        PlacementMentor.named_by.display_name.as_alias("by"),
    )
    mentors = await (
        team_mentors.with_sides(named)
        .where(PlacementMentor.referral.participant == participant_id)
        .order_by(PlacementMentor.id, ascending=False)
        .limit(100)
    )
    for m in mentors:
        m["side"] = team_mentors.side_of(m)
    for p in placements:
        p["weeks"] = [w for w in weeks if w["referral"] == p["id"]][:WEEKS_SHOWN]
        p["mentor"] = next((m for m in mentors if m["referral"] == p["id"]), None)
    return {
        "placements": placements,
        "absence_alerts": await responses.open_alerts(participant_id),
        "responses": await responses.of_case(participant_id),
        "response_steps": responses.STEPS,
        "attendance_statuses": attendance.STATUSES,
    }


async def referral_context(referral: dict[str, Any], side: str) -> dict[str, Any]:
    """The referral page's placement part: recent weeks and the mentor; for the host, colleagues to name."""
    from portal.placements import mentors

    context: dict[str, Any] = {
        "attendance_weeks": await attendance.weeks_of(referral["id"]),
        "attendance_statuses": attendance.STATUSES,
        "mentor": await mentors.current(referral["id"]),
        "mentor_open": referral["status"] in mentors.NAMED_WHILE,
        "mentor_choices": [],
        "team_choices": [],
    }
    if side == "host" and context["mentor_open"]:
        context["mentor_choices"] = await mentors.colleagues(referral["host_id"])
    if side == "counsellor" and context["mentor_open"]:
        context["team_choices"] = await team_mentors.team(referral["participant"])
    return context


async def export_of(participant_id: int) -> dict[str, Any]:
    """Everything the placement records hold on the person, for the subject access export (portal.privacy.export)."""
    weeks = (
        await AttendanceWeek.select(
            AttendanceWeek.referral,
            AttendanceWeek.week_start,
            AttendanceWeek.status,
            AttendanceWeek.note,
            AttendanceWeek.recorded_by.display_name.as_alias("recorded_by"),
            AttendanceWeek.recorded_at,
        )
        .where(AttendanceWeek.referral.participant == participant_id)
        .order_by(AttendanceWeek.id)
    )
    answers = (
        await AttendanceResponse.select(
            AttendanceResponse.referral,
            AttendanceResponse.step,
            AttendanceResponse.note,
            AttendanceResponse.decided_on,
            AttendanceResponse.decided_by.display_name.as_alias("decided_by"),
            AttendanceResponse.recorded_at,
        )
        .where(AttendanceResponse.participant == participant_id)
        .order_by(AttendanceResponse.id)
    )
    named = (
        await PlacementMentor.select(
            PlacementMentor.referral,
            PlacementMentor.name,
            PlacementMentor.contact,
            PlacementMentor.named_by.display_name.as_alias("named_by"),
            PlacementMentor.named_at,
        )
        .where(PlacementMentor.referral.participant == participant_id)
        .order_by(PlacementMentor.id)
    )
    alerts = (
        await AbsenceAlert.select(
            AbsenceAlert.referral,
            AbsenceAlert.weeks,
            AbsenceAlert.last_week,
            AbsenceAlert.raised_at,
            AbsenceAlert.closed_at,
        )
        .where(AbsenceAlert.participant == participant_id)
        .order_by(AbsenceAlert.id)
    )
    return {"attendance": weeks, "absence_alerts": alerts, "responses": answers, "mentors": named}
