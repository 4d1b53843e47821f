"""Ranking, calibration and exposure measures over grouped lists (one list per query)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "Bin",
    "GroupExposure",
    "ListCounts",
    "bootstrap_interval",
    "brier_score",
    "count_lists",
    "expected_calibration_error",
    "exposure_by_group",
    "mean_ndcg",
    "mean_precision",
    "ndcg_at_k",
    "ndcg_per_list",
    "precision_at_k",
    "query_lists",
    "reliability",
]


def query_lists(queries: Sequence[Hashable]) -> list[np.ndarray]:
    """Positions of each query's items, queries in order of first appearance.

    Examples
    --------
    >>> [q.tolist() for q in query_lists(["a", "b", "a"])]
    [[0, 2], [1]]
    """
    lists: dict[Hashable, list[int]] = {}
    for i, q in enumerate(queries):
        lists.setdefault(q, []).append(i)
    return [np.array(v, dtype=np.intp) for v in lists.values()]


def _ranked(relevance: ArrayLike, scores: ArrayLike) -> np.ndarray:
    # a stable sort keeps equal scores in input order, so ties are not broken in anyone's favour by chance
    return np.asarray(relevance, dtype=np.float64)[np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")]


def ndcg_at_k(relevance: ArrayLike, scores: ArrayLike, k: int = 10) -> float:
    """Normalised discounted cumulative gain of one list ranked by ``scores``; NaN if nothing is relevant.

    Examples
    --------
    >>> ndcg_at_k([0, 1, 0], [0.9, 0.8, 0.1])
    0.6309297535714575
    """
    ranked = _ranked(relevance, scores)
    discounts = 1.0 / np.log2(np.arange(2, min(k, ranked.size) + 2))
    ideal = float(np.sort(ranked)[::-1][:k] @ discounts)
    return float(ranked[:k] @ discounts) / ideal if ideal > 0 else float("nan")


def precision_at_k(relevance: ArrayLike, scores: ArrayLike, k: int = 5) -> float:
    """Share of relevant items among the first ``min(k, len)`` of one list.

    Examples
    --------
    >>> precision_at_k([1, 0, 1, 0, 0, 1], [6, 5, 4, 3, 2, 1], k=5)
    0.4
    """
    ranked = _ranked(relevance, scores)
    return float(ranked[:k].mean()) if ranked.size else float("nan")


def _informative(relevance: np.ndarray) -> bool:
    """A list says something about a ranking only when its items differ in relevance."""
    return relevance.size >= 2 and bool(np.ptp(relevance) > 0)


def ndcg_per_list(queries: Sequence[Hashable], relevance: ArrayLike, scores: ArrayLike, k: int = 10) -> np.ndarray:
    """NDCG@k of each informative list (items of differing relevance), in order of first appearance.

    A list of one item, or of items all good or all bad, ranks perfectly in any order: it is
    left out, or random order would look as good as the best ranking.

    Examples
    --------
    >>> ndcg_per_list(["a", "a", "b", "c", "c"], [1, 0, 1, 1, 1], [0.1, 0.9, 0.5, 0.2, 0.3]).round(3).tolist()
    [0.631]
    """
    relevance, scores = np.asarray(relevance, dtype=np.float64), np.asarray(scores)
    return np.array(
        [ndcg_at_k(relevance[i], scores[i], k) for i in query_lists(queries) if _informative(relevance[i])],
        dtype=np.float64,
    )


def mean_ndcg(queries: Sequence[Hashable], relevance: ArrayLike, scores: ArrayLike, k: int = 10) -> float:
    """Mean NDCG@k over the informative lists (see :func:`ndcg_per_list`); NaN if there is none.

    Examples
    --------
    >>> mean_ndcg(["a", "a", "b", "b"], [1, 0, 0, 1], [0.9, 0.1, 0.9, 0.1])
    0.8154648767857288
    """
    values = ndcg_per_list(queries, relevance, scores, k)
    return float(values.mean()) if values.size else float("nan")


@dataclass(frozen=True, slots=True)
class ListCounts:
    """How many held-out lists there are, how many hold two or more outcomes, and how many can tell rankings apart."""

    lists: int
    two_or_more: int
    informative: int


def count_lists(queries: Sequence[Hashable], relevance: ArrayLike) -> ListCounts:
    """Count the lists, those with two or more items, and the informative ones (items of differing relevance).

    Examples
    --------
    >>> count_lists(["a", "a", "b", "c", "c"], [1, 0, 1, 1, 1])
    ListCounts(lists=3, two_or_more=2, informative=1)
    """
    relevance = np.asarray(relevance, dtype=np.float64)
    lists = query_lists(queries)
    return ListCounts(
        lists=len(lists),
        two_or_more=sum(1 for i in lists if i.size >= 2),
        informative=sum(1 for i in lists if _informative(relevance[i])),
    )


def bootstrap_interval(
    values: ArrayLike, *, level: float = 0.9, samples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """A percentile bootstrap interval for the mean of ``values`` (one value per list); NaNs if empty.

    Lists are resampled whole, so the interval reflects how many lists there are, not how many
    outcomes.

    Examples
    --------
    >>> low, high = bootstrap_interval([0.5, 0.6, 0.7, 0.8, 0.9], seed=1)
    >>> 0.5 < low < 0.7 < high < 0.9
    True
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = values[rng.integers(values.size, size=(samples, values.size))].mean(axis=1)
    tail = (1.0 - level) / 2.0
    return float(np.quantile(means, tail)), float(np.quantile(means, 1.0 - tail))


