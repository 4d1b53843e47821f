"""What the case page shows of placements: attendance weeks, mentors, open absence alerts and the response ladder."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from portal.db.tables import AbsenceAlert, AttendanceResponse, AttendanceWeek, PlacementMentor
from portal.placements import attendance, responses, team_mentors

WEEKS_SHOWN = 8


@dataclass(frozen=True)
class Week:
    """One recorded week of a placement."""

    week_start: dt.date
    status: str


@dataclass(frozen=True)
class Mentor:
    """The mentor named last for a placement, who named them and on which side ('host' or 'case_team')."""

    name: str
    contact: str
    by: str
    side: str


@dataclass(frozen=True)
class Placement:
    """A started placement (under way or ended) with its recent weeks, newest first, and its mentor."""

    id: int
    status: str
    started_on: dt.date
    ended_on: dt.date | None
    title: str
    host_name: str
    weeks: tuple[Week, ...]
    mentor: Mentor | None


@dataclass(frozen=True)
class OpenAlert:
    """Repeated unexcused absence on a placement that no response has answered yet."""

    id: int
    referral: int
    weeks: int
    last_week: dt.date
    title: str


@dataclass(frozen=True)
class Response:
    """One step of the graduated response recorded on the case; ``title`` is its placement's, if any."""

    step: str
    note: str
    decided_on: dt.date
    by: str
    title: str | None


@dataclass(frozen=True)
class CasePlacements:
    """The case page's placement section: placements, open absence alerts and the responses so far."""

    placements: tuple[Placement, ...]
    absence_alerts: tuple[OpenAlert, ...]
    responses: tuple[Response, ...]

    def template_context(self) -> dict[str, Any]:
        """The names ``placements/_case_section.html`` reads."""
        return {
            "placements": self.placements,
            "absence_alerts": self.absence_alerts,
            "responses": self.responses,
            "response_steps": responses.STEPS,
            "attendance_statuses": attendance.STATUSES,
        }


async def case_context(participant_id: int) -> CasePlacements:
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

    def mentor_of(referral_id: int) -> Mentor | None:
        # Newest first: the first one named for the placement is the one named last.
        m = next((m for m in mentors if m["referral"] == referral_id), None)
        return None if m is None else Mentor(m["name"], m["contact"], m["by"], team_mentors.side_of(m))

    return CasePlacements(
        placements=tuple(
            Placement(
                id=p["id"],
                status=p["status"],
                started_on=p["started_on"],
                ended_on=p["ended_on"],
                title=p["title"],
                host_name=p["host_name"],
                weeks=tuple(Week(w["week_start"], w["status"]) for w in weeks if w["referral"] == p["id"])[
                    :WEEKS_SHOWN
                ],
                mentor=mentor_of(p["id"]),
            )
            for p in placements
        ),
        absence_alerts=tuple(
            OpenAlert(a["id"], a["referral"], a["weeks"], a["last_week"], a["title"])
            for a in await responses.open_alerts(participant_id)
        ),
        responses=tuple(
            Response(r["step"], r["note"], r["decided_on"], r["by"], r["title"])
            for r in await responses.of_case(participant_id)
        ),
    )


@dataclass(frozen=True)
class ReferralPlacement:
    """The referral page's placement part: recent weeks, the mentor, whether one may be named now, and the
    people to name from (the host's colleagues for the host, the case team for the counsellor)."""

    attendance_weeks: list[dict[str, Any]]
    mentor: dict[str, Any] | None
    mentor_open: bool
    mentor_choices: list[dict[str, Any]] = field(default_factory=list)
    team_choices: list[dict[str, Any]] = field(default_factory=list)

    def template_context(self) -> dict[str, Any]:
        """The names ``placements/_referral_part.html`` reads."""
        return {
            "attendance_weeks": self.attendance_weeks,
            "attendance_statuses": attendance.STATUSES,
            "mentor": self.mentor,
            "mentor_open": self.mentor_open,
            "mentor_choices": self.mentor_choices,
            "team_choices": self.team_choices,
        }


async def referral_context(referral: dict[str, Any], side: str) -> ReferralPlacement:
    """The referral page's placement part for ``side``; the choices only while a mentor may be named."""
    from portal.placements import mentors

    mentor_open = referral["status"] in mentors.NAMED_WHILE
    mentor_choices: list[dict[str, Any]] = []
    team_choices: list[dict[str, Any]] = []
    if side == "host" and mentor_open:
        mentor_choices = await mentors.colleagues(referral["host_id"])
    if side == "counsellor" and mentor_open:
        team_choices = await team_mentors.team(referral["participant"])
    return ReferralPlacement(
        attendance_weeks=await attendance.weeks_of(referral["id"]),
        mentor=await mentors.current(referral["id"]),
        mentor_open=mentor_open,
        mentor_choices=mentor_choices,
        team_choices=team_choices,
    )


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
