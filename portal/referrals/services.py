"""Making referrals and moving them through the loop; capacity is taken by one conditional update."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from piccolo.columns import Column

from portal.auth.current_user import CurrentUser
from portal.cases.services import access_for
from portal.clock import utc_now
from portal.db.piccolo_conf import DB
from portal.db.rows import existing
from portal.db.tables import Opportunity, PortalUser, Referral, ReferralEvent
from portal.employers.pool import pseudonyms_for
from portal.network import jobs as network_jobs
from portal.notifications.services import notify
from portal.pagination import Page, clamp_page
from portal.referrals import flow
from portal.service_errors import NotFound, Refused
from portal.vocab import LIVE_REFERRAL_STATUSES

PER_PAGE = 25
StepRefused = Refused  # this module's name for it


async def create_referral(
    participant_id: int,
    opportunity_id: int,
    message: str,
    send: bool,
    user: CurrentUser,
    override_reason: str = "",
    broken: tuple[str, ...] = (),
) -> int:
    """Propose (and maybe send at once) a referral; refuse a closed or full opportunity or a duplicate.

    ``broken`` names the hard constraints the place breaks for the person (portal.referrals.guidance)
    and ``override_reason`` why the counsellor refers anyway: both are kept on the first event."""
    opportunity = (
        await Opportunity.select(
            Opportunity.status, Opportunity.capacity, Opportunity.places_taken, Opportunity.organisation
        )
        .where(Opportunity.id == opportunity_id)
        .first()
    )
    if opportunity is None or opportunity["status"] != "open":
        raise StepRefused("not_open")
    if opportunity["places_taken"] >= opportunity["capacity"]:
        raise StepRefused("full")
    if await Referral.exists().where(
        (Referral.participant == participant_id)
        & (Referral.opportunity == opportunity_id)
        & Referral.status.is_in(list(LIVE_REFERRAL_STATUSES))
    ):
        raise StepRefused("duplicate")
    now = utc_now()
    status = "sent" if send else "proposed"
    async with DB.transaction():
        rows = await Referral.insert(
            Referral(
                participant=participant_id,
                opportunity=opportunity_id,
                referred_by=user.id,
                message=message,
                status=status,
                reason="",
                created_at=now,
                updated_at=now,
            )
        )
        referral_id = rows[0]["id"]
        await ReferralEvent.insert(
            ReferralEvent(
                referral=referral_id,
                from_status="",
                to_status=status,
                reason=override_reason,
                changed_by=user.id,
                changed_at=now,
                constraints=",".join(broken),
            )
        )
    network_jobs.request_recompute()
    if send:
        await notify_host(referral_id, opportunity["organisation"])
    return referral_id


async def _host_users(organisation_id: int) -> list[dict[str, Any]]:
    return await PortalUser.select(PortalUser.id, PortalUser.language, PortalUser.role).where(
        (PortalUser.organisation == organisation_id)
        & PortalUser.role.is_in(["enterprise", "employer"])
        & (PortalUser.is_active.eq(True))
    )


async def hosts_to_tell(referral_id: int, organisation_id: int) -> list[tuple[dict[str, Any], str]]:
    """Each active host user of ``organisation_id`` with the name that host knows the referred person by."""
    code = await _code(referral_id)
    participant_id = await participant_of(referral_id)
    if participant_id is None:  # _code has just read the referral
        raise LookupError(f"referral {referral_id} is gone")
    return [
        (user, await name_for_host(user["role"], organisation_id, participant_id, code))
        for user in await _host_users(organisation_id)
    ]


async def notify_host(referral_id: int, organisation_id: int) -> None:
    """A referral was sent: it is new in the host's inbox."""
    for user, name in await hosts_to_tell(referral_id, organisation_id):
        await notify(user, "referral.new", {"code": name}, f"/referrals/{referral_id}")


async def names_for_host(role: str, organisation_id: int, codes: dict[int, str]) -> dict[int, str]:
    """How a host knows each person (participant id -> case code given): employers by their own
    pseudonym, so no two employers share a name for one person (see portal.employers.pool);
    other hosts by the case code."""
    if role != "employer":
        return dict(codes)
    return await pseudonyms_for(organisation_id, list(codes))


async def name_for_host(role: str, organisation_id: int, participant_id: int, code: str) -> str:
    """:func:`names_for_host` for one person."""
    return (await names_for_host(role, organisation_id, {participant_id: code}))[participant_id]


async def _code(referral_id: int) -> str:
    row = await existing(
        Referral.select(Referral.participant.code.as_alias("code")).where(Referral.id == referral_id).first()
    )
    return row["code"]


