"""Queries and changes for organisations and their relationships; handlers call only these."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import Where
from piccolo.custom_types import Combinable
from piccolo.querystring import QueryString

from portal.auth.current_user import CurrentUser
from portal.cache import FILTER_OPTIONS_SECONDS, kept_for
from portal.clock import utc_now
from portal.db.tables import Organisation, Relationship
from portal.i18n import gettext as _
from portal.network import jobs as network_jobs
from portal.organisations.validation import PROGRAMME_KINDS
from portal.pagination import Page, clamp_page, first_of
from portal.service_errors import Conflict, NotFound
from portal.text import fold

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
PUBLIC_HIDDEN_FIELDS = ("contact_person",)


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    kind: str = ""
    country: str = ""
    region: str = ""
    municipality: str = ""

    @property
    def active(self) -> bool:
        return any((self.q, self.kind, self.country, self.region, self.municipality))


def search_words(query: str) -> list[str]:
    """Lower-case, diacritic-free words: 'Čakovec' and 'cakovec' find the same organisations."""
    return [word for word in re.split(r"[^0-9a-z]+", fold(query)) if word][:8]


def search_text(values: dict[str, Any]) -> str:
    """The folded text the directory search matches; it starts with the name, so it also sorts."""
    parts = (values.get(name, "") for name in ("name", "municipality", "region", "description", "registry_id"))
    return fold(" ".join(str(p) for p in parts if p))


def _where(filters: DirectoryFilters) -> list[Where]:
    conditions = [Organisation.search_text.like(f"%{word}%") for word in search_words(filters.q)]
    for column, value in (
        (Organisation.kind, filters.kind),
        (Organisation.country, filters.country),
        (Organisation.region, filters.region),
        (Organisation.municipality, filters.municipality),
    ):
        if value:
            conditions.append(column == value)
    return conditions


def _public(row: dict[str, Any], user: CurrentUser | None) -> dict[str, Any]:
    if user is None:
        for name in PUBLIC_HIDDEN_FIELDS:
            row[name] = None
    return row


_LIST_COLUMNS = (
    Organisation.id,
    Organisation.name,
    Organisation.slug,
    Organisation.kind,
    Organisation.country,
    Organisation.region,
    Organisation.municipality,
)


# The directory's order: by the folded name that starts ``search_text`` ('Čakovec' sorts with the Cs on
# both engines), then id. Unfiltered by words, by its first 100 characters, which the index of migration
# 2026-12-04T15:50 holds (the whole text, description included, is too long for one): the list walks
# it instead of sorting 20,000 organisations. Searching, by the whole text: the words' trigram index
# finds the few that match and sorting them is quick, where walking the order index to find them
# took 7 ms instead of 0.8 for a town's name (the planner cannot tell how rare a word is).
ORDER_KEY = "substr(search_text, 1, 100)"


def _in_directory_order(query: Any, searching: bool) -> Any:
    key = Organisation.search_text if searching else QueryString(ORDER_KEY)
    return query.order_by(key).order_by(Organisation.id)


async def search_organisations(filters: DirectoryFilters, page: int = 1, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """One page of the directory, ordered by name."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    conditions = _where(filters)
    count_query = Organisation.count()
    list_query = _in_directory_order(Organisation.select(*_LIST_COLUMNS), searching=bool(search_words(filters.q)))
    if conditions:
        count_query = count_query.where(*conditions)
        list_query = list_query.where(*conditions)
    total = await count_query
    page = clamp_page(page, total, per_page)
    items = await list_query.limit(per_page).offset((page - 1) * per_page)
    return Page(items=items, total=total, page=page, per_page=per_page)


@kept_for(FILTER_OPTIONS_SECONDS)
async def filter_options() -> dict[str, Any]:
    """Regions (grouped by country) and municipalities that hold organisations, for the filters."""
    regions: dict[str, list[str]] = {}
    for row in (
        await Organisation.select(Organisation.country, Organisation.region)
        .distinct()
        .order_by(Organisation.country)
        .order_by(Organisation.region)
    ):
        regions.setdefault(row["country"], []).append(row["region"])
    places = await Organisation.select(Organisation.municipality).distinct().order_by(Organisation.municipality)
    return {"regions": regions, "municipalities": [row["municipality"] for row in places]}


