"""Queries, changes and access rules for opportunities; handlers call only these.

Who sees what: everyone sees open opportunities; drafts and closed ones only the posting
organisation's own users and the network managers (admins, coordinators). To anyone else a hidden
opportunity does not exist (``NotFound``), so its existence does not leak.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from portal.auth.current_user import CurrentUser
from portal.auth.roles import EMPLOYER, ENTERPRISE
from portal.cache import FILTER_OPTIONS_SECONDS, kept_for
from portal.clock import utc_now
from portal.db.tables import Opportunity, Organisation
from portal.i18n import gettext as _
from portal.opportunities.validation import capacity_message
from portal.organisations.services import search_words
from portal.pagination import Page
from portal.service_errors import Conflict, NotFound
from portal.skills import entries as skill_entries
from portal.skills.services import recognise
from portal.text import fold
from portal.vocab import split_codes

__all__ = [
    "DEFAULT_PER_PAGE",
    "EVERY_STATUS",
    "MAX_PER_PAGE",
    "PUBLIC_STATUSES",
    "POSTING_ROLES",
    "Conflict",
    "NotFound",
    "OpportunityFilters",
    "can_edit",
    "can_post",
    "can_post_for",
    "can_see",
    "can_see_candidates",
    "create_opportunity",
    "filter_options",
    "get_opportunity",
    "search_opportunities",
    "search_text_for",
    "sees_every_status",
    "update_opportunity",
]

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Roles that post for their own organisation; network managers post for any.
POSTING_ROLES = frozenset({ENTERPRISE, EMPLOYER})
PUBLIC_STATUSES = ("open",)
EVERY_STATUS = ("draft", "open", "closed")


# --- who may do what ------------------------------------------------------------------------


def can_post(user: CurrentUser | None) -> bool:
    """Enterprise and employer users post for their organisation; admins and coordinators for any."""
    return user is not None and (user.manages_network or user.role in POSTING_ROLES)


def can_post_for(user: CurrentUser | None, organisation_id: int) -> bool:
    return user is not None and can_post(user) and (user.manages_network or user.organisation_id == organisation_id)


def sees_every_status(user: CurrentUser | None, organisation_id: int) -> bool:
    """The organisation's own users and the network managers see its drafts and closed opportunities."""
    return user is not None and (user.manages_network or user.organisation_id == organisation_id)


def can_see(user: CurrentUser | None, opportunity: dict[str, Any]) -> bool:
    return opportunity["status"] == "open" or sees_every_status(user, opportunity["organisation_id"])


def can_see_candidates(user: CurrentUser | None, opportunity: dict[str, Any]) -> bool:
    """Suggested candidates: the posting organisation's users and the network managers only."""
    return sees_every_status(user, opportunity["organisation_id"])


def can_edit(user: CurrentUser | None, opportunity: dict[str, Any]) -> bool:
    """Counsellors only read; posting roles edit their own organisation's, managers any."""
    return can_post_for(user, opportunity["organisation_id"])


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpportunityFilters:
    q: str = ""
    kind: str = ""
    sector: str = ""
    country: str = ""
    region: str = ""
    organisation_id: int | None = None
    statuses: tuple[str, ...] = PUBLIC_STATUSES

    @property
    def active(self) -> bool:
        return any((self.q, self.kind, self.sector, self.country, self.region))


_LIST_COLUMNS = (
    Opportunity.id,
    Opportunity.title,
    Opportunity.kind,
    Opportunity.sector,
    Opportunity.country,
    Opportunity.region,
    Opportunity.municipality,
    Opportunity.hours_per_week,
    Opportunity.starts_on,
    Opportunity.ends_on,
    Opportunity.capacity,
    Opportunity.places_taken,
    Opportunity.status,
    Opportunity.organisation.id.as_alias("organisation_id"),
    Opportunity.organisation.name.as_alias("organisation_name"),
)


def _listed(row: dict[str, Any]) -> dict[str, Any]:
    row["places_left"] = max(0, row["capacity"] - row["places_taken"])
    return row


def _where(filters: OpportunityFilters) -> list:
    conditions = [Opportunity.search_text.like(f"%{word}%") for word in search_words(filters.q)]
    for column, value in (
        (Opportunity.kind, filters.kind),
        (Opportunity.sector, filters.sector),
        (Opportunity.country, filters.country),
        (Opportunity.region, filters.region),
    ):
        if value:
            conditions.append(column == value)
    if filters.organisation_id is not None:
        conditions.append(Opportunity.organisation == filters.organisation_id)
    conditions.append(Opportunity.status.is_in(list(filters.statuses)))
    return conditions


