"""Allocation rounds: places for a whole intake at once, stable (deferred acceptance) or welfare-maximising.

Both return a proposal for a coordinator to review; nothing here sends a referral.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["AllocationReport", "allocation_report", "stable_allocation", "welfare_allocation"]

Assignment = dict[Hashable, Hashable | None]

# Each placement counts this much on top of its score, so that among allocations with the
# same total score the one that places more people wins (e.g. pairs that score 0).
_PLACEMENT_BONUS = 1e-9


def _check_capacities(capacities: Mapping[Hashable, int]) -> None:
    for opportunity, capacity in capacities.items():
        if isinstance(capacity, bool) or not isinstance(capacity, (int, np.integer)) or capacity < 0:
            raise ValueError(f"capacity of opportunity {opportunity!r} must be a whole number >= 0, got {capacity!r}")


def _check_list(owner: str, items: Sequence[Hashable], kind: str, known: Mapping[Hashable, object]) -> None:
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence):
        raise ValueError(f"{owner} must have a list of {kind} ids, got {items!r}")
    distinct = set(items)
    if len(distinct) != len(items):
        seen: set[Hashable] = set()
        for item in items:
            if item in seen:
                raise ValueError(f"{owner} lists {kind} {item!r} more than once")
            seen.add(item)
    if not distinct <= known.keys():
        unknown = next(item for item in items if item not in known)
        raise ValueError(f"{owner} lists unknown {kind} {unknown!r}")


def stable_allocation(
    participant_prefs: Mapping[Hashable, Sequence[Hashable]],
    opportunity_prefs: Mapping[Hashable, Sequence[Hashable]],
    capacities: Mapping[Hashable, int],
) -> Assignment:
    """Participant-proposing deferred acceptance with capacities: the participant-optimal stable matching.

    Parameters
    ----------
    participant_prefs : mapping
        Participant id -> opportunity ids, best first. Unlisted opportunities are not wanted.
    opportunity_prefs : mapping
        Opportunity id -> acceptable participant ids, best first. Unlisted participants are
        unacceptable; an opportunity in ``capacities`` without a list accepts no one.
    capacities : mapping
        Opportunity id -> number of places (a whole number >= 0).

    Returns
    -------
    dict
        Every participant id -> the opportunity id it is placed at, or None.

    The result has no blocking pair (no participant and opportunity that both prefer each
    other to what they got, counting a free place as better than nothing), never exceeds a
    capacity, and only places mutually acceptable pairs. Among all such matchings, every
    participant does at least as well here as in any other.

    Raises
    ------
    ValueError
        For an unknown participant or opportunity id, a negative or non-integer capacity, or an
        id listed twice in one list; the message names it.

    Examples
    --------
    >>> stable_allocation(
    ...     {"ana": ["bakery", "garden"], "ivo": ["bakery"], "eva": ["bakery", "garden"]},
    ...     {"bakery": ["eva", "ana", "ivo"], "garden": ["ana", "eva"]},
    ...     {"bakery": 1, "garden": 1},
    ... )
    {'ana': 'garden', 'ivo': None, 'eva': 'bakery'}
    """
    _check_capacities(capacities)
    for participant, prefs in participant_prefs.items():
        _check_list(f"participant {participant!r}", prefs, "opportunity", capacities)
    for opportunity, prefs in opportunity_prefs.items():
        if opportunity not in capacities:
            raise ValueError(f"preferences given for unknown opportunity {opportunity!r} (it has no capacity)")
        _check_list(f"opportunity {opportunity!r}", prefs, "participant", participant_prefs)

    rank = {o: {p: r for r, p in enumerate(prefs)} for o, prefs in opportunity_prefs.items()}
    # Each opportunity holds its tentative admits in a heap keyed by minus their rank, so
    # the least preferred one is on top and can be bumped in O(log capacity).
    held: dict[Hashable, list[tuple[int, int, Hashable]]] = {o: [] for o in capacities}
    order = {p: i for i, p in enumerate(participant_prefs)}  # tie-free heap entries for any id type
    next_choice = dict.fromkeys(participant_prefs, 0)
    free = deque(participant_prefs)
    while free:
        participant = free.popleft()
        prefs = participant_prefs[participant]
        while next_choice[participant] < len(prefs):
            opportunity = prefs[next_choice[participant]]
            next_choice[participant] += 1
            r = rank.get(opportunity, {}).get(participant)
            if r is None or capacities[opportunity] == 0:
                continue
            heap = held[opportunity]
            entry = (-r, order[participant], participant)
            if len(heap) < capacities[opportunity]:
                heapq.heappush(heap, entry)
                break
            if -heap[0][0] > r:
                free.append(heapq.heapreplace(heap, entry)[2])
                break
    result: Assignment = dict.fromkeys(participant_prefs)
    for opportunity, heap in held.items():
        for _, _, participant in heap:
            result[participant] = opportunity
    return result


def welfare_allocation(
    scores: Mapping[Hashable, Mapping[Hashable, float]], capacities: Mapping[Hashable, int]
) -> Assignment:
    """The allocation with the highest total score under the capacities.

    Solved exactly with :func:`scipy.optimize.linear_sum_assignment` on a matrix with one column
    per place and one "unplaced" column per participant. Pairs missing from ``scores`` are
    unacceptable and never placed. Among allocations with the same total, one that places more
    people is preferred. Memory grows with participants x (places + participants), so this is
    for an intake at a time, not for a whole country.

    Parameters
    ----------
    scores : mapping
        Participant id -> {opportunity id: score} for the acceptable pairs (e.g. ``Match.score``).
    capacities : mapping
        Opportunity id -> number of places (a whole number >= 0).

    Returns
    -------
    dict
        Every participant id -> the opportunity id it is placed at, or None.

    Examples
    --------
    >>> welfare_allocation({"ana": {"bakery": 0.9, "garden": 0.8}, "eva": {"bakery": 0.85}}, {"bakery": 1, "garden": 1})
    {'ana': 'garden', 'eva': 'bakery'}
    """
    _check_capacities(capacities)
    for participant, row in scores.items():
        for opportunity, value in row.items():
            if opportunity not in capacities:
                raise ValueError(f"participant {participant!r} has a score for unknown opportunity {opportunity!r}")
            if not math.isfinite(value):
                raise ValueError(f"score of {participant!r} at {opportunity!r} must be finite, got {value!r}")
    participants = list(scores)
    wanted_by: dict[Hashable, int] = {}
    for row in scores.values():
        for opportunity in row:
            wanted_by[opportunity] = wanted_by.get(opportunity, 0) + 1
    # No more columns for an opportunity than people who could take its places.
    columns = [o for o in capacities for _ in range(min(capacities[o], wanted_by.get(o, 0)))]
    profit = np.full((len(participants), len(columns) + len(participants)), -np.inf)
    profit[np.arange(len(participants)), len(columns) + np.arange(len(participants))] = 0.0
    where: dict[Hashable, list[int]] = {}
    for j, opportunity in enumerate(columns):
        where.setdefault(opportunity, []).append(j)
    for i, participant in enumerate(participants):
        for opportunity, value in scores[participant].items():
            profit[i, where.get(opportunity, [])] = value + _PLACEMENT_BONUS
    result: Assignment = dict.fromkeys(participants)
    if participants:
        rows, cols = linear_sum_assignment(profit, maximize=True)
        for person, place in zip(rows, cols, strict=True):
            if place < len(columns):
                result[participants[person]] = columns[place]
    return result


@dataclass(frozen=True, slots=True)
class AllocationReport:
    """What an allocation achieves.

    Attributes
    ----------
    placed : int
        Participants with a place.
    unplaced : tuple
        Participants without one, in input order.
    ranks : dict
        Participant id -> position of their placement in their own preference order
        (1 = first choice), or None when unplaced.
    mean_rank : float or None
        Mean of the ranks of the placed.
    total_score : float or None
        Sum of the placed pairs' scores, when scores were given.
    """

    placed: int
    unplaced: tuple[Hashable, ...]
    ranks: dict[Hashable, int | None]
    mean_rank: float | None
    total_score: float | None


def allocation_report(
    assignment: Mapping[Hashable, Hashable | None],
    *,
    preferences: Mapping[Hashable, Sequence[Hashable]] | None = None,
    scores: Mapping[Hashable, Mapping[Hashable, float]] | None = None,
) -> AllocationReport:
    """Summarise an allocation: placed count, unplaced ids, each person's rank of their placement.

    Ranks come from ``preferences`` (as given to :func:`stable_allocation`) or, without them,
    from each person's ``scores`` ordered best first.

    Examples
    --------
    >>> prefs = {"ana": ["bakery", "garden"], "ivo": ["bakery"], "eva": ["bakery", "garden"]}
    >>> report = allocation_report({"ana": "garden", "ivo": None, "eva": "bakery"}, preferences=prefs)
    >>> report.placed, report.unplaced, report.ranks
    (2, ('ivo',), {'ana': 2, 'ivo': None, 'eva': 1})
    """
    if preferences is None:
        if scores is None:
            raise ValueError("allocation_report needs preferences or scores to rank placements")
        preferences = {p: sorted(row, key=row.__getitem__, reverse=True) for p, row in scores.items()}
    ranks: dict[Hashable, int | None] = {}
    for participant, opportunity in assignment.items():
        prefs = list(preferences.get(participant, ()))
        ranks[participant] = None if opportunity is None or opportunity not in prefs else prefs.index(opportunity) + 1
    placed_ranks = [r for r in ranks.values() if r is not None]
    total = None
    if scores is not None:
        total = float(sum(scores[p][o] for p, o in assignment.items() if o is not None))
    return AllocationReport(
        placed=sum(o is not None for o in assignment.values()),
        unplaced=tuple(p for p, o in assignment.items() if o is None),
        ranks=ranks,
        mean_rank=float(np.mean(placed_ranks)) if placed_ranks else None,
        total_score=total,
    )
