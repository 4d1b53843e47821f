"""The indicators page, its downloads, the report and the public summary on the scale data (PostgreSQL).

Usage: .venv/bin/python bench/indicators.py --database-url postgresql://postgres@127.0.0.1:5432/portal_scale
       [--requests 20] [--region Podravska] [--summary fresh|live|as-found]

Load the database with bench/scale_data.py first (the URL may also come from PORTAL_BENCH_DATABASE_URL;
without either the script says so and exits). It applies any missing migration (the indicators'
indexes among them), logs in as the demo coordinator (password "demo") through the login form and
asks each case once to warm up, then --requests times in sequence through the ASGI app
(httpx.ASGITransport, with the same bounded pool `portal serve` opens), dropping the kept figures
(portal.cache) before each request so that every answer computes them. It prints the response
size, p50/p95 in milliseconds and the time of one more request that finds the figures kept, then
how long each indicator section's aggregates take alone, then each aggregate (p50 of five), so a slow one can
be found. Machines here are shared and noisy:
compare figures within one run. --summary fresh (the default) first rebuilds the indicators' monthly
summary (portal/indicators/monthly.py, as the indicator_summary job does) and prints how long that took;
--summary live drops its state so that every figure is computed from the events (as before the summary
existed, or while it is stale); as-found leaves it as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale_database import use_scale_database


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("PORTAL_BENCH_DATABASE_URL", ""))
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--region", default="Podravska", help="the region of the filtered cases")
    parser.add_argument("--summary", choices=("fresh", "live", "as-found"), default="fresh")
    return parser.parse_args()


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def main(args: argparse.Namespace) -> None:
    import logging

    import httpx

    from portal import cache
    from portal.app import create_app
    from portal.db.engine import close_pool, open_pool
    from portal.db.migrate import migrate_database
    from portal.db.piccolo_conf import DB
    from portal.indicators.filters import default_filters
    from portal.indicators.model import SECTIONS
    from portal.indicators.pages import SHOWN_SECTIONS

    assert SHOWN_SECTIONS

    logging.disable(logging.INFO)
    await migrate_database()
    app = create_app()
    await open_pool(DB)
    from portal.indicators import monthly

    summary_note = args.summary
    if args.summary == "fresh":
        start = time.perf_counter()
        refreshed = await monthly.refresh()
        summary_note = f"fresh (rebuilt in {time.perf_counter() - start:.1f} s, {refreshed['rows']:,} rows)"
    elif args.summary == "live":
        await DB.run_ddl("DELETE FROM indicator_summary_state")
    region = args.region
    htmx = {"HX-Request": "true"}
    cases = {
        "indicators page (full, last 12 months)": ("/indicators/", {}),
        f"indicators, region={region} (htmx)": (f"/indicators/?region={region}", htmx),
        "indicators, country=HR, 24 months": ("/indicators/?country=HR&from={from24}", {}),
        "CSV of the funnel": ("/indicators/data.csv?table=funnel", {}),
        "XLSX of every table": ("/indicators/data.xlsx", {}),
        "period report (PDF)": ("/indicators/report.pdf", {}),
        "targets page": ("/indicators/targets", {}),
        "public summary (kept 5 minutes)": ("/indicators/summary", {}),
    }
    f = default_filters()
    from24 = f"{f.start.year - 1:04d}-{f.start.month:02d}"
    results = []
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            page = await client.get("/login")
            token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
            response = await client.post(
                "/login", data={"username": "coordinator", "password": "demo", "_csrf_token": token}
            )
            assert response.status_code == 303, (response.status_code, response.text[:300])
            for name, (path, headers) in cases.items():
                path = path.replace("{from24}", from24)
                first = await client.get(path, headers=headers)  # warms templates and the pool
                assert first.status_code == 200, (path, first.status_code, first.text[:300])
                timings = []
                for _ in range(args.requests):
                    cache.forget_all()  # every request computes its figures: the cold case, not the kept one
                    start = time.perf_counter()
                    answer = await client.get(path, headers=headers)
                    timings.append((time.perf_counter() - start) * 1000)
                    assert answer.status_code == 200, (path, answer.status_code)
                start = time.perf_counter()
                await client.get(path, headers=headers)
                kept = (time.perf_counter() - start) * 1000
                results.append((name, len(first.content), statistics.median(timings), p95(timings), kept))
        sections = []
        for key in SECTIONS:  # every registered section (SHOWN_SECTIONS imported them)
            timings = []
            for _ in range(5):
                start = time.perf_counter()
                await SECTIONS[key].build(f)
                timings.append((time.perf_counter() - start) * 1000)
            sections.append((key, statistics.median(timings)))
        from portal.indicators import partners, people, placements

        aggregates = []
        for function in (
            people.stage_counts,
            people.entries_exits,
            people.first_placements,
            placements.funnel,
            placements.outcomes,
            placements.capacity,
            partners.employer_engagement,
            partners.cross_border_ties,
            partners.cross_border_referrals,
            partners.network_growth,
        ):
            timings = []
            for _ in range(5):
                start = time.perf_counter()
                await function(f)
                timings.append((time.perf_counter() - start) * 1000)
            aggregates.append((function.__name__, statistics.median(timings)))
    finally:
        await close_pool(DB)
    print(f"{args.database_url.rsplit('/', 1)[-1]}: {args.requests} sequential requests per case (ms)")
    print(f"  monthly summary: {summary_note}")
    print("  p50 and p95 with the kept figures dropped before each request; 'kept': asked again within a minute")
    print(f"  {'case':<44} {'bytes':>10} {'p50':>8} {'p95':>8} {'kept':>8}")
    for name, size, p50, high, kept in results:
        print(f"  {name:<44} {size:>10,} {p50:8.1f} {high:8.1f} {kept:8.1f}")
    print("  each section's aggregates alone, last 12 months, p50 of 5 (ms):")
    for key, p50 in sections:
        print(f"    {key:<42} {p50:8.1f}")
    print("  each aggregate alone, last 12 months, p50 of 5 (ms):")
    for key, p50 in aggregates:
        print(f"    {key:<42} {p50:8.1f}")


if __name__ == "__main__":
    arguments = parse_args()
    if not use_scale_database("indicators", arguments.database_url):
        raise SystemExit(0)
    asyncio.run(main(arguments))
