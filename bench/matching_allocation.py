"""Allocation round speed in-process: stable_allocation at the issue's scale, welfare_allocation on one intake,
and the per-person preference lists a round starts from.

Usage: .venv/bin/python bench/matching_allocation.py [--participants 12500] [--opportunities 2000] [--list 20] [--runs 5] [--seed 0]
       [--blas-threads 1] [--no-lists]

Participants each rank ``--list`` opportunities, drawn with a popularity skew (some places are
wanted by many); each opportunity ranks everyone who listed it by a random fit, so lists are
partial on both sides. Capacities are 1 to 10 places. Figures are wall-clock medians over
``--runs`` runs on this machine, which is shared and noisy.

The lists section builds synthetic people and open places (matching.synthetic, ESCO skills as
in bench/matching_topk.py) and times each person's top ``--list`` places two ways in one run:
explained for every listed pair (``OpportunityIndex.recommend``, what a round did) and ranked
only (``OpportunityIndex.ranked_many``, what it does now), then explaining only the pairs a
stable allocation places. Each path gets a fresh index; the people's skill labels are hashed
once before (a process pays that once, whichever path it takes), and that is timed apart.
BLAS runs with ``--blas-threads`` threads (1, as the portal's workers; 0: the library's own).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from matching_topk import esco_concepts

from matching import OpportunityIndex, Person
from matching.allocation import allocation_report, stable_allocation, welfare_allocation
from matching.synthetic import synthetic_opportunities, synthetic_people


def instance(participants: int, opportunities: int, length: int, seed: int) -> tuple[dict, dict, dict]:
    rng = np.random.default_rng(seed)
    popularity = rng.pareto(1.5, opportunities) + 1.0
    popularity /= popularity.sum()
    opp_ids = [f"o{j}" for j in range(opportunities)]
    participant_prefs = {
        f"p{i}": [opp_ids[j] for j in rng.choice(opportunities, size=length, replace=False, p=popularity)]
        for i in range(participants)
    }
    applicants: dict[str, list[str]] = {o: [] for o in opp_ids}
    for p, prefs in participant_prefs.items():
        for o in prefs:
            applicants[o].append(p)
    opportunity_prefs = {o: [ps[k] for k in rng.permutation(len(ps))] for o, ps in applicants.items()}
    capacities = {o: int(c) for o, c in zip(opp_ids, rng.integers(1, 11, size=opportunities), strict=True)}
    return participant_prefs, opportunity_prefs, capacities


def median_time(call, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def clocked(call):
    """Wall and CPU seconds of one call, and its result."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = call()
    return time.perf_counter() - start, time.process_time() - start_cpu, result


def bench_lists(participants: int, opportunities: int, length: int, seed: int) -> None:
    """Per-person top-``length`` lists for a round, explained (before) and ranked (after), in one run."""
    concepts = esco_concepts(seed)
    people = synthetic_people(participants, seed=seed + 1, concepts=concepts)
    places = synthetic_opportunities(opportunities, seed=seed + 2, concepts=concepts, open_share=1.0)
    print(f"per-person top-{length} lists: {participants:,} participants, {opportunities:,} open opportunities")
    wall, cpu, index = clocked(lambda: OpportunityIndex(places))
    labels = list(dict.fromkeys(t for p in people for s in p.skills for t in s.texts))
    hashed, _, _ = clocked(lambda: index.scoring.text.vectors(labels))
    print(f"  index build {wall:.2f} s; hashing the people's {len(labels):,} skill labels once {hashed:.2f} s")
    index = OpportunityIndex(places)  # fresh for each path: no credit columns kept from the other
    wall_before, cpu_before, explained = clocked(lambda: [index.recommend(p, top=length) for p in people])
    print(f"  before: recommend (every listed pair explained)  {wall_before:6.2f} s  (CPU {cpu_before:6.2f} s)")
    index = OpportunityIndex(places)
    wall_after, cpu_after, ranked = clocked(lambda: index.ranked_many(people, top=length))
    print(
        f"  after:  ranked_many (unexplained)               {wall_after:6.2f} s  (CPU {cpu_after:6.2f} s)"
        f"  {wall_before / wall_after:.1f}x faster (target <= 3 s)"
    )
    same = all(
        [(m.opportunity_id, m.score) for m in ms] == [(r.opportunity_id, r.score) for r in rs]
        for ms, rs in zip(explained, ranked, strict=True)
    )
    print(f"  the same places and scores in every list: {same}")
    assignment = stable_allocation(*_preferences(people, ranked), _capacities(places))
    wall_placed, cpu_placed, placed = clocked(lambda: _explain_placed(index, people, ranked, assignment))
    total = wall_after + wall_placed
    print(f"  then explaining only the {len(placed):,} placed pairs: {wall_placed:.2f} s (CPU {cpu_placed:.2f} s)")
    print(f"  lists and the explanations a round stores: {total:.2f} s, {wall_before / total:.1f}x faster than before")