async def get_organisation(org_id: int, user: CurrentUser | None) -> dict[str, Any]:
    row = (
        await Organisation.select(*Organisation.all_columns(exclude=[Organisation.search_text]))
        .where(Organisation.id == org_id)
        .first()
    )
    if row is None:
        raise NotFound(org_id)
    return _public(row, user)


# A picker lists at most this many organisations; typing part of a name narrows the rest.
CHOICES = 20


async def organisation_choices(q: str, chosen: int | None = None) -> tuple[list[dict[str, Any]], bool]:
    """Organisations for a picker, by name, and whether more match than are listed.

    Those whose name, place or registry number hold every word of ``q`` (all of them when it is
    empty), at most :data:`CHOICES`; the ``chosen`` one is always among them, so a form shown
    again keeps its choice. A country has 20,000 organisations, too many for one list.
    """
    columns = (Organisation.id, Organisation.name, Organisation.country, Organisation.municipality)
    conditions = _where(DirectoryFilters(q=q))
    query = Organisation.select(*columns)
    if conditions:
        query = query.where(*conditions)
    rows, more = await first_of(_in_directory_order(query, searching=bool(search_words(q))), CHOICES)
    if chosen is not None and all(row["id"] != chosen for row in rows):
        extra = await Organisation.select(*columns).where(Organisation.id == chosen).first()
        rows = [extra, *rows] if extra else rows
    return rows, more


def _slug_base(name: str) -> str:
    return "-".join(search_words(name))[:100] or "organisation"


async def _unique_slug(name: str) -> str:
    base = _slug_base(name)
    slug, suffix = base, 1
    while await Organisation.exists().where(Organisation.slug == slug):
        suffix += 1
        slug = f"{base}-{suffix}"
    return slug


def free_slug(name: str, taken: set[str]) -> str:
    """The slug :func:`_unique_slug` would give, against a known set of taken slugs (for batch imports)."""
    base = _slug_base(name)
    slug, suffix = base, 1
    while slug in taken:
        suffix += 1
        slug = f"{base}-{suffix}"
    return slug


async def create_organisation(values: dict[str, Any], slug: str | None = None) -> int:
    """Store an organisation from checked values; return its id."""
    now = utc_now()
    row = Organisation(
        **values,
        slug=slug or await _unique_slug(values["name"]),
        search_text=search_text(values),
        created_at=now,
        updated_at=now,
    )
    await row.save()
    network_jobs.request_recompute()
    return row.id


async def update_organisation(org_id: int, values: dict[str, Any]) -> None:
    if not await Organisation.exists().where(Organisation.id == org_id):
        raise NotFound(org_id)
    changes = {getattr(Organisation, name): value for name, value in values.items()}
    changes[Organisation.search_text] = search_text(values)
    changes[Organisation.updated_at] = utc_now()
    await Organisation.update(changes).where(Organisation.id == org_id)
    network_jobs.request_recompute()


def can_edit_organisation(user: CurrentUser | None, org_id: int) -> bool:
    """Coordinators and admins edit any organisation; others only their own."""
    return user is not None and (user.manages_network or user.organisation_id == org_id)


# --- relationships --------------------------------------------------------------------------

_RELATIONSHIP_COLUMNS = (
    Relationship.id,
    Relationship.kind,
    Relationship.since,
    Relationship.until,
    Relationship.strength,
    Relationship.note,
    Relationship.source.id.as_alias("source_id"),
    Relationship.source.name.as_alias("source_name"),
    Relationship.target.id.as_alias("target_id"),
    Relationship.target.name.as_alias("target_name"),
)


