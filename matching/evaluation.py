"""How well the weights rank held-out referral outcomes, against baselines, with exposure per group.

Run ``python -m matching.evaluation --demo`` for the report on a seeded synthetic data set.
"""

from __future__ import annotations

import argparse
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from matching.learning import (
    GROUPINGS,
    OutcomeWeights,
    WeightChoice,
    choose_weights,
    outcome_arrays,
    pick_grouping,
    time_split,
)
from matching.metrics import (
    Bin,
    GroupExposure,
    ListCounts,
    bootstrap_interval,
    brier_score,
    count_lists,
    expected_calibration_error,
    exposure_by_group,
    mean_ndcg,
    mean_precision,
    ndcg_per_list,
    query_lists,
    reliability,
)
from matching.records import Outcome
from matching.scoring import COMPONENTS, DEFAULT_WEIGHTS, Weights

__all__ = ["EvaluationReport", "MethodResult", "evaluate", "main"]


@dataclass(frozen=True, slots=True)
class MethodResult:
    """One ranking method on the held-out outcomes.

    ``ndcg`` is the mean NDCG@k over the informative held-out lists of the report's primary
    grouping (lists with both good and bad outcomes), with ``ndcg_low`` and ``ndcg_high`` a
    bootstrap interval over lists; ``ndcg_by`` gives the mean for each grouping ("person",
    "opportunity"). ``precision`` is the mean precision@5 over the same lists. ``brier`` and
    ``ece`` measure calibration of the probabilities (the method's score mapped to a probability
    by a logistic fit on the training part, or the learned model's own probabilities), with
    ``reliability`` bins; ``exposure`` is per group.
    """

    ndcg: float
    ndcg_low: float
    ndcg_high: float
    ndcg_by: dict[str, float]
    precision: float
    brier: float
    ece: float
    reliability: tuple[Bin, ...]
    exposure: dict[str, GroupExposure]


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """The evaluation of default weights, learned weights and baselines on a time-split holdout.

    ``counts`` gives, per grouping, how many held-out lists there are, how many hold two or more
    outcomes and how many are informative; ``by`` is the primary grouping.
    """

    n_train: int
    n_test: int
    counts: dict[str, ListCounts]
    by: str
    base_rate: float
    k: int
    precision_k: int
    level: float
    default_weights: Weights
    learned_weights: Weights | None
    methods: dict[str, MethodResult]
    choice: WeightChoice

    @property
    def lists(self) -> int:
        """Informative held-out lists of the primary grouping: what the NDCG figures rest on."""
        return self.counts[self.by].informative

    def format(self) -> str:
        """The report as plain text."""
        lines = [
            f"Time-split holdout: {self.n_train:,} training and {self.n_test:,} held-out outcomes; "
            f"good-outcome rate {self.base_rate:.2f}.",
        ]
        for by, c in self.counts.items():
            lines.append(
                f"Held-out lists per {by}: {c.lists:,}; {c.two_or_more:,} with two or more outcomes; "
                f"{c.informative:,} with both good and bad ones (only these can tell rankings apart)."
            )
        other = [by for by in self.counts if by != self.by]
        interval = f"{self.level:.0%} interval"
        lines += [
            "",
            f"{'method':<18}{f'NDCG@{self.k}':>9}{interval:>17}"
            + "".join(f"{'per ' + by:>16}" for by in other)
            + f"{f'P@{self.precision_k}':>8}{'Brier':>8}{'ECE':>8}",
        ]
        for name, m in self.methods.items():
            lines.append(
                f"{name:<18}{m.ndcg:>9.3f}{f'{m.ndcg_low:.3f} to {m.ndcg_high:.3f}':>17}"
                + "".join(f"{m.ndcg_by[by]:>16.3f}" for by in other)
                + f"{m.precision:>8.3f}{m.brier:>8.3f}{m.ece:>8.3f}"
            )
        lines.append(f"(NDCG and P per {self.by}: the mean over informative held-out lists.)")
        lines += ["", "weights     " + "  ".join(f"{c:>8}" for c in COMPONENTS)]
        lines.append("default     " + "  ".join(f"{v:>8.2f}" for v in self.default_weights.as_array()))
        if self.learned_weights is not None:
            lines.append("learned     " + "  ".join(f"{v:>8.2f}" for v in self.learned_weights.as_array()))
        verdict = "use the learned weights" if self.choice.learned else "keep the default weights"
        lines += ["", f"Decision on all {self.choice.n_outcomes:,} outcomes: {verdict} ({self.choice.reason})."]
        lines += [
            "",
            f"Exposure in the held-out top-{self.k} lists (ratio 1.00 = the group gets its share of attention):",
        ]
        lines.append(
            f"{'method':<18}{'group':<10}{'people':>7}{'in top':>8}{'mean rank':>11}{'exposure':>10}{'ratio':>7}"
        )
        for name, m in self.methods.items():
            for group, e in m.exposure.items():
                lines.append(
                    f"{name:<18}{group:<10}{e.people:>7}{e.appearances:>8}{e.mean_rank:>11.2f}{e.exposure:>10.3f}{e.ratio:>7.2f}"
                )
        return "\n".join(lines)


def _calibrated(train_scores: np.ndarray, y_train: np.ndarray, test_scores: np.ndarray) -> np.ndarray:
    """Probabilities from scores by a logistic fit on the training part (Platt scaling)."""
    if y_train.all() or not y_train.any():
        return np.full(test_scores.shape, float(y_train.mean()))
    model = LogisticRegression().fit(train_scores.reshape(-1, 1), y_train)
    probabilities: np.ndarray = model.predict_proba(test_scores.reshape(-1, 1))[:, 1]
    return probabilities