async def referral_counsellors_to_tell(referral_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The referral's case (its ``code`` and id ``pid``) and the counsellors still on it (:func:`counsellors_to_tell`)."""
    row = await existing(
        Referral.select(
            Referral.referred_by,
            Referral.participant.lead_counsellor.as_alias("lead"),
            Referral.participant.id.as_alias("pid"),
            Referral.participant.code.as_alias("code"),
        )
        .where(Referral.id == referral_id)
        .first()
    )
    return row, await counsellors_to_tell(row)


async def notify_counsellors(referral_id: int, status: str) -> None:
    """The host took a step (or a round sent the referral): the case's counsellors hear of its new status."""
    case, users = await referral_counsellors_to_tell(referral_id)
    for user in users:
        await notify(
            user, "referral.status", {"code": case["code"], "status": status}, f"/cases/{case['pid']}#referrals"
        )


async def counsellors_to_tell(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The referring counsellor and the lead (``row``'s ``referred_by`` and ``lead``) still on case ``pid``."""
    recipients = await PortalUser.select(
        PortalUser.id,
        PortalUser.username,
        PortalUser.display_name,
        PortalUser.role,
        PortalUser.language,
        PortalUser.organisation,
    ).where(PortalUser.id.is_in(list({row["referred_by"], row["lead"]})))
    # The one who referred may since have left the team or lost the person's consent.
    return [user for user in recipients if await _still_on_case(user, row["pid"])]


async def mark_opened(referral_id: int) -> None:
    """Note the first time a host user opens a referral: from then on the counsellor cannot withdraw it silently."""
    await Referral.update({Referral.host_opened_at: utc_now()}).where(
        (Referral.id == referral_id) & Referral.host_opened_at.is_null()
    )


async def _still_on_case(user: dict[str, Any], participant_id: int) -> bool:
    current = CurrentUser(
        user["id"], user["username"], user["display_name"], user["role"], user["organisation"], "", user["language"]
    )
    return await access_for(current, participant_id) is not None


async def get_referral(referral_id: int) -> dict[str, Any]:
    row = (
        await Referral.select(
            *Referral.all_columns(),
            Referral.participant.code.as_alias("code"),
            Referral.participant.skills.as_alias("skills"),
            Referral.participant.support_needs.as_alias("support_needs"),
            Referral.participant.languages.as_alias("languages"),
            Referral.participant.hours_per_week.as_alias("hours_per_week"),
            Referral.participant.region.as_alias("region"),
            Referral.opportunity.title.as_alias("opportunity_title"),
            Referral.opportunity.organisation.as_alias("host_id"),
            Referral.opportunity._.organisation.name.as_alias("host_name"),
            Referral.opportunity.capacity.as_alias("capacity"),
            Referral.opportunity.places_taken.as_alias("places_taken"),
            Referral.referred_by.display_name.as_alias("referred_by_name"),
        )
        .where(Referral.id == referral_id)
        .first()
    )
    if row is None:
        raise NotFound(referral_id)
    row["skills_list"] = json.loads(row["skills"] or "[]")
    row["events"] = (
        await ReferralEvent.select(
            ReferralEvent.from_status,
            ReferralEvent.to_status,
            ReferralEvent.reason,
            ReferralEvent.changed_at,
            ReferralEvent.note,
            ReferralEvent.happened_on,
            ReferralEvent.kind,
            ReferralEvent.constraints,
            ReferralEvent.changed_by.display_name.as_alias("by"),
        )
        .where(ReferralEvent.referral == referral_id)
        .order_by(ReferralEvent.id)
    )
    return row


async def move(
    referral_id: int,
    to: str,
    reason: str,
    user: CurrentUser,
    side: str,
    note: str = "",
    happened_on: dt.date | None = None,
) -> None:
    """Take one step of the loop. Accepting takes a place only if one is left, atomically;
    a concurrent change of the same referral makes this step a no-op refusal, never a double count.

    ``happened_on`` is when a start or an end took place (the referral keeps it); the event's
    ``changed_at`` stays the moment it was recorded."""
    current = (
        await Referral.select(Referral.status, Referral.opportunity, Referral.holds_place)
        .where(Referral.id == referral_id)
        .first()
    )
    if current is None:
        raise NotFound(referral_id)
    if not flow.is_allowed(current["status"], to, side):
        raise StepRefused("not_allowed")
    if to in flow.NEEDS_REASON and not reason:
        raise StepRefused("reason")
    now = utc_now()
    async with DB.transaction():
        if to == flow.TAKES_PLACE:
            # updated_at too: the matching index follows opportunities by it (matching_service.live_index).
            taken = (
                await Opportunity.update(
                    {Opportunity.places_taken: Opportunity.places_taken + 1, Opportunity.updated_at: now}
                )
                .where((Opportunity.id == current["opportunity"]) & (Opportunity.places_taken < Opportunity.capacity))
                .returning(Opportunity.id)
            )
            if not taken:
                raise StepRefused("full")
        changes: dict[Column | str, Any] = {Referral.status: to, Referral.updated_at: now}
        if reason:
            changes[Referral.reason] = reason
        if to == flow.TAKES_PLACE:
            changes[Referral.holds_place] = True
        if to in flow.RELEASES_PLACE and current["holds_place"]:
            changes[Referral.holds_place] = False
        if to == "started":
            changes[Referral.started_on] = happened_on
        if to in ("completed", "dropped_out"):
            changes[Referral.ended_on] = happened_on
        moved = (
            await Referral.update(changes)
            .where((Referral.id == referral_id) & (Referral.status == current["status"]))
            .returning(Referral.id)
        )
        if not moved:
            raise StepRefused("changed")  # rolls back the place taken above
        if to in flow.RELEASES_PLACE and current["holds_place"]:
            await Opportunity.update(
                {Opportunity.places_taken: Opportunity.places_taken - 1, Opportunity.updated_at: now}
            ).where((Opportunity.id == current["opportunity"]) & (Opportunity.places_taken > 0))
        await ReferralEvent.insert(
            ReferralEvent(
                referral=referral_id,
                from_status=current["status"],
                to_status=to,
                reason=reason,
                changed_by=user.id,
                changed_at=now,
                note=note,
                happened_on=happened_on,
            )
        )
    network_jobs.request_recompute()
    if side == "host":
        await notify_counsellors(referral_id, to)
    else:
        host = await existing(
            Opportunity.select(Opportunity.organisation).where(Opportunity.id == current["opportunity"]).first()
        )
        await notify_host(referral_id, host["organisation"])


def inbox_conditions(user: CurrentUser, status: str = "") -> list:
    """The referrals in ``user``'s inbox: the one rule for the inbox page and its downloads."""
    conditions = [(Referral.opportunity.organisation == user.organisation_id) & (Referral.status != "proposed")]
    if status:
        conditions.append(Referral.status == status)
    return conditions


async def inbox(user: CurrentUser, status: str = "", page: int = 1) -> Page:
    """Referrals to the user's organisation's opportunities that were sent (proposals stay private)."""
    conditions = inbox_conditions(user, status)
    total = await Referral.count().where(*conditions)
    page = clamp_page(page, total, PER_PAGE)
    rows = (
        await Referral.select(
            Referral.id,
            Referral.status,
            Referral.updated_at,
            Referral.participant.code.as_alias("code"),
            Referral.participant,
            Referral.opportunity.title.as_alias("opportunity_title"),
        )
        .where(*conditions)
        .order_by(Referral.updated_at, ascending=False)
        .order_by(Referral.id, ascending=False)  # a unique tie-breaker: rows stamped alike page once each
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    names = await names_for_host(user.role, user.organisation_id, {r["participant"]: r["code"] for r in rows})
    for row in rows:
        row["code"] = names[row.pop("participant")]
    return Page(items=rows, total=total, page=page, per_page=PER_PAGE)


# The case page asks this on every visit: written out once (building the joined select cost about as
# much as running it). It also gives the start and end of each placement, for the page's placement
# section (portal.placements.case_view.case_context), so that section needs no read of its own.
_REFERRALS_OF = """
    SELECT r.id AS id, r.status AS status, r.reason AS reason, r.updated_at AS updated_at,
           r.host_opened_at AS host_opened_at, r.started_on AS started_on, r.ended_on AS ended_on,
           o.title AS opportunity_title, h.name AS host_name
    FROM referral r
    LEFT JOIN opportunity o ON o.id = r.opportunity
    LEFT JOIN organisation h ON h.id = o.organisation
    WHERE r.participant = {}
    ORDER BY r.id DESC"""


async def referrals_of(participant_id: int) -> list[dict[str, Any]]:
    """The person's referrals, newest first, with the place's title, its host and the placement's dates."""
    return await Referral.raw(_REFERRALS_OF, participant_id)


async def participant_of(referral_id: int) -> int | None:
    row = await Referral.select(Referral.participant).where(Referral.id == referral_id).first()
    return row["participant"] if row else None
