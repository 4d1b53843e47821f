"""Tests for the ranking, calibration and exposure measures."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matching.metrics import (
    ListCounts,
    bootstrap_interval,
    brier_score,
    count_lists,
    expected_calibration_error,
    exposure_by_group,
    mean_ndcg,
    mean_precision,
    ndcg_at_k,
    ndcg_per_list,
    precision_at_k,
    reliability,
)


def test_ndcg_is_one_for_a_perfect_order_and_lower_otherwise():
    assert ndcg_at_k([1, 1, 0, 0], [4, 3, 2, 1]) == pytest.approx(1.0)
    assert ndcg_at_k([1, 1, 0, 0], [1, 2, 3, 4]) < 0.7
    assert math.isnan(ndcg_at_k([0, 0], [1, 2]))


def test_ndcg_cuts_at_k_and_ties_keep_input_order():
    assert ndcg_at_k([0, 1], [0.5, 0.5], k=1) == 0.0
    assert ndcg_at_k([1, 0], [0.5, 0.5], k=1) == 1.0


def test_means_skip_lists_without_a_good_outcome_for_ndcg_only():
    queries, y, s = ["a", "a", "b", "b"], [1, 0, 0, 0], [2, 1, 2, 1]
    assert mean_ndcg(queries, y, s) == 1.0
    assert mean_precision(queries, y, s, k=1) == 0.5
    assert precision_at_k([1, 0, 0], [3, 2, 1], k=5) == pytest.approx(1 / 3)


def test_calibration_measures():
    assert brier_score([1, 0, 1], [1.0, 0.0, 1.0]) == 0.0
    bins = reliability([1, 0, 1, 0], [0.9, 0.1, 0.8, 0.2], bins=5)
    assert [(b.low, b.count) for b in bins] == [(0.0, 1), (0.2, 1), (0.8, 2)]
    assert expected_calibration_error([1, 1], [1.0, 1.0]) == 0.0


def test_exposure_counts_how_often_and_how_high():
    result = exposure_by_group(
        ["o1", "o1", "o1", "o2", "o2"], ["a", "b", "c", "a", "c"], [3, 2, 1, 1, 2], {"a": "x", "b": "y"}, k=2
    )
    assert result["x"].appearances == 2 and result["x"].mean_rank == 1.5
    assert result["y"].appearances == 1
    assert result["unknown"].appearances == 1 and result["unknown"].people == 1
    total = sum(e.exposure * e.people for e in result.values())
    assert sum(e.ratio * e.people for e in result.values()) == pytest.approx(3.0)
    assert total > 0


def test_lists_that_cannot_tell_rankings_apart_are_left_out():
    # "b" holds one outcome and "c" only good ones: any order ranks them perfectly.
    queries, relevance = ["a", "a", "b", "c", "c"], [1, 0, 1, 1, 1]
    assert count_lists(queries, relevance) == ListCounts(lists=3, two_or_more=2, informative=1)
    assert ndcg_per_list(queries, relevance, [0.9, 0.1, 0.5, 0.2, 0.3]).tolist() == [1.0]
    assert mean_ndcg(queries, relevance, [0.1, 0.9, 0.5, 0.2, 0.3]) == pytest.approx(0.6309, abs=1e-4)


def test_bootstrap_interval_narrows_with_more_lists_and_holds_the_mean():
    rng = np.random.default_rng(0)
    few, many = rng.random(10), rng.random(1000)
    low_few, high_few = bootstrap_interval(few, seed=1)
    low_many, high_many = bootstrap_interval(many, seed=1)
    assert low_few <= few.mean() <= high_few and low_many <= many.mean() <= high_many
    assert high_many - low_many < high_few - low_few
    assert all(np.isnan(v) for v in bootstrap_interval([]))
