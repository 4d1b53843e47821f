"""Taking the last step of a referral back, for a short while and only while the other side has not acted.

The counsellor may withdraw a referral just sent (back to a private proposal) for ten minutes,
and only while no host user has opened it: once the host has read the message, a silent
withdrawal would leave them wondering, so the counsellor then writes to them instead. The host
may undo an Accept, a recorded start, a completion, a hire or a decline for ten minutes while
nothing followed it. Ten minutes covers a wrong click noticed at once without letting an "undo"
rewrite a day-old decision.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.clock import utc_now
from portal.db.piccolo_conf import DB
from portal.db.rows import existing
from portal.db.tables import AttendanceResponse, Opportunity, PlacementMentor, Referral, ReferralEvent
from portal.network import jobs as network_jobs
from portal.notifications.services import notify
from portal.referrals import flow, services
from portal.service_errors import NotFound, Refused
from portal.vocab import LIVE_REFERRAL_STATUSES

WINDOW = dt.timedelta(minutes=10)
# The step each side may take back, and the status it returns to. A send returns to a proposal
# whether or not it was one first: a proposal is the counsellor's private draft.
UNDOABLE = {
    "counsellor": {"sent": "proposed"},
    "host": {
        "accepted": "sent",
        "started": "accepted",
        "completed": "started",
        "hired": "completed",
        "declined": "sent",
    },
}
# Taking a step back into a live status is refused if the person has another live referral to
# the same opportunity by then (the counsellor may refer again after a decline).


async def _last_event(referral_id: int) -> dict[str, Any] | None:
    return (
        await ReferralEvent.select(ReferralEvent.to_status, ReferralEvent.kind, ReferralEvent.changed_at)
        .where(ReferralEvent.referral == referral_id)
        .order_by(ReferralEvent.id, ascending=False)
        .first()
    )


def _refusal(referral: dict[str, Any], last: dict[str, Any] | None, side: str, now: dt.datetime) -> str:
    """'' when ``side`` may undo the referral's last step now, else the refusal's code."""
    back_to = UNDOABLE.get(side, {}).get(referral["status"])
    if back_to is None or last is None or last["kind"] != "step" or last["to_status"] != referral["status"]:
        return "undo_nothing"
    if side == "counsellor" and referral["host_opened_at"] is not None:
        return "undo_opened"
    if now - last["changed_at"] > WINDOW:
        return "undo_late"
    return ""


async def _another_live(referral: dict[str, Any]) -> bool:
    return await Referral.exists().where(
        (Referral.participant == referral["participant"])
        & (Referral.opportunity == referral["opportunity"])
        & (Referral.id != referral["id"])
        & Referral.status.is_in(list(LIVE_REFERRAL_STATUSES))
    )


async def _case_team_acted(referral_id: int, since: dt.datetime) -> bool:
    """Whether the case team acted on the placement after the host's step: a response recorded for
    it or a mentor they named. A host undo would then pull the ground from under their decision."""
    row = (
        await Referral.select(Referral.participant, Referral.opportunity.organisation.as_alias("host_id"))
        .where(Referral.id == referral_id)
        .first()
    )
    if row is None:
        return False
    responded = await AttendanceResponse.exists().where(
        (AttendanceResponse.participant == row["participant"])
        & (AttendanceResponse.referral == referral_id)
        & (AttendanceResponse.recorded_at >= since)
    )
    return responded or await PlacementMentor.exists().where(
        (PlacementMentor.referral == referral_id)
        & (PlacementMentor.named_at >= since)
        & (PlacementMentor.named_by.organisation != row["host_id"])
    )


async def offer(referral: dict[str, Any], side: str) -> dt.datetime | None:
    """Until when ``side`` may take back the referral's last step, or None when it may not."""
    last = await _last_event(referral["id"])
    if last is None or _refusal(referral, last, side, utc_now()):
        return None
    if side == "host" and await _case_team_acted(referral["id"], last["changed_at"]):
        return None
    return last["changed_at"] + WINDOW


