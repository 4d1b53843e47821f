"""SQL pieces the indicators share: month buckets and day differences per engine, scope conditions, medians."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from portal.db.tables import Participant
from portal.indicators.filters import Filters


def is_postgres() -> bool:
    return isinstance(Participant._meta.db, PostgresEngine)


def month_of(column: str) -> str:
    """SQL giving 'YYYY-MM' (UTC) of a timestamp column.

    SQLite keeps timestamps as ISO text ('2026-03-05T10:00:00+00:00', always UTC here), so the
    month is its first seven characters; PostgreSQL formats the instant in UTC."""
    if is_postgres():
        return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM')"
    return f"substr({column}, 1, 7)"


def whole_days_between(start: str, end: str) -> str:
    """SQL giving the whole days from timestamp ``start`` to timestamp ``end``."""
    if is_postgres():
        # date_part gives a double; EXTRACT a numeric, several times slower over many rows.
        return f"CAST(FLOOR(date_part('epoch', {end} - {start}) / 86400) AS INTEGER)"
    # Whole seconds as integers: julianday()'s floating days can fall a hair short of a whole day.
    return f"(CAST(strftime('%s', {end}) AS INTEGER) - CAST(strftime('%s', {start}) AS INTEGER)) / 86400"


async def rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run an aggregate (``{}`` placeholders) on the portal's engine."""
    return await Participant.raw(sql, *args)


class Where:
    """AND-ed conditions with their arguments, in Piccolo's ``{}`` placeholder style."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.args: list[Any] = []

    def add(self, condition: str, *args: Any) -> Where:
        self.parts.append(condition)
        self.args.extend(args)
        return self

    @property
    def sql(self) -> str:
        return " AND ".join(self.parts) if self.parts else "1 = 1"


def people_scope(
    where: Where, f: Filters, participant: str = "p", holder: str = "po", host: str | None = None
) -> Where:
    """Participants in the filtered country (their case holder's), region and organisation.

    With ``host`` (an opportunity's alias), the organisation filter also matches the host of a
    referral: an enterprise's coordinator sees the people it took in as well as its own cases."""
    if f.country:
        where.add(f"{holder}.country = {{}}", f.country)
    if f.region:
        where.add(f"{participant}.region = {{}}", f.region)
    if f.organisation:
        if host:
            where.add(
                f"({participant}.organisation = {{}} OR {host}.organisation = {{}})", f.organisation, f.organisation
            )
        else:
            where.add(f"{participant}.organisation = {{}}", f.organisation)
    return where


def referral_joins(f: Filters, opportunity: bool = False) -> str:
    """The joins from a referral (alias r) that ``people_scope(..., host="o")`` needs for these filters, and
    no more: without a filter, counting events needs neither the participant nor the organisations."""
    joins = []
    if f.country or f.region or f.organisation:
        joins.append("JOIN participant p ON p.id = r.participant JOIN organisation po ON po.id = p.organisation")
    if opportunity or f.organisation:
        joins.append("JOIN opportunity o ON o.id = r.opportunity")
    return " ".join(joins)


def organisation_scope(where: Where, f: Filters, alias: str) -> Where:
    """Organisations (or what they offer) in the filtered country, region and the organisation itself."""
    if f.country:
        where.add(f"{alias}.country = {{}}", f.country)
    if f.region:
        where.add(f"{alias}.region = {{}}", f.region)
    if f.organisation:
        where.add(f"{alias}.id = {{}}", f.organisation)
    return where


def median(histogram: Iterable[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many) pairs, as SQL's GROUP BY returns them.

    >>> median([(3, 1), (10, 2)]), median([(1, 1), (4, 1)]), median([])
    (10, 2.5, None)
    """
    pairs = sorted((value, count) for value, count in histogram if count)
    total = sum(count for _, count in pairs)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # the two middle positions (the same one when odd)
    found: list[int] = []
    seen = 0
    for value, count in pairs:
        while len(found) < 2 and wanted[len(found)] < seen + count:
            found.append(value)
        seen += count
    middle = (found[0] + found[1]) / 2
    return int(middle) if middle == int(middle) else middle
