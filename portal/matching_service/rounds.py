"""Allocation rounds: the criteria, reading rounds and their proposals, adjusting them, and sending.

A round only proposes (computing one is :mod:`portal.matching_service.round_runs`). Its
proposals stay on the page until a coordinator presses Send, which creates the referrals through
:func:`portal.referrals.services.create_referral` like a counsellor's own. Callers check the
role and audit what is shown.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from piccolo.query.functions.aggregate import Count
from piccolo.query.methods.select import Select

import matching
from portal.auth.current_user import CurrentUser
from portal.clock import utc_now
from portal.db.piccolo_conf import DB
from portal.db.rows import existing
from portal.db.tables import (
    AllocationProposal,
    AllocationRound,
    AuditEvent,
    Opportunity,
    Participant,
    PortalUser,
    Referral,
)
from portal.employers import pool
from portal.geo import REGIONS
from portal.i18n import gettext as _
from portal.i18n import lazy_gettext as _l
from portal.jobs.runs import Runs
from portal.matching_service import records, training
from portal.matching_service.services import _explained, profile_is_empty
from portal.pagination import Page, clamp_page
from portal.referrals import services as referrals
from portal.service_errors import NotFound, Refused
from portal.vocab import OPPORTUNITY_KINDS, STAGES

__all__ = [
    "METHODS",
    "STATUSES",
    "Criteria",
    "NotFound",
    "Refused",
    "SendResult",
    "adjust",
    "begin_sending",
    "clean_criteria",
    "get_round",
    "list_rounds",
    "proposals_page",
    "send",
]

METHODS = {
    "stable": _l("Stable: each person gets the best place they can have without displacing a better fit"),
    "welfare": _l("Highest total fit across everyone"),
}
SENDING = "sending"
STATUSES = {
    "running": _l("Running"),
    "ready": _l("Ready for review"),
    "failed": _l("Failed"),
    SENDING: _l("Sending"),
    "sent": _l("Sent"),
}
PER_PAGE = 50
ROUNDS_PER_PAGE = 25
# A run still "running" after this long died with its process.
STALE_AFTER = dt.timedelta(minutes=30)
# A computed round is "ready" for review, not "done": it is sent afterwards.
RUNS = Runs(AllocationRound, STALE_AFTER, finished="ready")
_ALL_REGIONS = {region for regions in REGIONS.values() for region in regions}


# --- the criteria of a round -------------------------------------------------------------------


@dataclass(frozen=True)
class Criteria:
    """How a round chooses its intake (participants) and its opportunities; empty means "any"."""

    name: str
    method: str = "stable"
    region: str = ""
    stage: str = "activation"
    without_live_referral: bool = False
    opportunity_region: str = ""
    opportunity_kind: str = ""


def clean_criteria(form: Mapping[str, Any]) -> tuple[Criteria | None, dict[str, str]]:
    """Criteria from a submitted form, or None and a message per field at fault.

    Examples
    --------
    >>> clean_criteria({"name": "Spring intake", "method": "welfare"})[0].method
    'welfare'
    """

    def text(name: str, default: str = "") -> str:
        value = form.get(name)
        return default if value is None else " ".join(str(value).split())

    errors: dict[str, str] = {}
    name = text("name")
    if not name:
        errors["name"] = _("Give the round a name.")
    elif len(name) > 200:
        errors["name"] = _("Use at most 200 characters.")
    method = text("method", "stable")
    if method not in METHODS:
        errors["method"] = _("Choose a method from the list.")
    stage = text("stage", "activation")
    if stage not in STAGES:
        errors["stage"] = _("Choose a stage from the list.")
    for field in ("region", "opportunity_region"):
        if text(field) and text(field) not in _ALL_REGIONS:
            errors[field] = _("Choose a region from the list.")
    if text("opportunity_kind") and text("opportunity_kind") not in OPPORTUNITY_KINDS:
        errors["opportunity_kind"] = _("Choose a kind from the list.")
    if errors:
        return None, errors
    return Criteria(
        name=name,
        method=method,
        region=text("region"),
        stage=stage,
        without_live_referral=text("without_live_referral") in ("1", "on", "true", "yes"),
        opportunity_region=text("opportunity_region"),
        opportunity_kind=text("opportunity_kind"),
    ), {}


# --- reading rounds --------------------------------------------------------------------------------


def _status(row: Mapping[str, Any]) -> str:
    return RUNS.shown_status(row)  # a run whose process ended before it finished shows as failed


_ROUND_COLUMNS = (
    AllocationRound.id,
    AllocationRound.name,
    AllocationRound.method,
    AllocationRound.criteria,
    AllocationRound.status,
    AllocationRound.progress,
    AllocationRound.report,
    AllocationRound.error,
    AllocationRound.started_at,
    AllocationRound.finished_at,
    AllocationRound.sent_at,
    AllocationRound.sent_by,
    AllocationRound.run_by.display_name.as_alias("run_by_name"),
    AllocationRound.sent_by.display_name.as_alias("sent_by_name"),
)


def _parsed(row: dict[str, Any]) -> dict[str, Any]:
    row["status"] = _status(row)
    row["report"] = json.loads(row["report"] or "{}")
    row["criteria"] = json.loads(row["criteria"] or "{}")
    return row


async def list_rounds(page: int = 1) -> Page:
    """Rounds, newest first, with who ran them and how many are placed now (after adjustments)."""
    total = await AllocationRound.count()
    page = clamp_page(page, total, ROUNDS_PER_PAGE)
    rows = [
        _parsed(r)
        for r in await AllocationRound.select(*_ROUND_COLUMNS)
        .order_by(AllocationRound.id, ascending=False)
        .offset((page - 1) * ROUNDS_PER_PAGE)
        .limit(ROUNDS_PER_PAGE)
    ]
    counts = await _placed_counts([r["id"] for r in rows])
    for row in rows:
        people, placed = counts.get(row["id"], (0, 0))
        row.update(people=people, placed=placed, unplaced=people - placed)
    return Page(items=rows, total=total, page=page, per_page=ROUNDS_PER_PAGE)


async def _placed_counts(round_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not round_ids:
        return {}
    rows = await AllocationProposal.select(AllocationProposal.allocation_round, AllocationProposal.opportunity).where(
        AllocationProposal.allocation_round.is_in(round_ids)
    )
    people: Counter[int] = Counter()
    placed: Counter[int] = Counter()
    for r in rows:
        people[r["allocation_round"]] += 1
        placed[r["allocation_round"]] += r["opportunity"] is not None
    return {rid: (people[rid], placed[rid]) for rid in people}


async def get_round(round_id: int) -> dict[str, Any]:
    """One round with its criteria and report parsed, its placed counts now; raises :class:`NotFound`."""
    row = await AllocationRound.select(*_ROUND_COLUMNS).where(AllocationRound.id == round_id).first()
    if row is None:
        raise NotFound(round_id)
    row = _parsed(row)
    people, placed = (await _placed_counts([round_id])).get(round_id, (0, 0))
    row.update(people=people, placed=placed, unplaced=people - placed)
    return row


# The opportunities ``waiting`` and ``employer_hosted`` ask about are a select of their ids, never a
# list: a round's criteria choose up to 100,000, over PostgreSQL's 32,767 arguments to one statement.


async def waiting(opportunity_ids: Select) -> Counter:
    """Referrals sent to each opportunity and not answered yet: they hold no place, but will want one."""
    rows = (
        await Referral.select(Referral.opportunity, Count(alias="count"))
        .where((Referral.status == "sent") & Referral.opportunity.is_in(opportunity_ids))
        .group_by(Referral.opportunity)
    )
    return Counter({r["opportunity"]: r["count"] for r in rows})


async def employer_hosted(opportunity_ids: Select) -> set[int]:
    """The opportunities an employer offers: only people who agreed to be shown to employers go there."""
    rows = await Opportunity.select(Opportunity.id).where(
        Opportunity.id.is_in(opportunity_ids) & (Opportunity.organisation.kind == "employer")
    )
    return {r["id"] for r in rows}


async def _usage(round_id: int) -> Counter:
    """How many of the round's proposals point at each opportunity now."""
    rows = await AllocationProposal.select(AllocationProposal.opportunity).where(
        (AllocationProposal.allocation_round == round_id) & AllocationProposal.opportunity.is_not_null()
    )
    return Counter(r["opportunity"] for r in rows)


