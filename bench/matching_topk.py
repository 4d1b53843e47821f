"""Matching speed in-process: index builds, top-10 placements and candidates, and one-record updates.

Usage: .venv/bin/python bench/matching_topk.py [--opportunities 100000 1000000] [--people 100000] [--queries 200] [--seed 0]

The data are seeded synthetic people and opportunities (matching.synthetic) placed around towns
in Slovenia and Croatia, with skills from ESCO's preferred English labels
(portal/data/esco_skills_en.csv, "ESCO, European Commission") plus the built-in sl/hr/en
vocabulary. Every opportunity is open with places left. Figures are wall-clock times on this
machine (medians and 95th percentiles over distinct query people or opportunities, after a
short warm-up), with the CPU-time median beside them; machines here are shared and noisy,
so compare figures as ratios within one run.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching import OpportunityIndex, PersonIndex
from matching.synthetic import synthetic_opportunities, synthetic_people
from matching.vocabulary import CONCEPTS, Concept

# The vocabulary the portal ships; the bench only reads its URIs and preferred labels.
ESCO = Path(__file__).resolve().parent.parent / "portal" / "data" / "esco_skills_en.csv"


def esco_concepts(seed: int) -> list[Concept]:
    """ESCO skills with a sector drawn at random (ESCO has no sector field), plus the built-in concepts."""
    rng = np.random.default_rng(seed)
    sectors = sorted({c.sector for c in CONCEPTS})
    with ESCO.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    esco = [
        Concept(
            r["conceptUri"],
            r["preferredLabel"],
            r["preferredLabel"],
            r["preferredLabel"],
            sectors[int(rng.integers(len(sectors)))],
        )
        for r in rows
    ]
    return [*esco, *CONCEPTS]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(calls: Sequence[Callable[[], object]], warmup: int = 5) -> tuple[float, float, float]:
    """Wall-clock median and 95th percentile, and CPU-time median, in ms, after a short warm-up.

    CPU time counts only this process (all its threads: the BLAS behind the dot-product cut may
    use both cores, so CPU can exceed wall time); wall time well above CPU time means other
    work on the machine slowed the run.
    """
    for call in calls[:warmup]:
        call()
    wall, cpu = [], []
    for call in calls:
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), float(np.percentile(wall, 95)), statistics.median(cpu)


def report(label: str, figures: tuple[float, float, float], target: str) -> None:
    wall, p95, cpu = figures
    print(f"  {label:<40} median {wall:7.2f} ms  p95 {p95:7.2f} ms  CPU median {cpu:6.2f} ms  ({target})")


def bench_placements(n: int, concepts: list[Concept], queries: int, seed: int) -> None:
    start = time.perf_counter()
    places = synthetic_opportunities(n, seed=seed, concepts=concepts, open_share=1.0)
    generated = time.perf_counter() - start
    before = rss_mb()
    start = time.perf_counter()
    index = OpportunityIndex(places)
    built = time.perf_counter() - start
    print(f"\n{n:,} open opportunities (generated in {generated:.1f} s)")
    target = "<= 10 s" if n <= 100_000 else "none set"
    print(
        f"  build: {built:.2f} s (target {target}); arrays {index.nbytes / 2**20:.0f} MiB; RSS +{rss_mb() - before:.0f} MiB"
    )
    people = synthetic_people(queries, seed=seed + 1, concepts=concepts)
    found = [len(index.recommend(p)) for p in people]
    report(
        "top-10 placements for one person",
        timed([lambda p=p: index.recommend(p) for p in people]),
        "<= 10 ms" if n <= 100_000 else "<= 100 ms",
    )
    print(f"  (people got {statistics.mean(found):.1f} results on average; {sum(f == 0 for f in found)} got none)")
    rng = np.random.default_rng(seed)
    changed = [places[int(i)] for i in rng.integers(0, n, size=queries)]
    fresh = synthetic_opportunities(queries, seed=seed + 2, concepts=concepts, prefix="new")
    report("upsert one changed opportunity", timed([lambda o=o: index.upsert(o) for o in changed]), "no rebuild")
    report("upsert one new opportunity", timed([lambda o=o: index.upsert(o) for o in fresh]), "no rebuild")
    report("remove one opportunity", timed([lambda o=o: index.remove(o.id) for o in fresh], warmup=0), "no rebuild")


def bench_candidates(n: int, concepts: list[Concept], queries: int, seed: int) -> None:
    start = time.perf_counter()
    people = synthetic_people(n, seed=seed + 3, concepts=concepts)
    generated = time.perf_counter() - start
    before = rss_mb()
    start = time.perf_counter()
    index = PersonIndex(people)
    built = time.perf_counter() - start
    print(f"\n{n:,} people (generated in {generated:.1f} s)")
    print(f"  build: {built:.2f} s; arrays {index.nbytes / 2**20:.0f} MiB; RSS +{rss_mb() - before:.0f} MiB")
    places = synthetic_opportunities(queries, seed=seed + 4, concepts=concepts, open_share=1.0)
    found = [len(index.recommend(o)) for o in places]
    report("top-10 candidates for one opportunity", timed([lambda o=o: index.recommend(o) for o in places]), "<= 10 ms")
    print(
        f"  (opportunities got {statistics.mean(found):.1f} results on average; {sum(f == 0 for f in found)} got none)"
    )
    changed = [people[i] for i in range(0, n, max(1, n // queries))][:queries]
    report("upsert one changed person", timed([lambda p=p: index.upsert(p) for p in changed]), "no rebuild")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    concepts = esco_concepts(args.seed)
    print(f"skill vocabulary: {len(concepts):,} concepts; {args.queries} queries per figure; seed {args.seed}")
    for n in args.opportunities:
        bench_placements(n, concepts, args.queries, args.seed)
    bench_candidates(args.people, concepts, args.queries, args.seed)


if __name__ == "__main__":
    main()
