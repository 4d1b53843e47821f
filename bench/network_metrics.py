"""Network library speed on a generated network: 10,000 organisations, 50,000 ties, two countries, 30 regions.

Usage: .venv/bin/python bench/network_metrics.py [--organisations N] [--ties M] [--participants P]
       [--places Q] [--person-level] [--exact] [--old-gaps] [--skip-recompute] [--seed S]
Country scale (issue 15): --organisations 20000 --ties 100000 (200,000 participants and
100,000 open places follow), with --person-level for participants at their own coordinates.
Prints wall and CPU seconds per call and the peak resident memory: first the portal's whole
recompute (target 60 s and 1 GB), then the library calls one by one, betweenness before and
now against exact, and placement_gaps before (--old-gaps: the dense implementation, minutes)
and now. The target for `summary` (all metrics) is 30 s on a 2-core machine; machines here are
shared, so compare figures within one run, and CPU seconds across runs.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import network

KINDS = {  # kind: (share of organisations, how many ties it tends to have, relative)
    "employer": (0.30, 1.0),
    "ngo": (0.20, 1.5),
    "social_enterprise": (0.10, 2.0),
    "municipality": (0.06, 3.0),
    "adult_education": (0.06, 1.5),
    "health_provider": (0.06, 1.0),
    "social_work_centre": (0.06, 5.0),
    "employment_office": (0.03, 5.0),
    "development_agency": (0.03, 4.0),
    "research": (0.02, 2.0),
    "ministry": (0.005, 20.0),
    "other": (0.075, 0.5),
}
RELATIONSHIP_KINDS = (network.RELATIONSHIP_KINDS, (0.15, 0.10, 0.20, 0.40, 0.05, 0.10))
TRAVEL_KM = (5, 10, 15, 20, 30, 50)  # what the demo's participants say they can travel
COUNTRIES = {"SI": (12, (45.45, 46.85), (13.4, 16.6)), "HR": (18, (42.4, 46.5), (13.5, 19.4))}


def generate(organisations: int, ties: int, seed: int) -> tuple[list, list, list]:
    """Organisations, relationships and referral flows."""
    rng = np.random.default_rng(seed)
    regions = []  # (country, name, latitude, longitude)
    for country, (count, (lat_low, lat_high), (lon_low, lon_high)) in COUNTRIES.items():
        for number in range(1, count + 1):
            regions.append(
                (country, f"{country} region {number}", rng.uniform(lat_low, lat_high), rng.uniform(lon_low, lon_high))
            )
    kinds = list(KINDS)
    kind = rng.choice(len(kinds), size=organisations, p=[share for share, _ in KINDS.values()])
    region = rng.integers(len(regions), size=organisations)
    lat = np.array([regions[r][2] for r in region]) + rng.normal(0, 0.15, organisations)
    lon = np.array([regions[r][3] for r in region]) + rng.normal(0, 0.2, organisations)
    orgs = [
        {
            "id": i + 1,
            "name": f"{kinds[kind[i]].replace('_', ' ').title()} {i + 1}",
            "kind": kinds[kind[i]],
            "country": regions[region[i]][0],
            "region": regions[region[i]][1],
            "municipality": f"{regions[region[i]][1]} / place {i % 12}",
            "latitude": round(float(lat[i]), 5),
            "longitude": round(float(lon[i]), 5),
        }
        for i in range(organisations)
    ]

    # Ties: 75% within the region, 20% within the country, 5% across the border; active
    # organisations (ministries, social work centres...) are picked more often at both ends.
    activity = np.array([KINDS[kinds[k]][1] for k in kind])
    country_of = np.array([regions[r][0] == "SI" for r in region])
    pools = {("region", r): np.flatnonzero(region == r) for r in range(len(regions))}
    pools |= {("country", c): np.flatnonzero(country_of == c) for c in (True, False)}
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < ties:
        batch = int((ties - len(pairs)) * 1.1) + 100
        sources = rng.choice(organisations, size=batch, p=activity / activity.sum())
        scope = rng.choice(3, size=batch, p=(0.75, 0.20, 0.05))
        keys = [
            ("region", region[s]) if m == 0 else ("country", country_of[s] ^ (m == 2))
            for s, m in zip(sources, scope, strict=True)
        ]
        for key in dict.fromkeys(keys):  # first-seen order: a set of str keys would vary per process
            members = pools[key]
            chosen = [i for i, k in enumerate(keys) if k == key]
            weights = activity[members] / activity[members].sum()
            for i, target in zip(chosen, rng.choice(members, size=len(chosen), p=weights), strict=True):
                if sources[i] != target:
                    pairs.add((int(min(sources[i], target)) + 1, int(max(sources[i], target)) + 1))
    pairs_list = sorted(pairs)[:ties]
    rng.shuffle(pairs_list)
    relationship_kinds = rng.choice(len(RELATIONSHIP_KINDS[0]), size=ties, p=RELATIONSHIP_KINDS[1])
    start = date(2010, 1, 1)
    since = rng.integers(0, 15 * 365, size=ties)
    ended = rng.random(ties) < 0.1
    relationships = [
        {
            "id": n + 1,
            "source": u,
            "target": v,
            "kind": RELATIONSHIP_KINDS[0][relationship_kinds[n]],
            "since": start + timedelta(days=int(since[n])),
            "until": start + timedelta(days=int(since[n]) + 400) if ended[n] else None,
            "strength": int(rng.integers(1, 6)),
        }
        for n, (u, v) in enumerate(pairs_list)
    ]

    referrers = np.flatnonzero(np.isin(kind, [kinds.index(k) for k in network.REFERRER_KINDS]))
    hosts = np.flatnonzero(np.isin(kind, [kinds.index(k) for k in network.HOST_KINDS]))
    referrals = []
    for r in range(len(regions)):
        here_referrers, here_hosts = referrers[region[referrers] == r], hosts[region[hosts] == r]
        for source in here_referrers:
            for target in rng.choice(here_hosts, size=min(8, len(here_hosts)), replace=False):
                referrals.append(
                    {
                        "source": int(source) + 1,
                        "target": int(target) + 1,
                        "at": date(2023, 1, 1) + timedelta(days=int(rng.integers(730))),
                        "count": int(rng.integers(1, 6)),
                    }
                )
    return orgs, relationships, referrals


def generate_people(orgs: list[dict], participants: int, places: int, person_level: bool, seed: int):
    """Participants looking for a place (the portal's columns) and open places of host organisations.

    Participants live around a social work centre (about 9 km apart), 3% without a location;
    without ``person_level`` their coordinates are rounded to 0.1 degree, as an address-free
    register would keep them. Each open-place row is one opportunity near a host organisation
    (about 2 km away, 2% without a location) with 1 to 3 places.
    """
    rng = np.random.default_rng(seed + 1)
    decimals = 5 if person_level else 1
    centres = [o for o in orgs if o["kind"] == "social_work_centre"]
    centre = rng.integers(len(centres), size=participants)
    lat = np.array([centres[c]["latitude"] for c in centre]) + rng.normal(0, 0.08, participants)
    lon = np.array([centres[c]["longitude"] for c in centre]) + rng.normal(0, 0.11, participants)
    travel = rng.choice(TRAVEL_KM, size=participants)
    located = rng.random(participants) >= 0.03
    people = [
        {
            "region": centres[c]["region"],
            "municipality": centres[c]["municipality"],
            "latitude": round(float(lat[i]), decimals) if located[i] else None,
            "longitude": round(float(lon[i]), decimals) if located[i] else None,
            "travel_km": int(travel[i]),
        }
        for i, c in enumerate(centre)
    ]
    hosts = [o for o in orgs if o["kind"] in network.HOST_KINDS]
    host = rng.integers(len(hosts), size=places)
    lat = np.array([hosts[h]["latitude"] for h in host]) + rng.normal(0, 0.02, places)
    lon = np.array([hosts[h]["longitude"] for h in host]) + rng.normal(0, 0.025, places)
    located = rng.random(places) >= 0.02
    capacity = rng.integers(1, 4, size=places)
    opportunities = [
        {
            "organisation": hosts[h]["id"],
            "latitude": round(float(lat[i]), 5) if located[i] else None,
            "longitude": round(float(lon[i]), 5) if located[i] else None,
            "capacity": int(capacity[i]),
            "places_taken": 0,
        }
        for i, h in enumerate(host)
    ]
    return people, opportunities


def demand_of(people: list[dict]) -> list[dict]:
    """Participants counted per place and travel distance (as ``portal.network.services.demand`` counts them in SQL)."""
    counts = Counter(
        (p["region"], p["municipality"], p["latitude"], p["longitude"], float(p["travel_km"])) for p in people
    )
    return [
        {"region": r, "municipality": m, "latitude": lat, "longitude": lon, "travel_km": km, "count": n}
        for (r, m, lat, lon, km), n in counts.items()
    ]


def open_places(opportunities: list[dict]) -> list[dict]:
    """Places left per organisation and location (as ``portal.network.services.open_places`` counts them in SQL)."""
    counts = Counter()
    for o in opportunities:
        counts[o["organisation"], o["latitude"], o["longitude"]] += o["capacity"] - o["places_taken"]
    return [
        {"organisation_id": org, "latitude": lat, "longitude": lon, "places": n}
        for (org, lat, lon), n in counts.items()
    ]


def dense_placement_gaps(demand, places) -> dict[str, list[dict]]:
    """`network.placement_gaps` as it was before the spatial index: every demand row against every place.

    Kept here only as the "before" figure and a cross-check; it builds a rows x places distance
    matrix in chunks of 1,024 rows.
    """
    rows = [network.gaps._demand_row(n, row) for n, row in enumerate(demand)]
    offered = [r for r in (network.gaps._places_row(n, row) for n, row in enumerate(places)) if r is not None]
    place_lat = np.array([r[0] for r in offered], dtype=float)
    place_lon = np.array([r[1] for r in offered], dtype=float)
    place_count = np.array([r[2] for r in offered], dtype=np.int64)
    region_keys = sorted({(row["region"],) for row in rows})
    municipality_keys = sorted({(row["region"], row["municipality"] or "") for row in rows})
    region_index = {key: i for i, key in enumerate(region_keys)}
    municipality_index = {key: i for i, key in enumerate(municipality_keys)}
    region_reach = np.zeros((len(region_keys), len(offered)), dtype=bool)
    municipality_reach = np.zeros((len(municipality_keys), len(offered)), dtype=bool)
    located = [row for row in rows if row["latitude"] is not None and row["longitude"] is not None]
    reaches_any = np.zeros(len(located), dtype=bool)
    for start in range(0, len(located), 1024):
        chunk = located[start : start + 1024]
        lat = np.array([row["latitude"] for row in chunk], dtype=float)
        lon = np.array([row["longitude"] for row in chunk], dtype=float)
        travel = np.array([row["travel_km"] for row in chunk], dtype=float)
        within = (
            network.haversine_km(lat[:, None], lon[:, None], place_lat[None, :], place_lon[None, :]) <= travel[:, None]
        )
        reaches_any[start : start + len(chunk)] = within.any(axis=1)
        np.logical_or.at(region_reach, [region_index[(row["region"],)] for row in chunk], within)
        keys = [municipality_index[(row["region"], row["municipality"] or "")] for row in chunk]
        np.logical_or.at(municipality_reach, keys, within)

    def report(keys, key_of, reach, fields):
        totals = {key: {"participants": 0, "unlocated": 0, "without_places": 0} for key in keys}
        for row in rows:
            totals[key_of(row)]["participants"] += row["count"]
            if row["latitude"] is None or row["longitude"] is None:
                totals[key_of(row)]["unlocated"] += row["count"]
        for row, reached in zip(located, reaches_any, strict=True):
            if not reached:
                totals[key_of(row)]["without_places"] += row["count"]
        result = []
        for i, key in enumerate(keys):
            within_reach, participants = int(place_count[reach[i]].sum()), totals[key]["participants"]
            result.append(
                {
                    **{field: value or None for field, value in zip(fields, key, strict=True)},
                    **totals[key],
                    "places_within_reach": within_reach,
                    "ratio": within_reach / participants if participants else None,
                }
            )
        return result

    return {
        "regions": report(region_keys, lambda row: (row["region"],), region_reach, ("region",)),
        "municipalities": report(
            municipality_keys,
            lambda row: (row["region"], row["municipality"] or ""),
            municipality_reach,
            ("region", "municipality"),
        ),
    }


TARGET_SECONDS = 30  # for summary, from issue 5
RECOMPUTE_TARGET = (60, 1024)  # seconds and MB for the portal's whole recompute, from issue 15
_seconds: dict[str, float] = {}


def timed(label: str, call, *args, **kwargs):
    """Call, print wall and CPU seconds (machines are shared: CPU time is the steadier figure)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = call(*args, **kwargs)
    _seconds[label] = time.perf_counter() - start
    print(f"  {label:<66} {_seconds[label]:7.2f} s  (CPU {time.process_time() - cpu:6.2f} s)", flush=True)
    return result


def megabytes() -> float:
    """Peak resident memory of this process so far (ru_maxrss)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def recompute(orgs, relationships, referrals, people, opportunities) -> None:
    """The portal's whole background recompute (`compute_all`) on these records, as the job runs it."""
    try:
        from portal.network import services
    except ImportError as error:  # the library alone is installed
        print(f"  (portal not importable, recompute skipped: {error})")
        return
    records = services.Records(
        organisations=orgs,
        relationships=relationships,
        flows=[{"source": r["source"], "target": r["target"], "at": r["at"], "count": r["count"]} for r in referrals],
        demand=demand_of(people),
        places=open_places(opportunities),
    )
    before = megabytes()
    timed("recompute (portal.network.services.compute_all)", services.compute_all, records)
    seconds, peak = _seconds["recompute (portal.network.services.compute_all)"], megabytes()
    print(
        f"    peak memory {peak:,.0f} MB (the records alone {before:,.0f} MB); "
        f"{'within' if seconds <= RECOMPUTE_TARGET[0] and peak <= RECOMPUTE_TARGET[1] else 'OVER'} "
        f"the {RECOMPUTE_TARGET[0]} s / {RECOMPUTE_TARGET[1]:,} MB target"
    )


def top(values: dict, count: int = 100) -> set:
    """The ``count`` nodes with the highest values (ties by node id)."""
    return set(sorted(values, key=lambda node: (-values[node], node))[:count])


def betweenness(G, seed: int, exact_too: bool) -> None:
    """Betweenness before (networkx, 64 pivots) and now (the budget's pivots), against exact."""
    import networkx as nx

    pivots = network.betweenness_pivots(G.number_of_nodes(), G.number_of_edges())
    before = timed("betweenness before: networkx, 64 pivots", nx.betweenness_centrality, G, k=64, seed=seed)
    label = f"betweenness now: {'exact' if pivots is None else f'{pivots:,} pivots'}"
    now = {node: row["betweenness"] for node, row in timed(label, network.centrality, G, seed=seed).items()}
    if pivots is None:
        exact = now
    elif exact_too:
        found = timed("betweenness exact (for the overlap)", network.centrality, G, k=len(G))
        exact = {node: row["betweenness"] for node, row in found.items()}
    else:
        print("    (no exact betweenness to compare with: pass --exact)")
        return
    best = top(exact)
    print(f"    top 100 found among the exact top 100: before {len(top(before) & best)}, now {len(top(now) & best)}")


def gaps(demand, places, old_too: bool) -> None:
    """`placement_gaps` now, and the dense implementation it replaced (with a check they agree)."""
    located = sum(1 for row in demand if row["latitude"] is not None)
    label = f"placement_gaps ({len(demand):,} demand rows, {located:,} located, {len(places):,} places)"
    now = timed(label, network.placement_gaps, demand, places)
    if old_too:
        before = timed("placement_gaps before (dense rows x places)", dense_placement_gaps, demand, places)
        print(f"    same result: {before == now}")


def main(arguments: argparse.Namespace) -> None:
    start = time.perf_counter()
    orgs, relationships, referrals = generate(arguments.organisations, arguments.ties, arguments.seed)
    people, opportunities = generate_people(
        orgs, arguments.participants, arguments.places, arguments.person_level, arguments.seed
    )
    demand, places = demand_of(people), open_places(opportunities)
    print(
        f"generated {len(orgs):,} organisations, {len(relationships):,} relationships, "
        f"{len(referrals):,} referral flows, {len(people):,} participants "
        f"({'own coordinates' if arguments.person_level else 'coordinates rounded to 0.1 degree'}: "
        f"{len(demand):,} demand rows), {len(places):,} open-place rows "
        f"in {time.perf_counter() - start:.1f} s (seed {arguments.seed}); {megabytes():,.0f} MB"
    )
    if not arguments.skip_recompute:
        recompute(orgs, relationships, referrals, people, opportunities)
    G = timed(
        "build_graph (referrals in one year)",
        network.build_graph,
        orgs,
        relationships,
        referrals,
        window=(date(2023, 6, 1), date(2024, 5, 31)),
    )
    print(f"    {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges (pairs tied or referring)")
    timed("build_graph(on=a day)", network.build_graph, orgs, relationships, referrals, on=date(2024, 6, 1))
    betweenness(G, arguments.seed, arguments.exact)
    timed("communities (Louvain)", network.communities, G, seed=arguments.seed)
    timed("cross_border", network.cross_border, G)
    timed("fragility", network.fragility, G)
    timed("weakly_tied", network.weakly_tied, G)
    result = timed("summary (all metrics)", network.summary, G, seed=arguments.seed)
    print(
        f"    {len(result['communities'])} communities, {len(result['bridges'])} bridges, "
        f"{len(result['articulation_points'])} articulation points, {len(result['isolated'])} isolated; "
        f"{'within' if _seconds['summary (all metrics)'] <= TARGET_SECONDS else 'OVER'} the {TARGET_SECONDS} s target"
    )
    timed("suggest_partnerships(top=50)", network.suggest_partnerships, G, top=50)
    timed("suggest_partnerships(node=1)", network.suggest_partnerships, G, node=1)
    timed("suggest_network_wide (top 50, 5 per organisation)", network.suggest_network_wide, G)
    timed("shortest_chain", network.shortest_chain, G, 1, arguments.organisations)
    gaps(demand, places, arguments.old_gaps)
    timed("worst_gaps", network.worst_gaps, demand, places, orgs)
    timed("to_json", network.to_json, G)
    print(f"peak memory (max RSS): {megabytes():,.0f} MB; total {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--ties", type=int, default=50_000)
    parser.add_argument("--participants", type=int, help="participants looking for a place (10 per organisation)")
    parser.add_argument("--places", type=int, help="open-place rows, one per opportunity (5 per organisation)")
    parser.add_argument(
        "--person-level", action="store_true", help="participants at their own coordinates, not rounded to 0.1 degree"
    )
    parser.add_argument("--exact", action="store_true", help="also exact betweenness when sampled, for the overlap")
    parser.add_argument("--old-gaps", action="store_true", help="also the dense placement_gaps it replaced (slow)")
    parser.add_argument("--skip-recompute", action="store_true", help="not the portal's whole recompute")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    arguments.participants = 10 * arguments.organisations if arguments.participants is None else arguments.participants
    arguments.places = 5 * arguments.organisations if arguments.places is None else arguments.places
    main(arguments)
