"""Erasure by pseudonymisation: personal data cleared in one transaction, the code and the countable facts kept.

What goes: names, contact, address, exact coordinates, the exact birth year (kept as the first year
of its five-year span, enough for age bands), every free text that may name or describe the person
(notes, plan texts, stage and consent notes, the profiling override's reason, referral and
introduction messages and reasons), notifications that point at the case or its referrals and
introductions, and the ``detail`` of the audit events about the case (the events stay, with who,
when, what and the record id). What stays: the code, stage and its history's dates, region,
municipality, skills, interests, support needs, profiling answers and levels, referral and
introduction statuses and dates (so capacity and outcomes stay right), allocation proposals and
candidate pseudonyms (random, they name no one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from piccolo.columns.combination import WhereRaw

from portal.auth.current_user import CurrentUser
from portal.clock import utc_now
from portal.db.piccolo_conf import DB
from portal.db.tables import (
    AttendanceResponse,
    AttendanceWeek,
    AuditEvent,
    CaseNote,
    Consent,
    Introduction,
    IntroductionEvent,
    Notification,
    Participant,
    PlanStep,
    ProfilingAssessment,
    Referral,
    ReferralEvent,
    StageChange,
)
from portal.i18n import lazy_gettext as _l
from portal.service_errors import Refused

RECORD = "participant"
ACTION = "pseudonymise"
REASONS = {
    "request": _l("The person asked for erasure (GDPR Art. 17)"),
    "consent_withdrawn": _l("Consent withdrawn"),
    "retention": _l("Retention period over"),
    "other": _l("Other (say which)"),
}
OTHER_MAX = 250  # the column holds 300 with the "other: " prefix
BIRTH_YEAR_SPAN = 5
# The username the audit log shows for the retention job, which acts as no user.
RETENTION_ACTOR = "(retention job)"


@dataclass(frozen=True)
class Actor:
    """Who pseudonymises: a user with their request's address, or the retention job (no user)."""

    user_id: int | None
    username: str
    address: str

    @classmethod
    def of(cls, user: CurrentUser, address: str) -> Actor:
        return cls(user.id, user.username, address[:64])


RETENTION = Actor(None, RETENTION_ACTOR, "")


def stored_reason(code: str, other_text: str = "") -> str:
    """The value kept in ``pseudonymised_reason``: the code, and for "other" the text after it."""
    return f"other: {other_text.strip()[:OTHER_MAX]}" if code == "other" else code


def reason_label(stored: str) -> str:
    """The reason as the reader's language shows it."""
    code, _, text = stored.partition(": ")
    label = REASONS.get(code)
    if label is None:
        return stored
    return f"{label}: {text}" if text else str(label)


@dataclass(frozen=True)
class ErasureCase:
    """What the erasure form shows of a case, and who leads it (where the form leads after erasing)."""

    id: int
    code: str
    first_name: str
    last_name: str
    stage: str
    pseudonymised_at: dt.datetime | None
    pseudonymised_reason: str
    lead_counsellor: int


async def case_exists(participant_id: int) -> bool:
    return await Participant.exists().where(Participant.id == participant_id)


async def case_for_erasure(participant_id: int) -> ErasureCase | None:
    """The case as the erasure form shows it, or None when there is no such case."""
    row = (
        await Participant.select(
            Participant.id,
            Participant.code,
            Participant.first_name,
            Participant.last_name,
            Participant.stage,
            Participant.pseudonymised_at,
            Participant.pseudonymised_reason,
            Participant.lead_counsellor,
        )
        .where(Participant.id == participant_id)
        .first()
    )
    return None if row is None else ErasureCase(**row)


def coarse_birth_year(year: int) -> int:
    return year - year % BIRTH_YEAR_SPAN


async def _claim(participant_id: int, reason: str, now: dt.datetime) -> None:
    """Clear the person's own fields; only one caller wins for a case (a conditional update)."""
    rows = await (
        Participant.update(
            {
                Participant.first_name: "",
                Participant.last_name: "",
                Participant.name_search: "",
                Participant.phone: "",
                Participant.email: "",
                Participant.address: "",
                Participant.latitude: None,
                Participant.longitude: None,
                Participant.pseudonymised_at: now,
                Participant.pseudonymised_reason: reason,
            }
        )
        .where((Participant.id == participant_id) & Participant.pseudonymised_at.is_null())
        .returning(Participant.birth_year)
    )
    if not rows:
        raise Refused("already")
    await Participant.update({Participant.birth_year: coarse_birth_year(rows[0]["birth_year"])}).where(
        Participant.id == participant_id
    )


