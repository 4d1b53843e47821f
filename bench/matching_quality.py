"""Matching quality on a synthetic world with a known success model: how close each ranking gets to the truth.

Usage: .venv/bin/python bench/matching_quality.py [--people 3000] [--places 800] [--referrals 3000] [--lists 400] [--seed 0]

The world (matching.synthetic.synthetic_world) holds people whose profiles record their skills as
ESCO concepts or as typed Slovenian, Croatian or English words, places around towns in Slovenia
and Croatia, and a documented chance of success for every referral. For each of ``--lists``
people, every place they can reach (the hard constraints) is ranked by each method, and each
list is scored against the true chances: NDCG@10 with the chance as the gain, and P@5 as the
mean chance of success among the first five. The scores use the portal's text model, fitted on
the shipped ESCO catalogue with the project's sl/hr labels.

Methods: the oracle (ranks by the true chance), the matcher's components weighted by the true
weights, the default weights, weights learned from ``--referrals`` simulated referral outcomes,
skills only, distance only, and random order. Goals: default >= 0.90 and learned >= 0.95 of the
true-weights ranker's NDCG@10, random clearly below.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching import COMPONENTS, DEFAULT_WEIGHTS, OpportunityIndex, Scoring, Weights, choose_weights
from matching.learning import OutcomeWeights, outcome_arrays
from matching.metrics import ndcg_at_k
from matching.synthetic import TRUE_WEIGHTS, simulated_referrals, synthetic_world
from portal.matching_service.text_model import shared_text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--places", type=int, default=800)
    parser.add_argument("--referrals", type=int, default=3000)
    parser.add_argument("--lists", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    started = time.perf_counter()
    scoring = Scoring(text=shared_text())
    world = synthetic_world(args.people, args.places, seed=args.seed)
    outcomes = simulated_referrals(world, args.referrals, seed=args.seed, scoring=scoring)
    X, y, _, _ = outcome_arrays(outcomes)
    learned = OutcomeWeights().fit(X, y).weights_
    choice = choose_weights(outcomes, min_outcomes=200, seed=args.seed)

    rng = np.random.default_rng(args.seed + 1)
    index = OpportunityIndex(world.places, scoring=scoring)
    places = {o.id: o for o in world.places}
    methods = {
        "true weights": Weights(**TRUE_WEIGHTS).as_array(),
        "default weights": DEFAULT_WEIGHTS.as_array(),
        "learned weights": learned,
        "skills only": np.eye(len(COMPONENTS))[COMPONENTS.index("skill")],
        "distance only": np.eye(len(COMPONENTS))[COMPONENTS.index("distance")],
    }
    ndcg: dict[str, list[float]] = {name: [] for name in ["oracle", *methods, "random"]}
    p5: dict[str, list[float]] = {name: [] for name in ndcg}
    people = rng.permutation(len(world.people))
    lists = 0
    for i in people:
        if lists == args.lists:
            break
        person = world.people[int(i)]
        matches = index.recommend(person, top=len(world.places))
        if len(matches) < 5:
            continue
        lists += 1
        chance = np.array([world.success_chance(person, places[m.opportunity_id]) for m in matches])
        parts = np.array([[m.explanation.components[c] for c in COMPONENTS] for m in matches])
        scores = {
            "oracle": chance,
            **{name: parts @ w for name, w in methods.items()},
            "random": rng.random(len(matches)),
        }
        for name, s in scores.items():
            order = np.argsort(-s, kind="stable")
            ndcg[name].append(ndcg_at_k(chance, s, 10))
            p5[name].append(float(chance[order[:5]].mean()))

    reference = float(np.mean(ndcg["true weights"]))
    print(
        f"World: {args.people:,} people, {args.places:,} places (seed {args.seed}); {lists} per-person lists of "
        f"reachable places; {len(outcomes):,} simulated referrals ({y.mean():.2f} good) to learn from."
    )
    print(f"{'method':<18}{'NDCG@10':>9}{'P@5':>8}{'of true weights':>17}")
    for name in ndcg:
        value = float(np.mean(ndcg[name]))
        print(f"{name:<18}{value:>9.3f}{np.mean(p5[name]):>8.3f}{value / reference:>17.3f}")
    print("weights           " + "  ".join(f"{c:>8}" for c in COMPONENTS))
    for name in ("true weights", "default weights", "learned weights"):
        print(f"{name:<18}" + "  ".join(f"{v:>8.2f}" for v in methods[name] / methods[name].sum()))
    print(f"Portal decision on these outcomes: {'adopt' if choice.learned else 'keep defaults'} ({choice.reason}).")
    default_ratio = float(np.mean(ndcg["default weights"])) / reference
    learned_ratio = float(np.mean(ndcg["learned weights"])) / reference
    print(
        f"Goals: default >= 0.90 of true weights: {default_ratio:.3f} {'met' if default_ratio >= 0.90 else 'NOT met'}; "
        f"learned >= 0.95: {learned_ratio:.3f} {'met' if learned_ratio >= 0.95 else 'NOT met'}; "
        f"random {float(np.mean(ndcg['random'])) / reference:.3f}.  ({time.perf_counter() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