async def list_relationships(
    organisation_id: int | None = None, kind: str = "", page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> Page:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    conditions: list[Combinable] = []
    if organisation_id is not None:
        conditions.append((Relationship.source == organisation_id) | (Relationship.target == organisation_id))
    if kind:
        conditions.append(Relationship.kind == kind)
    count_query = Relationship.count()
    list_query = Relationship.select(*_RELATIONSHIP_COLUMNS).order_by(Relationship.id)
    if conditions:
        count_query = count_query.where(*conditions)
        list_query = list_query.where(*conditions)
    total = await count_query
    page = clamp_page(page, total, per_page)
    items = await list_query.limit(per_page).offset((page - 1) * per_page)
    return Page(items=items, total=total, page=page, per_page=per_page)


async def relationships_of(org_id: int) -> list[dict[str, Any]]:
    """All ties of one organisation, each seen from its side: the other party and the direction."""
    rows = await Relationship.select(
        *_RELATIONSHIP_COLUMNS,
        Relationship.source.kind.as_alias("source_kind"),
        Relationship.target.kind.as_alias("target_kind"),
    ).where((Relationship.source == org_id) | (Relationship.target == org_id))
    ties = []
    for row in rows:
        outgoing = row["source_id"] == org_id
        ties.append(
            {
                **row,
                "outgoing": outgoing,
                "other_id": row["target_id"] if outgoing else row["source_id"],
                "other_name": row["target_name"] if outgoing else row["source_name"],
                "other_kind": row["target_kind"] if outgoing else row["source_kind"],
            }
        )
    ties.sort(key=lambda tie: (tie["kind"], fold(tie["other_name"])))
    return ties


async def get_relationship(rel_id: int) -> dict[str, Any]:
    row = await Relationship.select(*_RELATIONSHIP_COLUMNS).where(Relationship.id == rel_id).first()
    if row is None:
        raise NotFound(rel_id)
    return row


async def _check_endpoints(source_id: int, target_id: int, kind: str, exclude_id: int | None = None) -> None:
    if source_id == target_id:
        raise Conflict("target_id", _("An organisation cannot have a relationship with itself."))
    found = await Organisation.count().where(Organisation.id.is_in([source_id, target_id]))
    if found != 2:
        raise Conflict("target_id", _("Choose an organisation from the list."))
    duplicate = Relationship.exists().where(
        (Relationship.source == source_id) & (Relationship.target == target_id) & (Relationship.kind == kind)
    )
    if exclude_id is not None:
        duplicate = duplicate.where(Relationship.id != exclude_id)
    if await duplicate:
        raise Conflict("kind", _("These organisations already have a relationship of this kind."))


def _is_unique_violation(exc: Exception) -> bool:
    # asyncpg's UniqueViolationError and sqlite3's IntegrityError name the index or say UNIQUE.
    text = str(exc)
    return "relationship_source_target_kind" in text or "UNIQUE constraint failed" in text


async def create_relationship(source_id: int, target_id: int, values: dict[str, Any]) -> int:
    await _check_endpoints(source_id, target_id, values["kind"])
    now = utc_now()
    row = Relationship(source=source_id, target=target_id, **values, created_at=now, updated_at=now)
    try:
        await row.save()
    except Exception as exc:
        # Two people adding the same tie at once: the second meets the unique index, not a 500.
        if _is_unique_violation(exc):
            raise Conflict("kind", _("These organisations already have a relationship of this kind.")) from exc
        raise
    network_jobs.request_recompute()
    return row.id


async def update_relationship(rel_id: int, values: dict[str, Any]) -> None:
    current = await get_relationship(rel_id)
    await _check_endpoints(current["source_id"], current["target_id"], values["kind"], exclude_id=rel_id)
    changes = {getattr(Relationship, name): value for name, value in values.items()}
    changes[Relationship.updated_at] = utc_now()
    await Relationship.update(changes).where(Relationship.id == rel_id)
    network_jobs.request_recompute()


async def delete_relationship(rel_id: int) -> None:
    await get_relationship(rel_id)
    await Relationship.delete().where(Relationship.id == rel_id)
    network_jobs.request_recompute()


def can_edit_relationship(user: CurrentUser | None, relationship: dict[str, Any]) -> bool:
    """Network managers edit any tie; an organisation's users edit the ties their organisation is in,
    except programme partnerships, which only coordinators record."""
    if user is None:
        return False
    if user.manages_network:
        return True
    own = user.organisation_id in (relationship["source_id"], relationship["target_id"])
    return own and relationship.get("kind") not in PROGRAMME_KINDS


def programme_kind_error(user: CurrentUser | None, kind: str) -> dict[str, str]:
    if user is not None and not user.manages_network and kind in PROGRAMME_KINDS:
        return {"kind": _("Only a coordinator records programme partnerships.")}
    return {}
