"""Tests for allocation rounds: stability, optimality, capacities, and clear errors for bad input."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import allocation_report, stable_allocation, welfare_allocation


@st.composite
def instances(draw, max_participants=5, max_opportunities=4):
    participants = [f"p{i}" for i in range(draw(st.integers(0, max_participants)))]
    opportunities = [f"o{j}" for j in range(draw(st.integers(0, max_opportunities)))]
    capacities = {o: draw(st.integers(0, 2)) for o in opportunities}

    def ranked(items):
        """A strategy for a ranked prefix of ``items`` (any order, any length)."""
        return st.permutations(items).flatmap(lambda p: st.integers(0, len(p)).map(lambda k: list(p[:k])))

    participant_prefs = {p: draw(ranked(opportunities)) for p in participants}
    opportunity_prefs = {
        o: draw(ranked(participants)) for o in opportunities if draw(st.integers(0, 3))
    }  # some have no list
    return participant_prefs, opportunity_prefs, capacities


def _prefers(prefs, a, b):
    """Does the list ``prefs`` rank ``a`` above ``b`` (None = nothing, below everything listed)?"""
    if a is None or a not in prefs:
        return False
    return b is None or b not in prefs or prefs.index(a) < prefs.index(b)


def _valid(assignment, participant_prefs, opportunity_prefs, capacities):
    for o, cap in capacities.items():
        if sum(v == o for v in assignment.values()) > cap:
            return False
    return all(
        o is None or (o in participant_prefs[p] and p in opportunity_prefs.get(o, [])) for p, o in assignment.items()
    )


def _blocking_pairs(assignment, participant_prefs, opportunity_prefs, capacities):
    pairs = []
    for p, prefs in participant_prefs.items():
        for o in prefs:
            if not _prefers(prefs, o, assignment[p]) or p not in opportunity_prefs.get(o, []):
                continue
            held = [q for q, x in assignment.items() if x == o]
            if len(held) < capacities[o] or any(_prefers(opportunity_prefs[o], p, q) for q in held):
                pairs.append((p, o))
    return pairs


def _all_stable(participant_prefs, opportunity_prefs, capacities):
    people = list(participant_prefs)
    options = [[None, *[o for o in participant_prefs[p] if p in opportunity_prefs.get(o, [])]] for p in people]
    for choice in itertools.product(*options):
        assignment = dict(zip(people, choice, strict=True))
        if _valid(assignment, participant_prefs, opportunity_prefs, capacities) and not _blocking_pairs(
            assignment, participant_prefs, opportunity_prefs, capacities
        ):
            yield assignment


@settings(max_examples=150, deadline=None)
@given(instances())
def test_stable_allocation_is_the_participant_optimal_stable_matching(instance):
    participant_prefs, opportunity_prefs, capacities = instance
    result = stable_allocation(participant_prefs, opportunity_prefs, capacities)
    assert list(result) == list(participant_prefs)
    assert _valid(result, participant_prefs, opportunity_prefs, capacities)
    assert _blocking_pairs(result, participant_prefs, opportunity_prefs, capacities) == []
    stable = list(_all_stable(participant_prefs, opportunity_prefs, capacities))
    assert result in stable
    for other in stable:
        for p, prefs in participant_prefs.items():
            assert not _prefers(prefs, other[p], result[p]), (p, other, result)


@settings(max_examples=100, deadline=None)
@given(instances(max_participants=4, max_opportunities=3), st.data())
def test_welfare_allocation_maximises_the_total_score(instance, data):
    participant_prefs, _, capacities = instance
    scores = {
        p: {o: data.draw(st.sampled_from([0.0, 0.25, 0.5, 1.0])) for o in prefs}
        for p, prefs in participant_prefs.items()
    }
    result = welfare_allocation(scores, capacities)
    assert list(result) == list(scores)
    assert all(o is None or o in scores[p] for p, o in result.items())
    assert all(sum(v == o for v in result.values()) <= c for o, c in capacities.items())
    best = 0.0
    people = list(scores)
    for choice in itertools.product(*[[None, *scores[p]] for p in people]):
        if all(choice.count(o) <= c for o, c in capacities.items()):
            best = max(best, sum(scores[p][o] for p, o in zip(people, choice, strict=True) if o is not None))
    assert sum(scores[p][o] for p, o in result.items() if o is not None) == pytest.approx(best, abs=1e-6)


def test_welfare_prefers_placing_people_when_totals_tie():
    assert welfare_allocation({"a": {"o": 0.0}}, {"o": 1}) == {"a": "o"}


def test_small_example_and_report():
    prefs = {"ana": ["bakery", "garden"], "ivo": ["bakery"], "eva": ["bakery", "garden"]}
    result = stable_allocation(
        prefs, {"bakery": ["eva", "ana", "ivo"], "garden": ["ana", "eva"]}, {"bakery": 1, "garden": 1}
    )
    assert result == {"ana": "garden", "ivo": None, "eva": "bakery"}
    report = allocation_report(result, preferences=prefs)
    assert (report.placed, report.unplaced, report.ranks, report.mean_rank) == (
        2,
        ("ivo",),
        {"ana": 2, "ivo": None, "eva": 1},
        1.5,
    )
    scores = {"ana": {"bakery": 0.9, "garden": 0.8}, "eva": {"bakery": 0.85}}
    report = allocation_report(welfare_allocation(scores, {"bakery": 1, "garden": 1}), scores=scores)
    assert report.total_score == pytest.approx(1.65) and report.ranks == {"ana": 2, "eva": 1}


def test_opportunity_without_a_list_or_places_accepts_no_one():
    assert stable_allocation({"a": ["x", "y"]}, {"y": ["a"]}, {"x": 3, "y": 0}) == {"a": None}


@pytest.mark.parametrize(
    ("participant_prefs", "opportunity_prefs", "capacities", "message"),
    [
        ({"a": ["x", "zz"]}, {}, {"x": 1}, "participant 'a' lists unknown opportunity 'zz'"),
        ({"a": ["x", "x"]}, {}, {"x": 1}, "participant 'a' lists opportunity 'x' more than once"),
        ({"a": ["x"]}, {"x": ["a", "b"]}, {"x": 1}, "opportunity 'x' lists unknown participant 'b'"),
        ({"a": ["x"]}, {"x": ["a", "a"]}, {"x": 1}, "opportunity 'x' lists participant 'a' more than once"),
        ({"a": ["x"]}, {"y": ["a"]}, {"x": 1}, "unknown opportunity 'y'"),
        ({"a": ["x"]}, {}, {"x": -1}, "capacity of opportunity 'x' must be a whole number >= 0, got -1"),
        ({"a": ["x"]}, {}, {"x": 1.5}, "capacity of opportunity 'x'"),
        ({"a": "x"}, {}, {"x": 1}, "participant 'a' must have a list"),
    ],
)
def test_bad_input_is_refused_with_the_problem_named(participant_prefs, opportunity_prefs, capacities, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        stable_allocation(participant_prefs, opportunity_prefs, capacities)


@pytest.mark.parametrize(
    ("scores", "capacities", "message"),
    [
        ({"a": {"zz": 1.0}}, {"x": 1}, "participant 'a' has a score for unknown opportunity 'zz'"),
        ({"a": {"x": float("nan")}}, {"x": 1}, "score of 'a' at 'x' must be finite"),
        ({"a": {"x": 1.0}}, {"x": -2}, "capacity of opportunity 'x'"),
    ],
)
def test_welfare_bad_input_is_refused(scores, capacities, message):
    with pytest.raises(ValueError, match=message):
        welfare_allocation(scores, capacities)


def test_report_needs_a_way_to_rank():
    with pytest.raises(ValueError, match="preferences or scores"):
        allocation_report({"a": None})