def evaluate(
    outcomes: Sequence[Outcome],
    *,
    groups: Mapping[Hashable, str] | None = None,
    default: Weights = DEFAULT_WEIGHTS,
    k: int = 10,
    precision_k: int = 5,
    holdout: float = 0.25,
    min_outcomes: int = 200,
    by: str = "auto",
    level: float = 0.95,
    seed: int = 0,
    bins: int = 10,
) -> EvaluationReport:
    """Evaluate default and learned weights and three baselines on the latest outcomes.

    The earliest ``1 - holdout`` of the outcomes (by time) train the learned weights and the
    probability calibration; the rest are ranked in lists, both per person (the places one
    person was referred to: the counsellor's list) and per opportunity (the people referred to
    one place). ``by`` is the primary grouping ("auto": the one with more informative lists,
    :func:`matching.learning.pick_grouping`). Only lists with both good and bad outcomes count
    towards NDCG and precision, with a bootstrap interval over lists. Baselines: random order
    (seeded), distance score only, skill score only.

    ``groups`` maps person ids to group labels for the exposure table only; groups are never
    features. People without a group count as "unknown".

    Examples
    --------
    >>> from matching.synthetic import synthetic_opportunities, synthetic_outcomes, synthetic_people
    >>> people, places = synthetic_people(200, seed=1), synthetic_opportunities(60, seed=1)
    >>> report = evaluate(synthetic_outcomes(people, places, seed=1), seed=1)
    >>> list(report.methods)
    ['default weights', 'learned weights', 'random', 'distance only', 'skill only']
    """
    by = pick_grouping(outcomes, holdout) if by == "auto" else by
    X, y, times, _ = outcome_arrays(outcomes, by)
    train, test = time_split(times, holdout)
    rng = np.random.default_rng(seed)
    candidates: dict[str, tuple[np.ndarray, np.ndarray | None]] = {"default weights": (X @ default.as_array(), None)}
    learned = None
    if y[train].any() and not y[train].all():
        model = OutcomeWeights().fit(X[train], y[train])
        learned = Weights.from_array(model.weights_)
        candidates["learned weights"] = (X @ model.weights_, model.predict_proba(X[test])[:, 1])
    candidates["random"] = (rng.random(len(y)), None)
    candidates["distance only"] = (X[:, COMPONENTS.index("distance")], None)
    candidates["skill only"] = (X[:, COMPONENTS.index("skill")], None)

    held = [o for o, keep in zip(outcomes, test, strict=True) if keep]
    lists = {
        grouping: [o.person_id if grouping == "person" else o.opportunity_id for o in held] for grouping in GROUPINGS
    }
    held_people = [o.person_id for o in held]
    held_places = [o.opportunity_id for o in held]
    methods = {}
    for name, (scores, probabilities) in candidates.items():
        p = probabilities if probabilities is not None else _calibrated(scores[train], y[train], scores[test])
        per_list = ndcg_per_list(lists[by], y[test], scores[test], k)
        low, high = bootstrap_interval(per_list, level=level, seed=seed)
        methods[name] = MethodResult(
            ndcg=float(per_list.mean()) if per_list.size else float("nan"),
            ndcg_low=low,
            ndcg_high=high,
            ndcg_by={g: mean_ndcg(q, y[test], scores[test], k) for g, q in lists.items()},
            precision=_mean_precision_informative(lists[by], y[test], scores[test], precision_k),
            brier=brier_score(y[test], p),
            ece=expected_calibration_error(y[test], p, bins),
            reliability=tuple(reliability(y[test], p, bins)),
            exposure=exposure_by_group(held_places, held_people, scores[test], groups or {}, k),
        )
    return EvaluationReport(
        n_train=int(train.sum()),
        n_test=int(test.sum()),
        counts={g: count_lists(q, y[test]) for g, q in lists.items()},
        by=by,
        base_rate=float(y[test].mean()),
        k=k,
        precision_k=precision_k,
        level=level,
        default_weights=default,
        learned_weights=learned,
        methods=methods,
        choice=choose_weights(
            outcomes, default=default, min_outcomes=min_outcomes, holdout=holdout, k=k, by=by, level=level, seed=seed
        ),
    )


def _mean_precision_informative(
    queries: Sequence[Hashable], relevance: np.ndarray, scores: np.ndarray, k: int
) -> float:
    """Mean precision@k over lists with both good and bad outcomes (elsewhere every order scores alike)."""
    keep = [i for i in query_lists(queries) if 0 < relevance[i].sum() < i.size]
    if not keep:
        return float("nan")
    at = np.concatenate(keep)
    return mean_precision([queries[j] for j in at], relevance[at], scores[at], k)


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m matching.evaluation --demo [--seed N] [--people N] [--opportunities N]``."""
    from matching.synthetic import synthetic_groups, synthetic_opportunities, synthetic_outcomes, synthetic_people

    parser = argparse.ArgumentParser(prog="python -m matching.evaluation", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--demo", action="store_true", help="evaluate on a seeded synthetic data set and print the report"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--people", type=int, default=600)
    parser.add_argument("--opportunities", type=int, default=250)
    args = parser.parse_args(argv)
    if not args.demo:
        parser.error("nothing to evaluate: pass --demo (real outcomes come through evaluate() from the portal)")
    people = synthetic_people(args.people, seed=args.seed)
    places = synthetic_opportunities(args.opportunities, seed=args.seed)
    outcomes = synthetic_outcomes(people, places, seed=args.seed)
    print(
        f"Synthetic demo (seed {args.seed}): {len(people):,} people, {len(places):,} opportunities, "
        f"{len(outcomes):,} referral outcomes; groups A/B are made up and kept apart from the records."
    )
    print(evaluate(outcomes, groups=synthetic_groups(people, seed=args.seed), seed=args.seed).format())


if __name__ == "__main__":
    main()
