"""Matching speed in-process: index builds, top-10 placements and candidates, and one-record updates.

Usage: .venv/bin/python bench/matching_topk.py [--opportunities 100000 1000000] [--people 100000] [--queries 200] [--seed 0]
       [--blas-threads N]

The data are seeded synthetic people and opportunities (matching.synthetic) placed around towns
in Slovenia and Croatia, with skills from ESCO's preferred English labels
(portal/data/esco_skills_en.csv, "ESCO, European Commission") plus the built-in sl/hr/en
vocabulary. Every opportunity is open with places left. Figures are wall-clock times on this
machine (medians and 95th percentiles over distinct query people or opportunities, after a
short warm-up), with the CPU-time median beside them; machines here are shared and noisy,
so compare figures as ratios within one run.

The top-k figures are measured with the BLAS library's own thread count and with one thread
(threadpoolctl), as the portal's workers run; ``--blas-threads N`` measures only N (0: the
library's own). On 2 shared cores the extra BLAS threads mostly wait for each other.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

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


def blas_threads() -> int:
    """The threads the BLAS libraries loaded now would use (the largest count among them)."""
    return max((info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"), default=1)


def blas_setting(threads: int) -> contextlib.AbstractContextManager:
    """Run with ``threads`` BLAS threads; 0 leaves the library's own count."""
    return threadpool_limits(limits=threads, user_api="blas") if threads else contextlib.nullcontext()


def report_topk(label: str, calls: Sequence[Callable[[], object]], target: str, settings: Sequence[int]) -> None:
    """One line per BLAS thread setting, same calls."""
    for threads in settings:
        with blas_setting(threads):
            report(f"{label} [BLAS {threads or blas_threads()}]", timed(calls), target)


def bench_placements(n: int, concepts: list[Concept], queries: int, seed: int, settings: Sequence[int]) -> None:
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
    target = "<= 10 ms" if n <= 100_000 else "<= 100 ms"
    report_topk("top-10 placements for one person", [lambda p=p: index.recommend(p) for p in people], target, settings)
    report_topk(
        "top-10 placements, ranked (unexplained)", [lambda p=p: index.ranked(p) for p in people], target, settings
    )
    print(f"  (people got {statistics.mean(found):.1f} results on average; {sum(f == 0 for f in found)} got none)")
    rng = np.random.default_rng(seed)
    changed = [places[int(i)] for i in rng.integers(0, n, size=queries)]
    fresh = synthetic_opportunities(queries, seed=seed + 2, concepts=concepts, prefix="new")
    report("upsert one changed opportunity", timed([lambda o=o: index.upsert(o) for o in changed]), "no rebuild")
    report("upsert one new opportunity", timed([lambda o=o: index.upsert(o) for o in fresh]), "no rebuild")
    report("remove one opportunity", timed([lambda o=o: index.remove(o.id) for o in fresh], warmup=0), "no rebuild")


def bench_candidates(n: int, concepts: list[Concept], queries: int, seed: int, settings: Sequence[int]) -> None:
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
    calls = [lambda o=o: index.recommend(o) for o in places]
    report_topk("top-10 candidates for one opportunity", calls, "<= 10 ms", settings)
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
    parser.add_argument(
        "--blas-threads", type=int, help="BLAS threads for the top-k figures (0: the library's own); default: both"
    )
    args = parser.parse_args()
    settings = [0, 1] if args.blas_threads is None else [args.blas_threads]
    concepts = esco_concepts(args.seed)
    print(f"skill vocabulary: {len(concepts):,} concepts; {args.queries} queries per figure; seed {args.seed}")
    print(f"BLAS threads: {blas_threads()} by default; top-k figures with {', '.join(map(str, settings))} (0: default)")
    for n in args.opportunities:
        bench_placements(n, concepts, args.queries, args.seed, settings)
    bench_candidates(args.people, concepts, args.queries, args.seed, settings)


if __name__ == "__main__":
    main()