def mean_precision(queries: Sequence[Hashable], relevance: ArrayLike, scores: ArrayLike, k: int = 5) -> float:
    """Mean precision@k over all queries.

    Examples
    --------
    >>> mean_precision(["a", "a", "b", "b"], [1, 0, 0, 1], [0.9, 0.1, 0.9, 0.1], k=1)
    0.5
    """
    relevance, scores = np.asarray(relevance), np.asarray(scores)
    values = [precision_at_k(relevance[i], scores[i], k) for i in query_lists(queries)]
    return float(np.mean(values)) if values else float("nan")


def brier_score(outcomes: ArrayLike, probabilities: ArrayLike) -> float:
    """Mean squared difference between predicted probabilities and 0/1 outcomes.

    Examples
    --------
    >>> brier_score([1, 0], [0.8, 0.4])
    0.1
    """
    y, p = np.asarray(outcomes, dtype=np.float64), np.asarray(probabilities, dtype=np.float64)
    return float(np.mean((p - y) ** 2))


@dataclass(frozen=True, slots=True)
class Bin:
    """One reliability bin: predicted probabilities in ``[low, high)``, their mean, the observed rate, the count."""

    low: float
    high: float
    predicted: float
    observed: float
    count: int


def reliability(outcomes: ArrayLike, probabilities: ArrayLike, bins: int = 10) -> list[Bin]:
    """Equal-width reliability bins (empty bins are left out).

    Examples
    --------
    >>> [(b.predicted, b.observed, b.count) for b in reliability([0, 1, 1, 1], [0.1, 0.15, 0.9, 0.95], bins=2)]
    [(0.125, 0.5, 2), (0.925, 1.0, 2)]
    """
    y, p = np.asarray(outcomes, dtype=np.float64), np.asarray(probabilities, dtype=np.float64)
    which = np.minimum((p * bins).astype(int), bins - 1)
    return [
        Bin(b / bins, (b + 1) / bins, float(p[which == b].mean()), float(y[which == b].mean()), int((which == b).sum()))
        for b in range(bins)
        if (which == b).any()
    ]


def expected_calibration_error(outcomes: ArrayLike, probabilities: ArrayLike, bins: int = 10) -> float:
    """Count-weighted mean gap between predicted and observed rates over the reliability bins.

    Examples
    --------
    >>> round(expected_calibration_error([0, 1, 1, 1], [0.1, 0.15, 0.9, 0.95], bins=2), 6)
    0.225
    """
    table = reliability(outcomes, probabilities, bins)
    total = sum(b.count for b in table)
    return float(sum(b.count * abs(b.predicted - b.observed) for b in table) / total) if total else float("nan")


@dataclass(frozen=True, slots=True)
class GroupExposure:
    """How often and how high a group's people appear in the top-k lists.

    ``people`` counts the group's distinct people in the lists; ``appearances`` their top-k
    places; ``mean_rank`` the mean position of those places (1 = first); ``exposure`` the mean
    per person of the position-discounted attention ``1 / log2(1 + rank)``; ``ratio`` that
    exposure over the mean exposure of everyone (1.0 = parity).
    """

    people: int
    appearances: int
    mean_rank: float
    exposure: float
    ratio: float


def exposure_by_group(
    queries: Sequence[Hashable],
    people: Sequence[Hashable],
    scores: ArrayLike,
    groups: Mapping[Hashable, str],
    k: int = 10,
) -> dict[str, GroupExposure]:
    """Exposure per group over lists of people ranked by ``scores`` (one list per query).

    ``groups`` maps a person to a group label and is used for nothing else; people missing
    from it count as ``"unknown"``.

    Examples
    --------
    >>> result = exposure_by_group(["o1", "o1", "o2", "o2"], ["a", "b", "a", "b"], [2, 1, 2, 1], {"a": "x", "b": "y"}, k=1)
    >>> {g: (e.appearances, e.ratio) for g, e in result.items()}
    {'x': (2, 2.0), 'y': (0, 0.0)}
    """
    scores = np.asarray(scores, dtype=np.float64)
    attention: dict[Hashable, float] = {}
    ranks: dict[str, list[int]] = {}
    for positions in query_lists(queries):
        order = positions[np.argsort(-scores[positions], kind="stable")]
        for rank, i in enumerate(order, start=1):
            person = people[i]
            attention.setdefault(person, 0.0)
            if rank <= k:
                attention[person] += 1.0 / np.log2(1.0 + rank)
                ranks.setdefault(groups.get(person, "unknown"), []).append(rank)
    overall = float(np.mean(list(attention.values()))) if attention else 0.0
    members: dict[str, list[float]] = {}
    for person, value in attention.items():
        members.setdefault(groups.get(person, "unknown"), []).append(value)
    return {
        group: GroupExposure(
            people=len(values),
            appearances=len(ranks.get(group, [])),
            mean_rank=float(np.mean(ranks[group])) if ranks.get(group) else float("nan"),
            exposure=float(np.mean(values)),
            ratio=float(np.mean(values)) / overall if overall > 0 else float("nan"),
        )
        for group, values in sorted(members.items())
    }
