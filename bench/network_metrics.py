"""Network library speed on a generated network: 10,000 organisations, 50,000 ties, two countries, 30 regions.

Usage: .venv/bin/python bench/network_metrics.py [--organisations N] [--ties M] [--seed S]
Prints seconds per call and the peak resident memory. The target is `summary` (all metrics)
within 30 s on a 2-core machine; machines here are shared, so compare figures within one run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
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
COUNTRIES = {"SI": (12, (45.45, 46.85), (13.4, 16.6)), "HR": (18, (42.4, 46.5), (13.5, 19.4))}


def generate(organisations: int, ties: int, seed: int) -> tuple[list, list, list, list, list]:
    """Organisations, relationships, referral flows, demand and open places."""
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
    demand = [
        {
            "region": o["region"],
            "municipality": o["municipality"],
            "latitude": o["latitude"],
            "longitude": o["longitude"],
            "travel_km": float(rng.choice([10, 20, 30])),
            "count": int(rng.integers(1, 20)),
        }
        for o in orgs
        if o["kind"] == "social_work_centre"
    ]
    places = [
        {
            "organisation_id": o["id"],
            "latitude": o["latitude"],
            "longitude": o["longitude"],
            "places": int(rng.integers(0, 4)),
        }
        for o in orgs
        if o["kind"] in network.HOST_KINDS
    ]
    return orgs, relationships, referrals, demand, places


TARGET_SECONDS = 30  # for summary, from issue 5
_seconds: dict[str, float] = {}


def timed(label: str, call, *args, **kwargs):
    start = time.perf_counter()
    result = call(*args, **kwargs)
    _seconds[label] = time.perf_counter() - start
    print(f"  {label:<46} {_seconds[label]:6.2f} s", flush=True)
    return result


def main(organisations: int, ties: int, seed: int) -> None:
    start = time.perf_counter()
    orgs, relationships, referrals, demand, places = generate(organisations, ties, seed)
    print(
        f"generated {len(orgs):,} organisations, {len(relationships):,} relationships, "
        f"{len(referrals):,} referral flows in {time.perf_counter() - start:.1f} s (seed {seed})"
    )
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
    timed(f"centrality (betweenness, {network.SAMPLED_BETWEENNESS_PIVOTS} pivots)", network.centrality, G, seed=seed)
    timed("communities (Louvain)", network.communities, G, seed=seed)
    timed("cross_border", network.cross_border, G)
    timed("fragility", network.fragility, G)
    timed("weakly_tied", network.weakly_tied, G)
    result = timed("summary (all metrics)", network.summary, G, seed=seed)
    print(
        f"    {len(result['communities'])} communities, {len(result['bridges'])} bridges, "
        f"{len(result['articulation_points'])} articulation points, {len(result['isolated'])} isolated; "
        f"{'within' if _seconds['summary (all metrics)'] <= TARGET_SECONDS else 'OVER'} the {TARGET_SECONDS} s target"
    )
    timed("suggest_partnerships(top=50)", network.suggest_partnerships, G, top=50)
    timed("suggest_partnerships(node=1)", network.suggest_partnerships, G, node=1)
    timed("shortest_chain", network.shortest_chain, G, 1, organisations)
    timed(f"worst_gaps ({len(demand)} demand rows, {len(places)} places)", network.worst_gaps, demand, places, orgs)
    timed("to_json", network.to_json, G)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:,.0f} MB; total {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--ties", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    main(arguments.organisations, arguments.ties, arguments.seed)
