"""Introductions: an employer asks to meet a candidate, the lead counsellor accepts or declines.

Contact details reach the employer only after an accepted introduction, and only while the
participant's consents to an employer profile and to employer contact are both in force.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.query import OrderByRaw

from portal.auth.current_user import CurrentUser
from portal.clock import utc_now
from portal.db.piccolo_conf import DB
from portal.db.rows import existing
from portal.db.tables import Introduction, IntroductionEvent, Opportunity, Participant, PortalUser
from portal.employers import pool
from portal.i18n import lazy_gettext as _l
from portal.notifications.services import notify
from portal.pagination import Page, clamp_page
from portal.service_errors import NotFound, Refused

__all__ = [
    "STATUSES",
    "Refused",
    "answer",
    "contact_for",
    "counsellor_contact",
    "get",
    "list_for_counsellor",
    "list_for_employer",
    "page_for_counsellor",
    "page_for_employer",
    "request",
    "side_of",
    "withdraw",
]

STATUSES = {
    "requested": _l("Waiting for the counsellor"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
}
MAX_TEXT = 2000


async def _event(introduction_id: int, frm: str, to: str, reason: str, user_id: int, at: dt.datetime) -> None:
    await IntroductionEvent.insert(
        IntroductionEvent(
            introduction=introduction_id,
            from_status=frm,
            to_status=to,
            reason=reason,
            changed_by=user_id,
            changed_at=at,
        )
    )


async def request(user: CurrentUser, participant_id: int, message: str, opportunity_id: int | None) -> int:
    """An employer user asks to meet a pool member; the lead counsellor is notified."""
    message = message.strip()
    if not message:
        raise Refused("message")
    if len(message) > MAX_TEXT:
        raise Refused("too_long")
    if not await pool.in_pool(participant_id):
        raise NotFound(participant_id)
    if opportunity_id is not None and not await Opportunity.exists().where(
        (Opportunity.id == opportunity_id) & (Opportunity.organisation == user.organisation_id)
    ):
        raise Refused("opportunity")
    now = utc_now()
    try:
        async with DB.transaction():
            rows = await Introduction.insert(
                Introduction(
                    organisation=user.organisation_id,
                    participant=participant_id,
                    opportunity=opportunity_id,
                    requested_by=user.id,
                    message=message,
                    status="requested",
                    reason="",
                    contact_shared=False,
                    created_at=now,
                    updated_at=now,
                )
            )
            introduction_id = rows[0]["id"]
            await _event(introduction_id, "", "requested", "", user.id, now)
    except Exception as exc:
        # The partial unique index: one waiting request per employer and person, even in a race.
        if await Introduction.exists().where(
            (Introduction.organisation == user.organisation_id)
            & (Introduction.participant == participant_id)
            & (Introduction.status == "requested")
        ):
            raise Refused("pending") from exc
        raise
    lead = await existing(
        Participant.select(
            Participant.code,
            Participant.lead_counsellor.id.as_alias("id"),
            Participant.lead_counsellor.language.as_alias("language"),
        )
        .where(Participant.id == participant_id)
        .first()
    )
    await notify(lead, "introduction.requested", {"code": lead["code"]}, f"/introductions/{introduction_id}")
    return introduction_id


async def get(introduction_id: int) -> dict[str, Any]:
    row = (
        await Introduction.select(
            *Introduction.all_columns(),
            Introduction.organisation.name.as_alias("employer_name"),
            Introduction.opportunity.title.as_alias("opportunity_title"),
            Introduction.participant.code.as_alias("code"),
            Introduction.participant.lead_counsellor.as_alias("lead"),
            Introduction.requested_by.display_name.as_alias("requested_by_name"),
        )
        .where(Introduction.id == introduction_id)
        .first()
    )
    if row is None:
        raise NotFound(introduction_id)
    row["events"] = (
        await IntroductionEvent.select(
            IntroductionEvent.to_status,
            IntroductionEvent.reason,
            IntroductionEvent.changed_at,
            IntroductionEvent.changed_by.display_name.as_alias("by"),
        )
        .where(IntroductionEvent.introduction == introduction_id)
        .order_by(IntroductionEvent.id)
    )
    return row


def side_of(user: CurrentUser, introduction: dict[str, Any]) -> str | None:
    """'employer' for the asking organisation's employer users, 'counsellor' for the lead, else None."""
    if user.role == "employer" and user.organisation_id == introduction["organisation"]:
        return "employer"
    if user.id == introduction["lead"]:
        return "counsellor"
    return None