async def undo(referral_id: int, user: CurrentUser, side: str) -> str:
    """Restore the status before the last step and return it; raise :class:`Refused` when too late,
    when the other side acted, or when someone changed the referral meanwhile.

    Every write is conditional on the status the check saw, in one transaction: a concurrent
    accept, start or second undo either lands first (and this one is refused) or is refused
    itself, so the places taken never count a referral twice or miss one.
    """
    referral = (
        await Referral.select(
            Referral.id,
            Referral.status,
            Referral.opportunity,
            Referral.participant,
            Referral.holds_place,
            Referral.host_opened_at,
        )
        .where(Referral.id == referral_id)
        .first()
    )
    if referral is None:
        raise NotFound(referral_id)
    now = utc_now()
    last = await _last_event(referral_id)
    code = _refusal(referral, last, side, now)
    if code or last is None:  # without a last step the code is "undo_nothing"
        raise Refused(code)
    if side == "host" and await _case_team_acted(referral_id, last["changed_at"]):
        raise Refused("undo_acted")
    undone, back_to = referral["status"], UNDOABLE[side][referral["status"]]
    # A completion freed the place its start held (every start follows an accept, which takes one:
    # services.move); its undo takes that place back, and only while one is free: never an over-booking.
    # A decline or a hire freed nothing, so their undo takes nothing.
    retakes = undone == "completed"
    async with DB.transaction():
        if retakes:
            taken = (
                await Opportunity.update(
                    {Opportunity.places_taken: Opportunity.places_taken + 1, Opportunity.updated_at: now}
                )
                .where((Opportunity.id == referral["opportunity"]) & (Opportunity.places_taken < Opportunity.capacity))
                .returning(Opportunity.id)
            )
            if not taken:
                raise Refused("full")
        changes: dict[Any, Any] = {Referral.status: back_to, Referral.updated_at: now}
        condition = (Referral.id == referral_id) & (Referral.status == undone)
        if undone == flow.TAKES_PLACE:
            changes[Referral.holds_place] = False
            condition &= Referral.holds_place.eq(True)
        if retakes:
            changes[Referral.holds_place] = True
            condition &= Referral.holds_place.eq(False)
        if undone == "started":
            changes[Referral.started_on] = None
        if undone == "completed":
            changes[Referral.ended_on] = None
        if undone == "declined":
            changes[Referral.reason] = ""  # the decline's reason; a sent referral has none
        if side == "counsellor":
            # The host may open it between the check and this write: then it stays sent.
            condition &= Referral.host_opened_at.is_null()
        moved = await Referral.update(changes).where(condition).returning(Referral.id)
        if not moved:
            raise Refused("changed")  # rolls back the place retaken above
        # Checked after the first write, which holds SQLite's lock: a read first would make racing
        # undos fail on upgrading it instead of waiting.
        if back_to in LIVE_REFERRAL_STATUSES and await _another_live(referral):
            raise Refused("duplicate")  # rolls back both writes
        if undone == flow.TAKES_PLACE:
            await Opportunity.update(
                {Opportunity.places_taken: Opportunity.places_taken - 1, Opportunity.updated_at: now}
            ).where((Opportunity.id == referral["opportunity"]) & (Opportunity.places_taken > 0))
        await ReferralEvent.insert(
            ReferralEvent(
                referral=referral_id,
                from_status=undone,
                to_status=back_to,
                reason="",
                changed_by=user.id,
                changed_at=now,
                kind="undone",
            )
        )
    network_jobs.request_recompute()
    await _tell_the_other_side(referral_id, referral["opportunity"], side, undone)
    return back_to


async def _tell_the_other_side(referral_id: int, opportunity_id: int, side: str, undone: str) -> None:
    """Whoever heard of the step hears it was taken back: the host of a send, the counsellors of a host's step."""
    if side == "counsellor":
        host = await existing(
            Opportunity.select(Opportunity.organisation).where(Opportunity.id == opportunity_id).first()
        )
        # To the inbox: the referral, a private proposal again, is no longer the host's to open.
        for user, name in await services.hosts_to_tell(referral_id, host["organisation"]):
            await notify(user, "referral.withdrawn", {"code": name}, "/referrals/inbox")
        return
    case, users = await services.referral_counsellors_to_tell(referral_id)
    for user in users:
        await notify(
            user, "referral.undone", {"code": case["code"], "status": undone}, f"/cases/{case['pid']}#referrals"
        )
