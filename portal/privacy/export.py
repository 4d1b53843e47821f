"""Subject access and portability: everything the portal holds on one participant, in one documented shape.

The shape is described in docs/subject-access-export.md; change :data:`FORMAT_VERSION` with it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from portal.clock import utc_now
from portal.db.tables import (
    AllocationProposal,
    AuditEvent,
    CandidatePseudonym,
    CaseNote,
    CaseTeamMember,
    Consent,
    Introduction,
    IntroductionEvent,
    Participant,
    PlanStep,
    ProfilingAssessment,
    Referral,
    ReferralEvent,
    StageChange,
)
from portal.placements import case_view as placement_view
from portal.service_errors import NotFound
from portal.vocab import split_codes

FORMAT_VERSION = 1
EXPORT_LANGUAGES = ("sl", "hr", "en")


def _list(text: str) -> list[str]:
    return split_codes(text)


def _json(text: str, empty: Any) -> Any:
    try:
        return json.loads(text) if text else empty
    except ValueError:  # an old or hand-edited value: hand it over as it is rather than fail the export
        return text


def export_language(languages: list[str], reader_language: str) -> str:
    """The first of the person's languages the portal speaks, else the reader's."""
    return next((code for code in languages if code in EXPORT_LANGUAGES), reader_language)


def _iso(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _plain(value: Any) -> Any:
    """Dates as ISO 8601 strings, all the way down, so the result is plain JSON."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return _iso(value)


async def _participant(participant_id: int) -> dict[str, Any]:
    row = (
        await Participant.select(
            *Participant.all_columns(exclude=[Participant.skill_terms]),
            Participant.organisation.name.as_alias("organisation_name"),
            Participant.lead_counsellor.display_name.as_alias("lead_name"),
        )
        .where(Participant.id == participant_id)
        .first()
    )
    if row is None:
        raise NotFound(participant_id)
    return row


async def _referrals(participant_id: int) -> list[dict[str, Any]]:
    rows = (
        await Referral.select(
            Referral.id,
            Referral.opportunity.id.as_alias("opportunity_id"),
            Referral.opportunity.title.as_alias("opportunity_title"),
            Referral.opportunity._.organisation.name.as_alias("host"),
            Referral.status,
            Referral.message,
            Referral.reason,
            Referral.holds_place,
            Referral.started_on,
            Referral.ended_on,
            Referral.referred_by.display_name.as_alias("referred_by"),
            Referral.created_at,
            Referral.updated_at,
        )
        .where(Referral.participant == participant_id)
        .order_by(Referral.id)
    )
    events = (
        await ReferralEvent.select(
            ReferralEvent.referral,
            ReferralEvent.from_status,
            ReferralEvent.to_status,
            ReferralEvent.reason,
            ReferralEvent.note,
            ReferralEvent.happened_on,
            ReferralEvent.kind,
            ReferralEvent.changed_by.display_name.as_alias("changed_by"),
            ReferralEvent.changed_at,
        )
        .where(ReferralEvent.referral.participant == participant_id)
        .order_by(ReferralEvent.id)
    )
    return [
        {
            "id": r["id"],
            "opportunity": {"id": r["opportunity_id"], "title": r["opportunity_title"], "organisation": r["host"]},
            **{
                k: r[k]
                for k in (
                    "status",
                    "message",
                    "reason",
                    "holds_place",
                    "started_on",
                    "ended_on",
                    "referred_by",
                    "created_at",
                    "updated_at",
                )
            },
            "events": [{k: v for k, v in e.items() if k != "referral"} for e in events if e["referral"] == r["id"]],
        }
        for r in rows
    ]


