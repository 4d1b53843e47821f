"""What the case page shows of placements: attendance weeks, mentors, open absence alerts and the response ladder."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from portal.cases.case_file import day
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


# The section's details in one statement, each row tagged with its ``kind``, each part bounded and
# ordered as it is shown: the recent attendance weeks, the mentors named (newest first, with what
# team_mentors.side_of needs), the open absence alerts and the responses. Every branch gives the same
# columns, each of one type throughout (a NULL is cast where the column is not text: PostgreSQL takes
# an untyped NULL in a subquery for text); :func:`_details` reads them back per kind. Written out once:
# building four joined Piccolo selects cost about as much as running them.
_DETAILS = f"""
    SELECT * FROM (
        SELECT 'week' AS kind, w.id AS id, w.referral AS referral, w.week_start AS day, w.status AS a,
               NULL AS b, NULL AS who, NULL AS by_role, CAST(NULL AS INTEGER) AS by_organisation,
               CAST(NULL AS INTEGER) AS host_id, CAST(NULL AS INTEGER) AS num, NULL AS title
        FROM attendance_week w JOIN referral r ON r.id = w.referral
        WHERE r.participant = {{}}
        ORDER BY w.week_start DESC, w.id DESC LIMIT {WEEKS_SHOWN * 10}) weeks
    UNION ALL
    SELECT * FROM (
        SELECT 'mentor', m.id, m.referral, CAST(NULL AS DATE), m.name, m.contact, u.display_name, u.role,
               u.organisation, o.organisation, CAST(NULL AS INTEGER), NULL
        FROM placement_mentor m JOIN referral r ON r.id = m.referral
        LEFT JOIN portal_user u ON u.id = m.named_by LEFT JOIN opportunity o ON o.id = r.opportunity
        WHERE r.participant = {{}}
        ORDER BY m.id DESC LIMIT 100) mentors
    UNION ALL
    SELECT * FROM (
        SELECT 'alert', a.id, a.referral, a.last_week, NULL, NULL, NULL, NULL, CAST(NULL AS INTEGER),
               CAST(NULL AS INTEGER), a.weeks, o.title
        FROM absence_alert a LEFT JOIN referral r ON r.id = a.referral LEFT JOIN opportunity o ON o.id = r.opportunity
        WHERE a.participant = {{}} AND a.closed_at IS NULL) alerts
    UNION ALL
    SELECT * FROM (
        SELECT 'response', x.id, x.referral, x.decided_on, x.step, x.note, u.display_name, NULL,
               CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), o.title
        FROM attendance_response x LEFT JOIN portal_user u ON u.id = x.decided_by
        LEFT JOIN referral r ON r.id = x.referral LEFT JOIN opportunity o ON o.id = r.opportunity
        WHERE x.participant = {{}}
        ORDER BY x.id DESC LIMIT {responses.SHOWN}) answers"""


async def _details(participant_id: int) -> dict[str, list[dict[str, Any]]]:
    rows = await AttendanceWeek.raw(_DETAILS, *([participant_id] * 4))
    found: dict[str, list[dict[str, Any]]] = {"week": [], "mentor": [], "alert": [], "response": []}
    for row in rows:
        found[row["kind"]].append(row)
    for row in found["week"] + found["alert"] + found["response"]:
        row["day"] = day(row["day"])  # SQLite gives text where the union loses the column's type
    found["week"].sort(key=lambda w: (w["day"], w["id"]), reverse=True)
    found["mentor"].sort(key=lambda m: m["id"], reverse=True)
    found["alert"].sort(key=lambda a: a["id"])
    found["response"].sort(key=lambda r: r["id"], reverse=True)
    return found


async def case_context(participant_id: int, referrals: list[dict[str, Any]] | None = None) -> CasePlacements:
    """The case page's placement section in one statement, given the case's ``referrals`` as
    portal.referrals.services.referrals_of reads them (two statements without)."""
    if referrals is None:
        from portal.referrals.services import referrals_of

        referrals = await referrals_of(participant_id)
    # The placements are the referrals that started, newest first, as responses.placements_of reads them.
    placements = [r for r in referrals if r["started_on"] is not None][: responses.SHOWN]
    details = await _details(participant_id)
    weeks, mentors = details["week"], details["mentor"]

    def mentor_of(referral_id: int) -> Mentor | None:
        # Newest first: the first one named for the placement is the one named last.
        m = next((m for m in mentors if m["referral"] == referral_id), None)
        if m is None:
            return None
        side = team_mentors.side_of(
            {"by_role": m["by_role"], "by_organisation": m["by_organisation"], "host_id": m["host_id"]}
        )
        return Mentor(m["a"], m["b"], m["who"], side)

    return CasePlacements(
        placements=tuple(
            Placement(
                id=p["id"],
                status=p["status"],
                started_on=p["started_on"],
                ended_on=p["ended_on"],
                title=p["opportunity_title"],
                host_name=p["host_name"],
                weeks=tuple(Week(w["day"], w["a"]) for w in weeks if w["referral"] == p["id"])[:WEEKS_SHOWN],
                mentor=mentor_of(p["id"]),
            )
            for p in placements
        ),
        absence_alerts=tuple(
            OpenAlert(a["id"], a["referral"], int(a["num"]), a["day"], a["title"]) for a in details["alert"]
        ),
        responses=tuple(Response(r["a"], r["b"], r["day"], r["who"], r["title"]) for r in details["response"]),
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