async def answer(introduction_id: int, user: CurrentUser, accept: bool, reason: str) -> None:
    """The lead counsellor accepts (reason optional: how the meeting is arranged) or declines (reason required)."""
    reason = reason.strip()
    if len(reason) > MAX_TEXT:
        raise Refused("too_long")
    if not accept and not reason:
        raise Refused("reason")
    current = await get(introduction_id)
    if current["lead"] != user.id:
        raise NotFound(introduction_id)
    if current["status"] != "requested":
        raise Refused("not_allowed")
    participant_id = current["participant"]
    if accept and not await pool.in_pool(participant_id):
        raise Refused("no_consent")
    contact = accept and participant_id in await pool.consented([participant_id], "employer_contact")
    to = "accepted" if accept else "declined"
    now = utc_now()
    async with DB.transaction():
        moved = (
            await Introduction.update(
                {
                    Introduction.status: to,
                    Introduction.reason: reason,
                    Introduction.contact_shared: contact,
                    Introduction.updated_at: now,
                }
            )
            .where((Introduction.id == introduction_id) & (Introduction.status == "requested"))
            .returning(Introduction.id)
        )
        if not moved:
            raise Refused("changed")
        await _event(introduction_id, "requested", to, reason, user.id, now)
    await _tell_employer(current, to)


async def withdraw(introduction_id: int, user: CurrentUser) -> None:
    """The employer takes back a request the counsellor has not answered yet."""
    now = utc_now()
    async with DB.transaction():
        moved = (
            await Introduction.update({Introduction.status: "withdrawn", Introduction.updated_at: now})
            .where(
                (Introduction.id == introduction_id)
                & (Introduction.organisation == user.organisation_id)
                & (Introduction.status == "requested")
            )
            .returning(Introduction.id)
        )
        if not moved:
            raise Refused("not_allowed")
        await _event(introduction_id, "requested", "withdrawn", "", user.id, now)


async def _tell_employer(introduction: dict[str, Any], to: str) -> None:
    names = await pool.pseudonyms_for(introduction["organisation"], [introduction["participant"]])
    pseudonym = names[introduction["participant"]]
    requester = (
        await PortalUser.select(PortalUser.id, PortalUser.language, PortalUser.is_active)
        .where(PortalUser.id == introduction["requested_by"])
        .first()
    )
    if requester is None or not requester["is_active"]:
        return
    await notify(
        requester, "introduction.status", {"pseudonym": pseudonym, "status": to}, f"/introductions/{introduction['id']}"
    )


async def contact_for(introduction: dict[str, Any]) -> dict[str, Any] | None:
    """The participant's agreed contact details for the employer, or None.

    Only for an accepted introduction recorded with contact consent, and only while both consents
    are still in force: a withdrawal hides the details again on the next request.
    """
    if introduction["status"] != "accepted" or not introduction["contact_shared"]:
        return None
    pid = introduction["participant"]
    if not await pool.in_pool(pid) or pid not in await pool.consented([pid], "employer_contact"):
        return None
    return (
        await Participant.select(Participant.first_name, Participant.last_name, Participant.phone, Participant.email)
        .where(Participant.id == pid)
        .first()
    )


