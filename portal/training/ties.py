"""Training attendance as the network library's records, and the "met at" ties a network snapshot holds."""

from __future__ import annotations

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


def _edges(snapshot: Any) -> list[dict[str, Any]]:
    """The snapshot's met-at edges (formally tied or not), most shared events first, then by names."""

    def compute() -> list[dict[str, Any]]:
        found = []
        for edge in snapshot.graph["elements"]["edges"]:
            data = edge["data"]
            if data.get("met_at"):
                source, target = int(data["source"]), int(data["target"])
                found.append(
                    {
                        "source": source,
                        "target": target,
                        "source_name": snapshot.name(source),
                        "target_name": snapshot.name(target),
                        "events": data["met_at"],
                        "years": data.get("met_years") or [],
                        "formal": [kind for kind in data.get("kinds", []) if kind not in ("met_at", "referrals")],
                    }
                )
        found.sort(key=lambda pair: (-pair["events"], pair["source_name"], pair["target_name"]))
        return found

    return snapshot.memo("met-at-edges", compute)


def strongest_pairs(snapshot: Any, limit: int = SHOWN_PAIRS) -> tuple[list[dict[str, Any]], int]:
    """The pairs that met at most events, and how many pairs met at all."""
    edges = _edges(snapshot)
    return edges[:limit], len(edges)


def met_by(snapshot: Any, org_id: int) -> list[dict[str, Any]]:
    """The organisations ``org_id`` met at training events, most shared events first: ``id``, ``name``,
    ``events``, ``years``, ``formal`` (kept per snapshot)."""

    def compute() -> dict[int, list[dict[str, Any]]]:
        by_node: dict[int, list[dict[str, Any]]] = {}
        for pair in _edges(snapshot):
            for own, other in (("source", "target"), ("target", "source")):
                by_node.setdefault(pair[own], []).append(
                    {
                        "id": pair[other],
                        "name": pair[f"{other}_name"],
                        "events": pair["events"],
                        "years": pair["years"],
                        "formal": pair["formal"],
                    }
                )
        return by_node

    return snapshot.memo("met-at-by-node", compute).get(org_id, [])