async def _clear_case_texts(participant_id: int) -> None:
    await StageChange.update({StageChange.note: ""}).where(StageChange.participant == participant_id)
    await Consent.update({Consent.note: ""}).where(Consent.participant == participant_id)
    await ProfilingAssessment.update({ProfilingAssessment.override_reason: ""}).where(
        ProfilingAssessment.participant == participant_id
    )
    await PlanStep.update({PlanStep.goal: "", PlanStep.step: ""}).where(PlanStep.participant == participant_id)
    await CaseNote.delete().where(CaseNote.participant == participant_id)
    await AttendanceResponse.update({AttendanceResponse.note: ""}).where(
        AttendanceResponse.participant == participant_id
    )
    await AttendanceWeek.update({AttendanceWeek.note: ""}).where(
        WhereRaw(
            "attendance_week.referral IN (SELECT referral.id FROM referral WHERE referral.participant = {})",
            participant_id,
        )
    )


async def _clear_exchanges(participant_id: int) -> tuple[list[int], list[int]]:
    """Messages and reasons of the person's referrals and introductions; their ids, for the notifications."""
    referral_ids = [
        r["id"]
        for r in await Referral.update({Referral.message: "", Referral.reason: ""})
        .where(Referral.participant == participant_id)
        .returning(Referral.id)
    ]
    await ReferralEvent.update({ReferralEvent.reason: "", ReferralEvent.note: ""}).where(
        WhereRaw(
            "referral_event.referral IN (SELECT referral.id FROM referral WHERE referral.participant = {})",
            participant_id,
        )
    )
    introduction_ids = [
        r["id"]
        for r in await Introduction.update({Introduction.message: "", Introduction.reason: ""})
        .where(Introduction.participant == participant_id)
        .returning(Introduction.id)
    ]
    await IntroductionEvent.update({IntroductionEvent.reason: ""}).where(
        WhereRaw(
            "introduction_event.introduction IN"
            " (SELECT introduction.id FROM introduction WHERE introduction.participant = {})",
            participant_id,
        )
    )
    return referral_ids, introduction_ids


async def _drop_notifications(participant_id: int, referral_ids: list[int], introduction_ids: list[int]) -> None:
    case = f"/cases/{participant_id}"
    links = [case] + [f"/referrals/{i}" for i in referral_ids] + [f"/introductions/{i}" for i in introduction_ids]
    pointing = (
        Notification.link.like(f"{case}#%") | Notification.link.like(f"{case}/%") | Notification.link.like(f"{case}?%")
    )
    await Notification.delete().where(pointing)
    for start in range(0, len(links), 500):  # a few per person; bounded all the same
        await Notification.delete().where(Notification.link.is_in(links[start : start + 500]))


async def _clear_audit_details(participant_id: int) -> None:
    await AuditEvent.update({AuditEvent.detail: ""}).where(
        (AuditEvent.record_type == RECORD) & (AuditEvent.record_id == participant_id)
    )


async def pseudonymise(participant_id: int, reason: str, actor: Actor, now: dt.datetime | None = None) -> None:
    """Clear the person's data and mark the case pseudonymised, all or nothing, then audit it (in the same transaction).

    ``reason`` is a stored reason (:func:`stored_reason`). Raises :class:`Refused` ("already")
    when the case was pseudonymised before; a failure midway leaves everything as it was.
    """
    now = now or utc_now()
    async with DB.transaction():
        await _claim(participant_id, reason, now)
        await _clear_case_texts(participant_id)
        referral_ids, introduction_ids = await _clear_exchanges(participant_id)
        await _drop_notifications(participant_id, referral_ids, introduction_ids)
        await _clear_audit_details(participant_id)
        await AuditEvent.insert(
            AuditEvent(
                at=now,
                user=actor.user_id,
                username=actor.username,
                action=ACTION,
                record_type=RECORD,
                record_id=participant_id,
                detail=f"reason: {reason}",
                address=actor.address,
            )
        )
