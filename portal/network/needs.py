"""Needs-aware gaps for the network snapshot: rows into `matching` feasibility, its counts into `network.needs`.

Neither library imports the other: the portal reads participants and open places, asks
:func:`matching.feasibility.feasibility` who has a feasible place and why not, counts the
answers per area, place, reach, languages and needs (nothing that names a person), and hands
those counts to :mod:`network.needs` for the per-area report and the changes that would help.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import matching
import network.needs
from matching.feasibility import Feasibility, feasibility
from network.records import HOST_KINDS
from portal.db.tables import Opportunity, Participant
from portal.disclosure import SMALLEST_SHOWN
from portal.network import needs_text
from portal.vocab import split_codes

__all__ = ["NeedsInput", "compute", "load", "person", "place"]

# The snapshot keeps the areas with most people without a place, and the best changes; the API has these whole.
TOP_AREAS = 100
TOP_CHANGES = 50
CHANGES_PER_AREA = 3

PERSON_FIELDS = ("id", "region", "municipality", "latitude", "longitude", "travel_km", "languages", "support_needs")
PLACE_FIELDS = (
    "id",
    "organisation",
    "latitude",
    "longitude",
    "languages",
    "support_offered",
    "starts_on",
    "ends_on",
    "capacity",
    "places_taken",
    "status",
)


@dataclass
class NeedsInput:
    """Active participants and open opportunities, only the columns the hard constraints read."""

    people: list[dict[str, Any]]
    places: list[dict[str, Any]]
    offered: dict[int, set[str]]  # organisation id -> support any of its opportunities offers


async def load(stages: Iterable[str]) -> NeedsInput:
    """Two queries: participants in the given stages, and every opportunity's host, support and state."""
    people = await Participant.select(
        *(getattr(Participant, name) for name in PERSON_FIELDS), Participant.available_from
    ).where(Participant.stage.is_in(list(stages)))
    rows = await Opportunity.select(*(getattr(Opportunity, name) for name in PLACE_FIELDS)).order_by(Opportunity.id)
    offered: dict[int, set[str]] = {}
    for row in rows:
        offered.setdefault(row["organisation"], set()).update(split_codes(row["support_offered"]))
    places = [row for row in rows if row["status"] == "open" and row["places_taken"] < row["capacity"]]
    return NeedsInput(people=[p for p in people if p["region"]], places=places, offered=offered)


def person(row: Mapping[str, Any]) -> matching.Person:
    """A participant row as the hard constraints see it (no skills: they never decide feasibility)."""
    located = row.get("latitude") is not None and row.get("longitude") is not None
    return matching.Person(
        id=row["id"],
        languages=frozenset(split_codes(row.get("languages"))),
        travel_radius_km=row.get("travel_km"),
        location=(row["latitude"], row["longitude"]) if located else None,
        support_needs=frozenset(split_codes(row.get("support_needs"))),
        available_from=row.get("available_from"),
    )


def place(row: Mapping[str, Any]) -> matching.Opportunity:
    """An opportunity row (or a planned one) as the hard constraints see it."""
    located = row.get("latitude") is not None and row.get("longitude") is not None
    return matching.Opportunity(
        id=row["id"],
        languages=frozenset(split_codes(row.get("languages"))),
        location=(row["latitude"], row["longitude"]) if located else None,
        support_offered=frozenset(split_codes(row.get("support_offered"))),
        start=row.get("starts_on"),
        end=row.get("ends_on"),
        capacity=int(row.get("capacity") or 0),
        places_taken=int(row.get("places_taken") or 0),
        status=str(row.get("status") or ""),
    )