async def proposals_page(round_id: int, page: int = 1) -> Page:
    """One page of a round's proposals: code and region only (never a name), placement, reasons and options.

    Each option carries the opportunity's title, its organisation, how many of the round's
    proposals already point at it and its places left now, for the adjust form.
    """
    total = await AllocationProposal.count().where(AllocationProposal.allocation_round == round_id)
    page = clamp_page(page, total, PER_PAGE)
    rows = (
        await AllocationProposal.select(
            AllocationProposal.id,
            AllocationProposal.participant,
            AllocationProposal.opportunity,
            AllocationProposal.computed_opportunity,
            AllocationProposal.rank,
            AllocationProposal.score,
            AllocationProposal.explanation,
            AllocationProposal.referral,
            AllocationProposal.participant.code.as_alias("code"),
            AllocationProposal.participant.region.as_alias("region"),
            AllocationProposal.adjusted_by.display_name.as_alias("adjusted_by_name"),
            AllocationProposal.referral.status.as_alias("referral_status"),
        )
        .where(AllocationProposal.allocation_round == round_id)
        .order_by(AllocationProposal.id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    )
    for row in rows:
        row["explanation"] = json.loads(row["explanation"] or "{}")
    wanted = {oid for r in rows for oid, _ in r["explanation"].get("options", [])}
    wanted |= {r["opportunity"] for r in rows if r["opportunity"]}
    places = (
        {
            p["id"]: p
            for p in await Opportunity.select(
                Opportunity.id,
                Opportunity.title,
                Opportunity.municipality,
                Opportunity.capacity,
                Opportunity.places_taken,
                Opportunity.status,
                Opportunity.organisation.name.as_alias("organisation_name"),
            ).where(Opportunity.id.is_in(sorted(wanted)))
        }
        if wanted
        else {}
    )
    usage = await _usage(round_id)
    for place in places.values():
        place["proposed"] = usage[place["id"]]
        place["places_left"] = max(0, place["capacity"] - place["places_taken"])
    for row in rows:
        row["place"] = places.get(row["opportunity"])
        row["options"] = [
            {**places[oid], "score": score, "rank": rank}
            for rank, (oid, score) in enumerate(row["explanation"].get("options", []), start=1)
            if oid in places
        ]
        row["reasons"] = row["explanation"].get("reasons")
        row["unplaced"] = row["explanation"].get("unplaced", "")
        row["adjusted"] = row["adjusted_by_name"] is not None
    return Page(items=rows, total=total, page=page, per_page=PER_PAGE)


# --- changing a round ------------------------------------------------------------------------------


async def _hold_round(round_id: int) -> None:
    """Inside a transaction: lock the round's row (PostgreSQL) or the database (SQLite) while it is
    ready, so adjustments and sending of one round happen one at a time; else refuse."""
    held = (
        await AllocationRound.update({AllocationRound.progress: 100})
        .where((AllocationRound.id == round_id) & (AllocationRound.status == "ready"))
        .returning(AllocationRound.id)
    )
    if not held:
        if not await AllocationRound.exists().where(AllocationRound.id == round_id):
            raise NotFound(round_id)
        raise Refused("not_ready")


async def adjust(round_id: int, proposal_id: int, opportunity_id: int | None, user: CurrentUser) -> None:
    """Give a proposal's person another of their feasible opportunities in the round, or none.

    Refused (nothing changes) when the round is not ready for review (running, failed or sent),
    the opportunity is not one of the person's options, it is no longer open or no longer fits,
    or the round's proposals already fill its places left. Records who adjusted it.
    """
    async with DB.transaction():
        await _hold_round(round_id)
        proposal = (
            await AllocationProposal.select(
                AllocationProposal.participant, AllocationProposal.opportunity, AllocationProposal.explanation
            )
            .where((AllocationProposal.id == proposal_id) & (AllocationProposal.allocation_round == round_id))
            .first()
        )
        if proposal is None:
            raise NotFound(proposal_id)
        if opportunity_id == proposal["opportunity"]:
            return
        explanation = json.loads(proposal["explanation"] or "{}")
        if opportunity_id is None:
            values = {
                "opportunity": None,
                "rank": None,
                "score": None,
                "explanation": {**explanation, "reasons": None, "unplaced": "adjusted"},
            }
        else:
            values = await _placed_at(round_id, proposal["participant"], opportunity_id, explanation)
        await AllocationProposal.update(
            {
                AllocationProposal.opportunity: values["opportunity"],
                AllocationProposal.rank: values["rank"],
                AllocationProposal.score: values["score"],
                AllocationProposal.explanation: json.dumps(values["explanation"]),
                AllocationProposal.adjusted_by: user.id,
            }
        ).where(AllocationProposal.id == proposal_id)


async def _placed_at(
    round_id: int, participant_id: int, opportunity_id: int, explanation: dict[str, Any]
) -> dict[str, Any]:
    options = [oid for oid, _ in explanation.get("options", [])]
    if opportunity_id not in options:
        raise Refused("not_an_option")
    place = (
        await Opportunity.select(*records.columns(Opportunity, records.OPPORTUNITY_COLUMNS))
        .where(Opportunity.id == opportunity_id)
        .first()
    )
    if place is None or place["status"] != "open":
        raise Refused("not_open")
    this_one = Opportunity.select(Opportunity.id).where(Opportunity.id == opportunity_id)
    left = place["capacity"] - place["places_taken"] - (await waiting(this_one))[opportunity_id]
    if (await _usage(round_id))[opportunity_id] >= left:
        raise Refused("full")
    row = await existing(
        Participant.select(*records.columns(Participant, records.PERSON_COLUMNS))
        .where(Participant.id == participant_id)
        .first()
    )
    person = records.person(row)
    # Scored again now, so the reasons shown are today's; the hard constraints are checked again too.
    found = matching.recommend_placements(
        person, [records.opportunity(place)], top=1, scoring=await training.current_scoring()
    )
    if not found:
        raise Refused("no_longer_fits")
    return {
        "opportunity": opportunity_id,
        "rank": options.index(opportunity_id) + 1,
        "score": found[0].score,
        "explanation": {**explanation, "reasons": _explained(found[0], profile_is_empty(person)), "unplaced": ""},
    }


@dataclass
class SendResult:
    """What pressing Send did: the referrals made (participant id, referral id) and those refused."""

    sent: list[tuple[int, int]]
    refused: list[dict[str, Any]]


class _AlreadyLinked(Exception):
    """Another sender linked this proposal first: undo the referral just made for it."""


async def send(round_id: int, user: CurrentUser, message: str, address: str = "") -> SendResult:
    """Start sending a ready round: mark it ``sending`` (once), then :func:`deliver` it.

    Raises :class:`Refused` ("not_ready") for a round that is running, failed, sending or sent.
    """
    await begin_sending(round_id, user, message, address)
    return await deliver(round_id)


async def begin_sending(round_id: int, user: CurrentUser, message: str, address: str = "") -> None:
    """Mark a ready round ``sending`` (once), keeping what :func:`deliver` needs; the Send page then
    enqueues the delivery (a job worker makes the referrals when there is a queue)."""
    async with DB.transaction():
        await _hold_round(round_id)
        report = (await get_round(round_id))["report"]
        # The message and the sender's address are kept, so a resumed delivery writes the same referrals and audit.
        report["sending"] = {"sent": 0, "refused": [], "message": message, "address": address[:64]}
        await AllocationRound.update(
            {
                AllocationRound.status: SENDING,
                AllocationRound.sent_by: user.id,
                AllocationRound.sent_at: utc_now(),
                AllocationRound.report: json.dumps(report),
            }
        ).where(AllocationRound.id == round_id)


async def _sender(user_id: int) -> CurrentUser:
    row = await existing(
        PortalUser.select(
            PortalUser.id,
            PortalUser.username,
            PortalUser.display_name,
            PortalUser.role,
            PortalUser.organisation,
            PortalUser.language,
        )
        .where(PortalUser.id == user_id)
        .first()
    )
    return CurrentUser(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        organisation_id=row["organisation"],
        organisation_name="",
        language=row["language"],
    )


async def deliver(round_id: int) -> SendResult:
    """Make a sent referral for every proposal of a ``sending`` round that has none yet; then mark it sent.

    Safe to stop at any point and run again, also twice at once (after a crash, on several workers):
    each referral, its event, its audit event and the link from its proposal are written in one
    transaction, and the link is a conditional update (only a proposal with no referral yet), so a
    proposal never gets two referrals and a referral never lacks its link. Each proposal is checked
    again first: the person must still be at the round's stage, a place an employer offers needs
    the person's consent to be shown to employers, and no opportunity gets more referrals than its
    places left, less the referrals already waiting for its answer; refused ones are reported with
    the reason. The lead counsellor of each person is notified once the referral is committed.
    """
    found = await get_round(round_id)
    if found["status"] != SENDING:
        raise Refused("not_ready")
    sending = found["report"].get("sending") or {}
    message, address = sending.get("message", ""), sending.get("address", "")
    sender = await _sender(found["sent_by"])
    stage = found["criteria"].get("stage")
    unsent = (
        (AllocationProposal.allocation_round == round_id)
        & AllocationProposal.opportunity.is_not_null()
        & AllocationProposal.referral.is_null()
    )
    proposals = (
        await AllocationProposal.select(
            AllocationProposal.id,
            AllocationProposal.participant,
            AllocationProposal.opportunity,
            AllocationProposal.participant.code.as_alias("code"),
            AllocationProposal.participant.stage.as_alias("stage"),
            AllocationProposal.opportunity.title.as_alias("title"),
            AllocationProposal.opportunity.capacity.as_alias("capacity"),
            AllocationProposal.opportunity.places_taken.as_alias("places_taken"),
        )
        .where(unsent)
        .order_by(AllocationProposal.id)
    )
    # A country's round proposes tens of thousands of opportunities: named by a sub-select, not listed.
    proposed = AllocationProposal.select(AllocationProposal.opportunity).where(unsent)
    used = await waiting(proposed)
    at_employers = await employer_hosted(proposed)
    consenting = await pool.consented([p["participant"] for p in proposals], "employer_profile")
    result = SendResult([], [])
    for p in proposals:
        try:
            if stage and p["stage"] != stage:
                raise referrals.StepRefused("stage_changed")
            if p["opportunity"] in at_employers and p["participant"] not in consenting:
                raise referrals.StepRefused("no_employer_consent")
            if used[p["opportunity"]] >= p["capacity"] - p["places_taken"]:
                raise referrals.StepRefused("full")
            async with DB.transaction():
                referral_id = await referrals.create_referral(
                    p["participant"], p["opportunity"], message, send=True, user=sender
                )
                linked = (
                    await AllocationProposal.update({AllocationProposal.referral: referral_id})
                    .where((AllocationProposal.id == p["id"]) & AllocationProposal.referral.is_null())
                    .returning(AllocationProposal.id)
                )
                if not linked:
                    raise _AlreadyLinked
                await AuditEvent.insert(
                    AuditEvent(
                        at=utc_now(),
                        user=sender.id,
                        username=sender.username,
                        action="refer",
                        record_type="participant",
                        record_id=p["participant"],
                        detail=f"referral {referral_id} from allocation round {round_id}",
                        address=address,
                    )
                )
        except referrals.StepRefused as refused:
            result.refused.append({"code": p["code"], "title": p["title"], "reason": refused.code})
            continue
        except _AlreadyLinked:
            continue
        used[p["opportunity"]] += 1
        result.sent.append((p["participant"], referral_id))
        await referrals.notify_counsellors(referral_id, "sent")
    sent = await AllocationProposal.count().where(
        (AllocationProposal.allocation_round == round_id) & AllocationProposal.referral.is_not_null()
    )
    report = (await get_round(round_id))["report"]
    report["sending"] = {**sending, "sent": sent, "refused": result.refused}
    await AllocationRound.update({AllocationRound.status: "sent", AllocationRound.report: json.dumps(report)}).where(
        (AllocationRound.id == round_id) & (AllocationRound.status == SENDING)
    )
    return result


async def resume_interrupted() -> int:
    """Finish every round whose sending stopped half way (a crash, a restart); the number resumed."""
    stuck = await AllocationRound.select(AllocationRound.id).where(AllocationRound.status == SENDING)
    for row in stuck:
        await deliver(row["id"])
    return len(stuck)
