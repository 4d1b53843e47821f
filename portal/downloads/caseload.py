"""A user's caseload and referrals inbox as tables: the same rows the pages list, pseudonymous, in batches.

The rows are exactly those the caseload (``cases.services.caseload_conditions``) and the inbox
(``referrals.services.inbox_conditions``) show the user; never a name, contact, profiling or note.
The caller audits every person written (their case, or the person a referral is about), one
``export`` event each.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.cases.profiling import SUPPORT_LEVELS
from portal.cases.services import CaseloadFilters, caseload_conditions
from portal.db.tables import Participant, Referral
from portal.downloads.tables import BATCH, Batches
from portal.i18n import gettext as _
from portal.referrals import flow
from portal.referrals.services import inbox_conditions, names_for_host
from portal.vocab import STAGES

# Called with the ids of each batch before it is written: the download's audit trail.
Audit = Callable[[list[int]], Awaitable[None]]


def _label(labels: dict[str, Any], code: str) -> str:
    return str(labels.get(code, code)) if code else ""


def case_header() -> list[str]:
    return [
        str(_("Code")),
        str(_("Stage")),
        str(_("Support level")),
        str(_("Region or county")),
        str(_("Municipality")),
        str(_("My part")),
        str(_("Last change")),
    ]


async def case_rows(user: CurrentUser, filters: CaseloadFilters, audit: Audit) -> Batches:
    # Never a name: a search by name narrows the rows but the download stays pseudonymous.
    conditions = await caseload_conditions(user, filters)
    last = 0
    while True:
        found = (
            await Participant.select(
                Participant.id,
                Participant.code,
                Participant.stage,
                Participant.support_level,
                Participant.region,
                Participant.municipality,
                Participant.lead_counsellor,
                Participant.updated_at,
            )
            .where(Participant.id > last, *conditions)
            .order_by(Participant.id)
            .limit(BATCH)
        )
        if not found:
            return
        last = found[-1]["id"]
        await audit([row["id"] for row in found])
        yield [
            [
                row["code"],
                _label(STAGES, row["stage"]),
                _label(SUPPORT_LEVELS, row["support_level"]),
                row["region"],
                row["municipality"],
                str(_("Lead counsellor") if row["lead_counsellor"] == user.id else _("Case team")),
                row["updated_at"],
            ]
            for row in found
        ]
        if len(found) < BATCH:
            return


def referral_header() -> list[str]:
    return [
        str(_("Referral")),
        str(_("Code")),
        str(_("Opportunity")),
        str(_("Status")),
        str(_("Started on")),
        str(_("Ended on")),
        str(_("Last change")),
    ]


async def referral_rows(user: CurrentUser, status: str, audit: Audit) -> Batches:
    conditions = inbox_conditions(user, status)
    last = 0
    while True:
        found = (
            await Referral.select(
                Referral.id,
                Referral.participant,
                Referral.participant.code.as_alias("code"),
                Referral.opportunity.title.as_alias("opportunity_title"),
                Referral.status,
                Referral.started_on,
                Referral.ended_on,
                Referral.updated_at,
            )
            .where(Referral.id > last, *conditions)
            .order_by(Referral.id)
            .limit(BATCH)
        )
        if not found:
            return
        last = found[-1]["id"]
        # Employers know each person by their own pseudonym, as in the inbox, never by the case code.
        names = await names_for_host(user.role, user.organisation_id, {r["participant"]: r["code"] for r in found})
        await audit([row["participant"] for row in found])
        yield [
            [
                row["id"],
                names[row["participant"]],
                row["opportunity_title"],
                _label(flow.STATUSES, row["status"]),
                row["started_on"],
                row["ended_on"],
                row["updated_at"],
            ]
            for row in found
        ]
        if len(found) < BATCH:
            return