async def counsellor_contact(introduction: dict[str, Any]) -> dict[str, Any]:
    """Who arranges the meeting when contact details are not shared: the lead counsellor and their office."""
    return await existing(
        PortalUser.select(
            PortalUser.display_name,
            PortalUser.organisation.name.as_alias("organisation_name"),
            PortalUser.organisation.email.as_alias("email"),
            PortalUser.organisation.phone.as_alias("phone"),
        )
        .where(PortalUser.id == introduction["lead"])
        .first()
    )


_LIST_COLUMNS = (
    Introduction.id,
    Introduction.status,
    Introduction.participant,
    Introduction.updated_at,
    Introduction.organisation.name.as_alias("employer_name"),
    Introduction.opportunity.title.as_alias("opportunity_title"),
)


# Requests listed on one page of /introductions; a counsellor with hundreds of answered ones pages on.
PER_PAGE = 50


async def _pseudonymised(user: CurrentUser, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = await pool.pseudonyms_for(user.organisation_id, [r["participant"] for r in rows])
    for r in rows:
        r["pseudonym"] = names[r.pop("participant")]
    return rows


async def list_for_employer(user: CurrentUser, participant_id: int) -> list[dict[str, Any]]:
    """The employer organisation's requests about one person, newest first, under the employer's own pseudonym."""
    rows = (
        await Introduction.select(*_LIST_COLUMNS)
        .where((Introduction.organisation == user.organisation_id) & (Introduction.participant == participant_id))
        .order_by(Introduction.updated_at, ascending=False)
        .order_by(Introduction.id, ascending=False)
    )
    return await _pseudonymised(user, rows)


# The case page asks this on every visit by its lead: written out once, as building the joined select
# cost more than running it (issue #15). The columns of _LIST_COLUMNS and the case's code.
_FOR_COUNSELLOR = """
    SELECT i.id AS id, i.status AS status, i.participant AS participant, i.updated_at AS updated_at,
           o.name AS employer_name, op.title AS opportunity_title, p.code AS code
    FROM introduction i
    JOIN participant p ON p.id = i.participant
    LEFT JOIN organisation o ON o.id = i.organisation
    LEFT JOIN opportunity op ON op.id = i.opportunity
    WHERE p.lead_counsellor = {} AND i.participant = {}
    ORDER BY i.updated_at DESC, i.id DESC"""


async def list_for_counsellor(user: CurrentUser, participant_id: int) -> list[dict[str, Any]]:
    """Requests about one person this counsellor leads, waiting ones first."""
    rows = await Introduction.raw(_FOR_COUNSELLOR, user.id, participant_id)
    rows.sort(key=lambda r: r["status"] != "requested")
    return rows


async def page_for_employer(user: CurrentUser, page: int = 1) -> Page:
    """One page of the employer organisation's requests, newest first (ordered by the index on organisation)."""
    condition = Introduction.organisation == user.organisation_id
    total = await Introduction.count().where(condition)
    page = clamp_page(page, total, PER_PAGE)
    rows = (
        await Introduction.select(*_LIST_COLUMNS)
        .where(condition)
        .order_by(Introduction.updated_at, ascending=False)
        .order_by(Introduction.id, ascending=False)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    )
    return Page(await _pseudonymised(user, rows), total, page, PER_PAGE)


# Waiting requests first: they are the counsellor's to answer. Qualified with the table, since the
# joined opportunity has a status column too.
_WAITING_FIRST = OrderByRaw('CASE WHEN "introduction"."status" = \'requested\' THEN 0 ELSE 1 END')


async def page_for_counsellor(user: CurrentUser, page: int = 1) -> Page:
    """One page of requests about the people this counsellor leads: waiting ones first, then newest."""
    condition = Introduction.participant.lead_counsellor == user.id
    total = await Introduction.count().where(condition)
    page = clamp_page(page, total, PER_PAGE)
    rows = (
        await Introduction.select(*_LIST_COLUMNS, Introduction.participant.code.as_alias("code"))
        .where(condition)
        .order_by(_WAITING_FIRST)
        .order_by(Introduction.updated_at, ascending=False)
        .order_by(Introduction.id, ascending=False)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    )
    return Page(rows, total, page, PER_PAGE)
