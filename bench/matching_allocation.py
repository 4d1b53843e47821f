"""Allocation round speed in-process: stable_allocation at the issue's scale, welfare_allocation on one intake.

Usage: .venv/bin/python bench/matching_allocation.py [--participants 12500] [--opportunities 2000] [--list 20] [--runs 5] [--seed 0]

Participants each rank ``--list`` opportunities, drawn with a popularity skew (some places are
wanted by many); each opportunity ranks everyone who listed it by a random fit, so lists are
partial on both sides. Capacities are 1 to 10 places. Figures are wall-clock medians over
``--runs`` runs on this machine, which is shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching.allocation import allocation_report, stable_allocation, welfare_allocation


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=12_500)
    parser.add_argument("--opportunities", type=int, default=2_000)
    parser.add_argument("--list", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

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


if __name__ == "__main__":
    main()