async def search_opportunities(filters: OpportunityFilters, page: int = 1, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """One page of opportunities in ``filters.statuses``, newest first."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    conditions = _where(filters)
    total = await Opportunity.count().where(*conditions)
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(page, pages))
    # The page's ids first, then their rows: a deep page skips its offset in an index alone
    # (opportunity_status_kind_country_created) instead of reading and joining every row before it.
    ids = [
        row["id"]
        for row in await Opportunity.select(Opportunity.id)
        .where(*conditions)
        .order_by(Opportunity.created_at, ascending=False)
        .order_by(Opportunity.id, ascending=False)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ]
    rows = {row["id"]: row for row in await Opportunity.select(*_LIST_COLUMNS).where(Opportunity.id.is_in(ids or [0]))}
    items = [_listed(rows[i]) for i in ids if i in rows]  # one deleted in between is left out
    return Page(items=items, total=total, page=page, per_page=per_page)


@kept_for(FILTER_OPTIONS_SECONDS)
async def filter_options() -> dict[str, Any]:
    """Regions (grouped by country) that hold open opportunities, for the filters."""
    regions: dict[str, list[str]] = {}
    rows = (
        await Opportunity.select(Opportunity.country, Opportunity.region)
        .where(Opportunity.status == "open")
        .distinct()
        .order_by(Opportunity.country)
        .order_by(Opportunity.region)
    )
    for row in rows:
        regions.setdefault(row["country"], []).append(row["region"])
    return {"regions": regions}


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row as plain data: skills decoded, codes split, places left worked out."""
    row["required_skills"] = skill_entries.loads(row["required_skills"])
    row["optional_skills"] = skill_entries.loads(row["optional_skills"])
    row["support_offered"] = split_codes(row["support_offered"])
    row["languages"] = split_codes(row["languages"])
    return _listed(row)


async def get_opportunity(opp_id: int, user: CurrentUser | None) -> dict[str, Any]:
    """One opportunity as plain data, if ``user`` may see it; else ``NotFound``."""
    row = (
        await Opportunity.select(
            *Opportunity.all_columns(
                exclude=[Opportunity.search_text, Opportunity.organisation, Opportunity.created_by]
            ),
            Opportunity.organisation.id.as_alias("organisation_id"),
            Opportunity.organisation.name.as_alias("organisation_name"),
        )
        .where(Opportunity.id == opp_id)
        .first()
    )
    if row is None or not can_see(user, row):
        raise NotFound(opp_id)
    return _plain(row)


# --- changing --------------------------------------------------------------------------------


def search_text_for(values: dict[str, Any], organisation_name: str) -> str:
    """What the search box matches: title, description, place, organisation and skills, folded."""
    labels = " ".join(e["label"] for field in ("required_skills", "optional_skills") for e in values[field])
    parts = (
        values["title"],
        values["description"],
        values["municipality"],
        values["region"],
        organisation_name,
        labels,
    )
    return fold(" ".join(part for part in parts if part))


async def _stored(values: dict[str, Any], organisation_name: str, language: str) -> dict[str, Any]:
    """Checked values as columns: skills matched to the vocabulary and stored as JSON, search text built."""
    stored = dict(values)
    stored.pop("places_taken", None)  # only the referrals code moves it
    for field in ("required_skills", "optional_skills"):
        stored[field] = await recognise(values[field], language)
    required = {skill_entries.skill_key(e) for e in stored["required_skills"]}
    stored["optional_skills"] = [e for e in stored["optional_skills"] if skill_entries.skill_key(e) not in required]
    stored["search_text"] = search_text_for(stored, organisation_name)
    for field in ("required_skills", "optional_skills"):
        stored[field] = skill_entries.dumps(stored[field])
    return stored


async def _organisation_name(organisation_id: int) -> str:
    row = await Organisation.select(Organisation.name).where(Organisation.id == organisation_id).first()
    if row is None:
        raise Conflict("organisation_id", _("Choose an organisation from the list."))
    return row["name"]


async def create_opportunity(
    values: dict[str, Any], organisation_id: int, user: CurrentUser, language: str = "en"
) -> int:
    """Store an opportunity from checked values for ``organisation_id``; return its id."""
    stored = await _stored(values, await _organisation_name(organisation_id), language)
    now = utc_now()
    row = Opportunity(
        **stored, organisation=organisation_id, places_taken=0, created_by=user.id, created_at=now, updated_at=now
    )
    await row.save()
    return row.id


async def update_opportunity(opp_id: int, values: dict[str, Any], language: str = "en") -> None:
    """Change an opportunity; the capacity never drops below the places already taken.

    One conditional statement, so a referral accepted meanwhile cannot slip under the new capacity.
    """
    current = (
        await Opportunity.select(Opportunity.organisation, Opportunity.places_taken)
        .where(Opportunity.id == opp_id)
        .first()
    )
    if current is None:
        raise NotFound(opp_id)
    stored = await _stored(values, await _organisation_name(current["organisation"]), language)
    changes = {getattr(Opportunity, name): value for name, value in stored.items()}
    changes[Opportunity.updated_at] = utc_now()
    changed = (
        await Opportunity.update(changes)
        .where((Opportunity.id == opp_id) & (Opportunity.places_taken <= stored["capacity"]))
        .returning(Opportunity.id)
    )
    if not changed:
        taken = (await Opportunity.select(Opportunity.places_taken).where(Opportunity.id == opp_id).first() or {}).get(
            "places_taken", 0
        )
        raise Conflict("capacity", capacity_message(taken))