async def _introductions(participant_id: int) -> list[dict[str, Any]]:
    rows = (
        await Introduction.select(
            Introduction.id,
            Introduction.organisation.name.as_alias("employer"),
            Introduction.opportunity.id.as_alias("opportunity_id"),
            Introduction.opportunity.title.as_alias("opportunity_title"),
            Introduction.requested_by.display_name.as_alias("requested_by"),
            Introduction.status,
            Introduction.message,
            Introduction.reason,
            Introduction.contact_shared,
            Introduction.created_at,
            Introduction.updated_at,
        )
        .where(Introduction.participant == participant_id)
        .order_by(Introduction.id)
    )
    events = (
        await IntroductionEvent.select(
            IntroductionEvent.introduction,
            IntroductionEvent.from_status,
            IntroductionEvent.to_status,
            IntroductionEvent.reason,
            IntroductionEvent.changed_by.display_name.as_alias("changed_by"),
            IntroductionEvent.changed_at,
        )
        .where(IntroductionEvent.introduction.participant == participant_id)
        .order_by(IntroductionEvent.id)
    )
    return [
        {
            "id": r["id"],
            "employer": r["employer"],
            "opportunity": (
                {"id": r["opportunity_id"], "title": r["opportunity_title"]} if r["opportunity_id"] else None
            ),
            **{
                k: r[k]
                for k in ("requested_by", "status", "message", "reason", "contact_shared", "created_at", "updated_at")
            },
            "events": [
                {k: v for k, v in e.items() if k != "introduction"} for e in events if e["introduction"] == r["id"]
            ],
        }
        for r in rows
    ]


async def _proposals(participant_id: int) -> list[dict[str, Any]]:
    rows = (
        await AllocationProposal.select(
            AllocationProposal.allocation_round.id.as_alias("round_id"),
            AllocationProposal.allocation_round.name.as_alias("round_name"),
            AllocationProposal.allocation_round.status.as_alias("round_status"),
            AllocationProposal.allocation_round.started_at.as_alias("round_started_at"),
            AllocationProposal.opportunity.id.as_alias("opportunity_id"),
            AllocationProposal.opportunity.title.as_alias("opportunity_title"),
            AllocationProposal.computed_opportunity.id.as_alias("computed_id"),
            AllocationProposal.computed_opportunity.title.as_alias("computed_title"),
            AllocationProposal.rank,
            AllocationProposal.score,
            AllocationProposal.explanation,
            AllocationProposal.referral,
        )
        .where(AllocationProposal.participant == participant_id)
        .order_by(AllocationProposal.id)
    )
    return [
        {
            "round": {
                "id": r["round_id"],
                "name": r["round_name"],
                "status": r["round_status"],
                "started_at": r["round_started_at"],
            },
            "opportunity": {"id": r["opportunity_id"], "title": r["opportunity_title"]}
            if r["opportunity_id"]
            else None,
            "computed_opportunity": (
                {"id": r["computed_id"], "title": r["computed_title"]} if r["computed_id"] else None
            ),
            "rank": r["rank"],
            "score": r["score"],
            "explanation": _json(r["explanation"], {}),
            "referral_id": r["referral"],
        }
        for r in rows
    ]


