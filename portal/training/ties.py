"""Training attendance as the network library's records, and the "met at" ties a network snapshot holds."""

from __future__ import annotations

import heapq
from typing import Any

from portal.db.tables import TrainingRegistration

# The network page lists the strongest met-at ties (an organisation's page its first 30, and how many more).
SHOWN_PAIRS = 15


async def attendance_records() -> list[dict[str, Any]]:
    """One record per attendee with an organisation: ``event``, ``on`` (its start) and ``organisation``.

    Only organisations and events: never who attended. Read whole, like the referral flows, by the
    network recompute job (off the request path); ordered by the registration's primary key."""
    rows = (
        await TrainingRegistration.select(
            TrainingRegistration.event.as_alias("event"),
            TrainingRegistration.event.starts_at.as_alias("on"),
            TrainingRegistration.organisation.as_alias("organisation"),
        )
        .where(TrainingRegistration.attended.eq(True) & TrainingRegistration.organisation.is_not_null())
        .order_by(TrainingRegistration.id)
    )
    return rows


def _met(data: dict[str, Any]) -> dict[str, Any]:
    """What a met-at tie says: shared events, their years, and the formal ties beside it."""
    return {
        "events": data["met_at"],
        "years": data.get("met_years") or [],
        "formal": [kind for kind in data.get("kinds", []) if kind not in ("met_at", "referrals")],
    }


def _pair(snapshot: Any, source: Any, target: Any, data: dict[str, Any]) -> dict[str, Any]:
    names = {"source_name": snapshot.name(source), "target_name": snapshot.name(target)}
    return {"source": source, "target": target, **names, **_met(data)}


def _strength(snapshot: Any, source: Any, target: Any, data: dict[str, Any]) -> tuple[int, str, str]:
    """Most shared events first, then by names (ties of equal strength in the stored order)."""
    return -data["met_at"], snapshot.name(source), snapshot.name(target)


def strongest_pairs(snapshot: Any, limit: int = SHOWN_PAIRS) -> tuple[list[dict[str, Any]], int]:
    """The pairs that met at most events, and how many pairs met at all (formally tied or not; kept per snapshot).

    Read from the snapshot's graph: only the pairs shown are kept, not one record per pair."""

    def compute() -> tuple[list[dict[str, Any]], int]:
        met = [(s, t, data) for s, t, data in snapshot.ties.edges() if data.get("met_at")]
        best = heapq.nsmallest(limit, met, key=lambda edge: _strength(snapshot, *edge))
        return [_pair(snapshot, *edge) for edge in best], len(met)

    return snapshot.memo(("met-at-pairs", limit), compute)


def met_by(snapshot: Any, org_id: int) -> list[dict[str, Any]]:
    """The organisations ``org_id`` met at training events, most shared events first: ``id``, ``name``,
    ``events``, ``years``, ``formal`` (from its ties in the snapshot's graph, when asked)."""
    ties = snapshot.ties
    if org_id not in ties.G:
        return []
    met = [
        (org_id, other, data) if ties.is_source(org_id, other) else (other, org_id, data)
        for other, data in ties.G.adj[org_id].items()
        if data.get("met_at")
    ]
    met.sort(key=lambda edge: _strength(snapshot, *edge))
    others = ((target if source == org_id else source, data) for source, target, data in met)
    return [{"id": other, "name": snapshot.name(other), **_met(data)} for other, data in others]