def counted(people: list[dict[str, Any]], result: Feasibility) -> list[dict[str, Any]]:
    """People counted per area, place, reach, languages, needs and reasons: the input of `network.needs`."""
    counts: Counter = Counter()
    for row, reasons in zip(people, result.reasons, strict=True):
        counts[
            (
                row["region"],
                row["municipality"] or None,
                row["latitude"],
                row["longitude"],
                None if row["travel_km"] is None else float(row["travel_km"]),
                tuple(sorted(split_codes(row["languages"]))),
                tuple(sorted(split_codes(row["support_needs"]))),
                reasons,
            )
        ] += 1
    return [
        {
            "region": region,
            "municipality": municipality,
            "latitude": lat,
            "longitude": lon,
            "travel_km": km,
            "languages": list(languages),
            "needs": list(needs),
            "reasons": list(reasons),
            "count": n,
        }
        for (region, municipality, lat, lon, km, languages, needs, reasons), n in counts.items()
    ]


def hosts(organisations: Iterable[Mapping[str, Any]], offered: Mapping[int, set[str]]) -> list[dict[str, Any]]:
    """Organisations that host placements (by kind, or because they post opportunities), with their support."""
    return [
        {
            "id": org["id"],
            "latitude": org["latitude"],
            "longitude": org["longitude"],
            "support_offered": sorted(offered.get(org["id"], ())),
        }
        for org in organisations
        if (org.get("kind") in HOST_KINDS or org["id"] in offered) and org.get("latitude") is not None
    ]


def compute(data: NeedsInput, organisations: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Feasibility of every active participant, its counts per area and reason, and the changes that would help."""
    result = feasibility([person(row) for row in data.people], [place(row) for row in data.places])
    rows = counted(data.people, result)
    found = network.needs.needs_gaps(rows, smallest_shown=SMALLEST_SHOWN)
    changes = network.needs.closing_changes(
        rows, hosts(organisations, data.offered), per_area=CHANGES_PER_AREA, smallest_shown=SMALLEST_SHOWN
    )
    return {
        "participants": len(result),
        "without_place": network.needs.suppress(result.unserved, SMALLEST_SHOWN),
        "regions": found["regions"],
        "municipalities": found["municipalities"][:TOP_AREAS],
        "changes": [few_unnamed(change) for change in changes[:TOP_CHANGES]],
    }


def few_unnamed(change: dict[str, Any]) -> dict[str, Any]:
    """A change for fewer than five people without the language they all speak: a count is suppressed
    so as not to point at someone, and a language spoken by one to four people in a municipality would.
    (Every logged-in user reads the network page and its API.) A place asking no language serves them too."""
    if change.get("people") is None and change.get("languages"):
        return {**change, "languages": []}
    return change


def view(snapshot: Any, shown: int) -> dict[str, Any] | None:
    """The needs-aware gaps of a snapshot for the page: areas, changes with their hosts' names, in this language.

    None for a snapshot computed before the gaps were needs-aware."""
    found = snapshot.gaps.get("needs")
    if found is None:
        return None

    def area(row: dict[str, Any]) -> dict[str, Any]:
        reasons = [
            {"code": code, "label": needs_text.reason_label(code), "count": n} for code, n in row["reasons"].items()
        ]
        return {**row, "reason_list": reasons}

    changes = [
        {
            **few_unnamed(change),
            "text": needs_text.change_text(few_unnamed(change)),
            "host_links": [{"id": host, "name": snapshot.name(host)} for host in change["hosts"]],
        }
        for change in found["changes"][:shown]
    ]
    return {
        "participants": found["participants"],
        "without_place": found["without_place"],
        "areas": [area(row) for row in found["municipalities"][:shown]],
        "regions": [area(row) for row in found["regions"]],
        "changes": changes,
    }


def bridge_closers(snapshot: Any, bridges: list[dict[str, Any]]) -> dict[tuple[Any, Any], dict[str, Any]]:
    """For each shown bridge, the partnership that would remove it (kept per snapshot), by (source, target)."""
    if not bridges:
        return {}
    key = ("bridge-closers", tuple((b["source"], b["target"]) for b in bridges))
    found = snapshot.memo(key, lambda: network.needs.bridge_closers(snapshot.nx_graph, bridges))
    return {
        tuple(closer["bridge"]): {
            **closer,
            "source_name": snapshot.name(closer["source"]),
            "target_name": snapshot.name(closer["target"]),
            "text": needs_text.bridge_text(closer, snapshot.name),
        }
        for closer in found
    }
