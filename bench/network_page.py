"""The network page and its graph API at the scale of a country: 20,000 organisations and 100,000 ties.

Usage: .venv/bin/python bench/network_page.py [--organisations N] [--ties M] [--requests R] [--seed S]
       [--cache FILE]

A generated network (the real municipalities of Slovenia and Croatia, names with diacritics, most
ties within a region, a few hubs) goes through `portal.network.services.compute_all`, as the
background job would, and is stored as the newest `network_snapshot` row of a fresh SQLite file;
computing it takes a minute or two, so the result is kept in --cache (default: a file in the
system's temporary folder named after the sizes and the seed) and read back on the next run.
Then a logged-in coordinator asks each case once to warm the caches, and R times in sequence
through the ASGI app (httpx.ASGITransport, no network). It prints the response size and the
p50/p95 latency of each case; cases the code under test does not have (404) are skipped.
Machines here are shared and noisy: compare figures within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_data_dir = tempfile.mkdtemp(prefix="portal-bench-")
os.environ.update(
    PORTAL_ENV="test",
    PORTAL_DATA_DIR=_data_dir,
    PORTAL_SECRET_KEY="bench-secret-key-0123456789abcdef0123",
    PORTAL_DATABASE_URL=f"sqlite:///{_data_dir}/bench.sqlite3",
)

import httpx
import numpy as np

from portal.app import create_app
from portal.db.migrate import migrate_database

# kind: (share of organisations, relative activity: how many ties it tends to have)
KINDS = {
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
NAMES = {
    "employer": "Podjetje",
    "ngo": "Društvo",
    "social_enterprise": "Zadruga",
    "municipality": "Občina",
    "adult_education": "Ljudska univerza",
    "health_provider": "Zdravstveni dom",
    "social_work_centre": "Center za socialno delo",
    "employment_office": "Zavod za zaposlovanje",
    "development_agency": "Razvojna agencija",
    "research": "Inštitut",
    "ministry": "Ministrstvo",
    "other": "Združenje",
}
TIE_KINDS = ("project_partner", "associated_partner", "referral_agreement", "cooperation", "funding", "membership")


def generate(organisations: int, ties: int, seed: int):
    """`services.Records` of a generated network: 75% of ties within a region, 20% within a country, 5% across."""
    from portal.geo import places
    from portal.network import services

    rng = np.random.default_rng(seed)
    towns = places()
    kinds = list(KINDS)
    kind = rng.choice(len(kinds), size=organisations, p=[share for share, _ in KINDS.values()])
    town = rng.integers(len(towns), size=organisations)
    orgs = [
        {
            "id": i + 1,
            "name": f"{NAMES[kinds[kind[i]]]} {towns[town[i]].name} {i + 1}",
            "kind": kinds[kind[i]],
            "country": towns[town[i]].country,
            "region": towns[town[i]].region,
            "municipality": towns[town[i]].name,
            "latitude": round(towns[town[i]].latitude + float(rng.normal(0, 0.03)), 5),
            "longitude": round(towns[town[i]].longitude + float(rng.normal(0, 0.03)), 5),
        }
        for i in range(organisations)
    ]
    activity = np.array([KINDS[kinds[k]][1] for k in kind])
    region_keys = [(t.country, t.region) for t in towns]
    region_of = np.array([sorted(set(region_keys)).index(region_keys[t]) for t in town])
    country_of = np.array([towns[t].country == "SI" for t in town])
    pools = {("region", r): np.flatnonzero(region_of == r) for r in set(region_of.tolist())}
    pools |= {("country", c): np.flatnonzero(country_of == c) for c in (True, False)}
    weights = {key: activity[members] / activity[members].sum() for key, members in pools.items()}
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < ties:
        batch = int((ties - len(pairs)) * 1.1) + 100
        sources = rng.choice(organisations, size=batch, p=activity / activity.sum())
        scope = rng.choice(3, size=batch, p=(0.75, 0.20, 0.05))
        keys = [
            ("region", int(region_of[s])) if m == 0 else ("country", bool(country_of[s] ^ (m == 2)))
            for s, m in zip(sources.tolist(), scope.tolist(), strict=True)
        ]
        chosen_by_key: dict[tuple, list[int]] = {}
        for i, key in enumerate(keys):
            chosen_by_key.setdefault(key, []).append(i)
        for key, chosen in chosen_by_key.items():
            targets = rng.choice(pools[key], size=len(chosen), p=weights[key])
            for i, target in zip(chosen, targets.tolist(), strict=True):
                source = int(sources[i])
                if target != source:
                    pairs.add((min(source, target) + 1, max(source, target) + 1))
    chosen = sorted(pairs)[:ties]
    tie_kind = rng.choice(len(TIE_KINDS), size=len(chosen), p=(0.15, 0.10, 0.20, 0.40, 0.05, 0.10))
    relationships = [
        {
            "id": n + 1,
            "source": u,
            "target": v,
            "kind": TIE_KINDS[tie_kind[n]],
            "since": dt.date(2015, 1, 1),
            "until": None,
            "strength": int(rng.integers(1, 6)),
        }
        for n, (u, v) in enumerate(chosen)
    ]
    return services.Records(organisations=orgs, relationships=relationships, flows=[], demand=[], places=[])


def snapshot_texts(organisations: int, ties: int, seed: int, cache: Path) -> dict[str, str]:
    if cache.exists():
        print(f"snapshot read from {cache}")
        return json.loads(cache.read_text())
    from portal.network import services

    start = time.perf_counter()
    records = generate(organisations, ties, seed)
    print(f"generated {len(records.organisations):,} organisations, {len(records.relationships):,} ties", flush=True)
    texts = services.compute_all(records)
    print(f"computed the snapshot in {time.perf_counter() - start:.0f} s; kept in {cache}")
    cache.write_text(json.dumps(texts))
    return texts


async def store(texts: dict[str, str]) -> None:
    from portal.db.tables import NetworkSnapshot

    now = dt.datetime.now(dt.UTC)
    await NetworkSnapshot.insert(
        NetworkSnapshot(status="done", progress=100, started_at=now, finished_at=now, error="", **texts)
    )


async def log_in(client: httpx.AsyncClient) -> None:
    import re

    from portal.auth.accounts import create_user
    from portal.db.tables import Organisation

    rows = await Organisation.insert(
        Organisation(name="Bench home", slug="bench-home", kind="ngo", country="SI", region="Podravska")
    )
    await create_user("bench", "bench-pass-123456", "coordinator", "bench-home")
    page = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    response = await client.post(
        "/login", data={"username": "bench", "password": "bench-pass-123456", "_csrf_token": token}
    )
    assert response.status_code == 303, (response.status_code, response.text[:300])
    assert rows


def cases(texts: dict[str, str]) -> dict[str, tuple[str, dict[str, str]]]:
    """What to ask, with a region, a hub and a name fragment taken from the generated network."""
    summary = json.loads(texts["summary"])
    rows = summary["organisations"]
    hub = max(rows, key=lambda row: row["degree"])
    region = Counter(row["region"] for row in rows).most_common(1)[0][0]  # the largest
    htmx = {"HX-Request": "true"}
    return {
        "network page (full)": ("/network/", {}),
        "sorted by name, page 2 (full)": ("/network/?sort=name&page=2", {}),
        "sorted by ties, page 2 (htmx)": ("/network/?sort=degree&page=2", htmx),
        "API organisations, page 2": ("/api/v1/network/organisations?sort=pagerank&page=2", {}),
        "graph API, no filter": ("/api/v1/network/graph", {}),
        f"graph API, region={region}": (f"/api/v1/network/graph?region={region}", {}),
        "graph API, kind=ministry": ("/api/v1/network/graph?kind=ministry", {}),
        f"graph API, focus on the hub (degree {hub['degree']})": (f"/api/v1/network/graph?focus={hub['id']}", {}),
        "graph API, focus on the hub, 3 ties away": (f"/api/v1/network/graph?focus={hub['id']}&depth=3", {}),
        "search 'cakovec'": ("/api/v1/network/search?q=cakovec", {}),
        "search 'zavod'": ("/api/v1/network/search?q=zavod", {}),
        "panel of the hub (htmx)": (f"/network/panel/{hub['id']}", htmx),
    }


async def main(organisations: int, ties: int, requests: int, seed: int, cache: Path | None) -> None:
    import logging

    logging.disable(logging.INFO)
    cache = cache or Path(tempfile.gettempdir()) / f"portal-network-snapshot-{organisations}-{ties}-{seed}.json"
    texts = snapshot_texts(organisations, ties, seed, cache)
    await migrate_database()
    await store(texts)
    app = create_app()
    results = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        await log_in(client)
        for name, (path, headers) in cases(texts).items():
            start = time.perf_counter()
            first = await client.get(path, headers=headers)  # loads the snapshot, warms caches and templates
            cold = (time.perf_counter() - start) * 1000
            if first.status_code == 404 and "/search" in path:
                results.append((name, None, None, None, None))
                continue
            assert first.status_code == 200, (path, first.status_code, first.text[:300])
            timings = []
            for _ in range(requests):
                start = time.perf_counter()
                response = await client.get(path, headers=headers)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            timings.sort()
            p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
            results.append((name, len(first.content), cold, statistics.median(timings), p95))
    print(f"{organisations:,} organisations, {ties:,} ties; {requests} sequential requests per case (ms)")
    print(f"  {'case':<52} {'bytes':>10} {'first':>8} {'p50':>8} {'p95':>8}")
    for name, size, cold, p50, p95 in results:
        if size is None:
            print(f"  {name:<52} {'(no such route)':>10}")
        else:
            print(f"  {name:<52} {size:>10,} {cold:8.1f} {p50:8.1f} {p95:8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=20_000)
    parser.add_argument("--ties", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--cache", type=Path, default=None, help="where the computed snapshot is kept between runs")
    args = parser.parse_args()
    asyncio.run(main(args.organisations, args.ties, args.requests, args.seed, args.cache))