def _preferences(people: list[Person], ranked: list) -> tuple[dict, dict]:
    """Both sides' preferences as a round builds them: places prefer the people who listed them by score."""
    prefs = {p.id: [r.opportunity_id for r in rs] for p, rs in zip(people, ranked, strict=True)}
    wanted: dict = {}
    for order, rs in enumerate(ranked):
        for r in rs:
            wanted.setdefault(r.opportunity_id, []).append((-r.score, order, r.person_id))
    return prefs, {o: [pid for *_, pid in sorted(entries)] for o, entries in wanted.items()}


def _capacities(places) -> dict:
    return {o.id: o.places_left for o in places}


def _explain_placed(index: OpportunityIndex, people: list[Person], ranked: list, assignment: dict) -> list:
    return [
        index.explain(p, r)
        for p, rs in zip(people, ranked, strict=True)
        for r in rs
        if r.opportunity_id == assignment.get(p.id)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=12_500)
    parser.add_argument("--opportunities", type=int, default=2_000)
    parser.add_argument("--list", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (0: the library's own)")
    parser.add_argument("--no-lists", action="store_true", help="skip the preference lists section")
    args = parser.parse_args()
    limit = threadpool_limits(args.blas_threads, user_api="blas") if args.blas_threads else contextlib.nullcontext()
    with limit:
        run(args)


def run(args: argparse.Namespace) -> None:
    """The figures, under the BLAS thread setting of ``main``."""
    prefs, opp_prefs, capacities = instance(args.participants, args.opportunities, args.list, args.seed)
    seconds, assignment = median_time(lambda: stable_allocation(prefs, opp_prefs, capacities), args.runs)
    report = allocation_report(assignment, preferences=prefs)
    print(
        f"stable_allocation: {args.participants:,} participants, {args.opportunities:,} opportunities "
        f"({sum(capacities.values()):,} places), {args.list}-item lists"
    )
    print(f"  median {seconds:.3f} s over {args.runs} runs (target <= 1 s, validation included)")
    print(
        f"  placed {report.placed:,}, unplaced {len(report.unplaced):,}, mean rank of placement {report.mean_rank:.2f}"
    )

    small = 1_000, 200
    prefs, opp_prefs, capacities = instance(small[0], small[1], args.list, args.seed + 1)
    rng = np.random.default_rng(args.seed)
    scores = {p: {o: float(rng.random()) for o in row} for p, row in prefs.items()}
    seconds, assignment = median_time(lambda: welfare_allocation(scores, capacities), max(1, args.runs // 2))
    report = allocation_report(assignment, scores=scores)
    print(
        f"welfare_allocation: {small[0]:,} participants, {small[1]:,} opportunities ({sum(capacities.values()):,} places)"
    )
    print(f"  median {seconds:.3f} s (no target; dense matrix of participants x (places + participants))")
    print(
        f"  placed {report.placed:,}, total score {report.total_score:.1f}, mean rank by own scores {report.mean_rank:.2f}"
    )

    if not args.no_lists:
        bench_lists(args.participants, args.opportunities, args.list, args.seed)


if __name__ == "__main__":
    main()
