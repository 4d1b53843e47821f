"""The what-if plan job on the scale data (PostgreSQL): loading, both sides, and the feasibility alone.

Usage: .venv/bin/python bench/plan.py --database-url postgresql://postgres@127.0.0.1:5432/portal_scale
       [--places 3] [--municipality Ormož] [--capacity 3]

Load the database with bench/scale_data.py first (the URL may also come from PORTAL_BENCH_DATABASE_URL;
without either the script says so and exits). It applies any missing migration, makes a plan as the
demo coordinator with --places hypothetical places (transport and childcare-compatible hours, Slovene)
in --municipality, and runs the plan's stages as the job does, timing each: loading the rows, the
network as it is (feasibility of every active participant, then the stable allocation of the intake)
and as the plan would make it; then the feasibility of the active participants alone. It prints wall
and CPU seconds per stage, the sizes, the before/after figures and the peak resident memory, and
deletes its plan. Machines here are shared and noisy: compare figures within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale_database import use_scale_database


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("PORTAL_BENCH_DATABASE_URL", ""))
    parser.add_argument("--places", type=int, default=3)
    parser.add_argument("--capacity", type=int, default=3)
    parser.add_argument("--municipality", default="Ormož")
    return parser.parse_args()


class Stopwatch:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []

    def measure(self, name: str, wall: float, cpu: float) -> None:
        self.rows.append((name, wall, cpu))


async def main(args: argparse.Namespace) -> None:
    import anyio

    from portal.db.engine import close_pool, open_pool
    from portal.db.migrate import migrate_database
    from portal.db.piccolo_conf import DB
    from portal.db.tables import NetworkPlan, PortalUser
    from portal.network import needs, plan_runs, plans

    await migrate_database()
    await open_pool(DB)
    watch = Stopwatch()
    try:
        user = await PortalUser.select().where(PortalUser.username == "coordinator").first()
        from portal.auth.current_user import CurrentUser

        coordinator = CurrentUser(
            user["id"], "coordinator", "Coordinator", "coordinator", user["organisation"], "", "en"
        )
        plan_id = await plans.create("bench/plan.py", coordinator)
        place, errors = plans.clean_place(
            {
                "kind": "programme_place",
                "support_offered": ["transport", "childcare_compatible"],
                "languages": ["sl"],
                "hours_per_week": "20",
                "capacity": str(args.capacity),
                "country": "SI",
                "municipality": args.municipality,
            }
        )
        assert place is not None, errors
        for _ in range(args.places):
            await plans.add_place(plan_id, place)

        async def timed(name, step):
            wall, cpu = time.perf_counter(), time.process_time()
            result = await step()
            watch.measure(name, time.perf_counter() - wall, time.process_time() - cpu)
            return result

        data = await timed("load rows (participants, places, intake)", lambda: plan_runs.load(plan_id))
        old = await timed(
            "now: feasibility + stable allocation", lambda: anyio.to_thread.run_sync(plan_runs.before, data)
        )
        new = await timed("with the plan: the same", lambda: anyio.to_thread.run_sync(plan_runs.after, data))
        result = plan_runs.assemble(data, old, new)
        await timed(
            "feasibility of the active participants alone",
            lambda: anyio.to_thread.run_sync(lambda: needs.compute(data.needs, [])),
        )
        await NetworkPlan.delete().where(NetworkPlan.id == plan_id)
    finally:
        await close_pool(DB)
    print(
        f"{args.database_url.rsplit('/', 1)[-1]}: {len(data.needs.people):,} active participants, "
        f"{len(data.needs.places):,} open opportunities with places, intake {len(data.intake):,}, "
        f"{args.places} planned places of {args.capacity} in {args.municipality}"
    )
    print(f"  {'stage':<48} {'wall s':>8} {'cpu s':>8}")
    for name, wall, cpu in watch.rows:
        print(f"  {name:<48} {wall:8.2f} {cpu:8.2f}")
    print(f"  before: {result['before']}")
    print(f"  after:  {result['after']}")
    print(f"  regions affected: {[r['region'] for r in result['regions']]}")
    print(f"  peak resident memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    arguments = parse_args()
    if not use_scale_database("plan", arguments.database_url):
        raise SystemExit(0)
    asyncio.run(main(arguments))