async def gather(participant_id: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything held on the participant, with dates as Python values (the page formats them).

    Callers check that the reader may export and audit the export.
    """
    p = await _participant(participant_id)
    stages = (
        await StageChange.select(
            StageChange.stage,
            StageChange.note,
            StageChange.changed_by.display_name.as_alias("changed_by"),
            StageChange.changed_at,
        )
        .where(StageChange.participant == participant_id)
        .order_by(StageChange.id)
    )
    consents = (
        await Consent.select(
            Consent.scope,
            Consent.given,
            Consent.note,
            Consent.recorded_by.display_name.as_alias("recorded_by"),
            Consent.recorded_at,
        )
        .where(Consent.participant == participant_id)
        .order_by(Consent.id)
    )
    in_force: dict[str, bool] = {}
    for consent in consents:
        in_force[consent["scope"]] = consent["given"]
    assessments = (
        await ProfilingAssessment.select(
            ProfilingAssessment.answers,
            ProfilingAssessment.points,
            ProfilingAssessment.computed_level,
            ProfilingAssessment.override_level,
            ProfilingAssessment.override_reason,
            ProfilingAssessment.assessed_by.display_name.as_alias("assessed_by"),
            ProfilingAssessment.assessed_at,
        )
        .where(ProfilingAssessment.participant == participant_id)
        .order_by(ProfilingAssessment.id)
    )
    for assessment in assessments:
        assessment["answers"] = _json(assessment["answers"], {})
    team = (
        await CaseTeamMember.select(
            CaseTeamMember.user.display_name.as_alias("name"),
            CaseTeamMember.user._.organisation.name.as_alias("organisation"),
            CaseTeamMember.role,
            CaseTeamMember.added_at,
        )
        .where(CaseTeamMember.participant == participant_id)
        .order_by(CaseTeamMember.id)
    )
    plan = (
        await PlanStep.select(
            PlanStep.goal,
            PlanStep.step,
            PlanStep.due_on,
            PlanStep.done_on,
            PlanStep.created_by.display_name.as_alias("created_by"),
            PlanStep.created_at,
        )
        .where(PlanStep.participant == participant_id)
        .order_by(PlanStep.id)
    )
    notes = (
        await CaseNote.select(CaseNote.text, CaseNote.author.display_name.as_alias("author"), CaseNote.written_at)
        .where(CaseNote.participant == participant_id)
        .order_by(CaseNote.id)
    )
    pseudonyms = (
        await CandidatePseudonym.select(
            CandidatePseudonym.organisation.name.as_alias("organisation"),
            CandidatePseudonym.pseudonym,
            CandidatePseudonym.created_at,
        )
        .where(CandidatePseudonym.participant == participant_id)
        .order_by(CandidatePseudonym.id)
    )
    access_log = (
        await AuditEvent.select(AuditEvent.at, AuditEvent.username, AuditEvent.action, AuditEvent.detail)
        .where((AuditEvent.record_type == "participant") & (AuditEvent.record_id == participant_id))
        .order_by(AuditEvent.id)
    )
    document = {
        "format_version": FORMAT_VERSION,
        "generated_at": now or utc_now(),
        "controller": {"organisation": p["organisation_name"], "lead_counsellor": p["lead_name"]},
        "participant": {
            "code": p["code"],
            "first_name": p["first_name"],
            "last_name": p["last_name"],
            "birth_year": p["birth_year"],
            "phone": p["phone"],
            "email": p["email"],
            "address": p["address"],
            "region": p["region"],
            "municipality": p["municipality"],
            "latitude": p["latitude"],
            "longitude": p["longitude"],
            "languages": _list(p["languages"]),
            "education_level": p["education_level"],
            "skills": _json(p["skills"], []),
            "interests": _list(p["interests"]),
            "hours_per_week": p["hours_per_week"],
            "travel_km": p["travel_km"],
            "support_needs": _list(p["support_needs"]),
            "available_from": p["available_from"],
            "stage": p["stage"],
            "support_level": p["support_level"],
            "created_at": p["created_at"],
            "updated_at": p["updated_at"],
            "pseudonymised_at": p["pseudonymised_at"],
            "pseudonymised_reason": p["pseudonymised_reason"],
        },
        "case_team": team,
        "consents": consents,
        "consents_in_force": in_force,
        "profiling_assessments": assessments,
        "stage_history": stages,
        "plan_steps": plan,
        "notes": notes,
        "referrals": await _referrals(participant_id),
        "introductions": await _introductions(participant_id),
        "allocation_proposals": await _proposals(participant_id),
        "placements": await placement_view.export_of(participant_id),
        "candidate_pseudonyms": pseudonyms,
        "access_log": [
            {"at": e["at"], "user": e["username"], "action": e["action"], "detail": e["detail"]} for e in access_log
        ],
    }
    return document


async def subject_access(participant_id: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """:func:`gather` as plain JSON-ready data: the shape docs/subject-access-export.md describes."""
    return _plain(await gather(participant_id, now))


def as_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def filename(document: dict[str, Any]) -> str:
    """``P-ABC234-2026-12-02.json``: the code and the day, nothing that names the person."""
    return f"{document['participant']['code']}-{document['generated_at'][:10]}.json"
