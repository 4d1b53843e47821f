"""Tests for the evaluation report and its demo command."""

from __future__ import annotations

import math

import pytest

from matching import evaluate
from matching.evaluation import main
from matching.synthetic import synthetic_groups, synthetic_opportunities, synthetic_outcomes, synthetic_people


@pytest.fixture(scope="module")
def data():
    people = synthetic_people(250, seed=11)
    outcomes = synthetic_outcomes(people, synthetic_opportunities(80, seed=11), seed=11)
    return people, outcomes


def test_reports_every_method_with_measures_in_range(data):
    people, outcomes = data
    report = evaluate(outcomes, groups=synthetic_groups(people, seed=11), seed=3)
    assert list(report.methods) == ["default weights", "learned weights", "random", "distance only", "skill only"]
    for m in report.methods.values():
        for value in (m.ndcg, m.precision, m.brier, m.ece):
            assert 0.0 <= value <= 1.0
        assert set(m.exposure) == {"A", "B"}
        assert sum(b.count for b in m.reliability) == report.n_test
    assert report.n_train + report.n_test == len(outcomes)
    assert report.learned_weights is not None
    assert "NDCG@10" in report.format() and "Exposure" in report.format()


def test_random_baseline_depends_only_on_the_seed(data):
    _, outcomes = data
    first = evaluate(outcomes, seed=5).methods["random"]
    assert evaluate(outcomes, seed=5).methods["random"] == first


def test_groups_only_change_the_exposure_table(data):
    people, outcomes = data
    plain = evaluate(outcomes)
    grouped = evaluate(outcomes, groups={p.id: "g" for p in people})
    for name in plain.methods:
        assert (plain.methods[name].ndcg, plain.methods[name].brier) == (
            grouped.methods[name].ndcg,
            grouped.methods[name].brier,
        )
    assert set(plain.methods["default weights"].exposure) == {"unknown"}
    assert grouped.methods["default weights"].exposure["g"].ratio == pytest.approx(1.0)


def test_learned_row_is_left_out_when_training_has_one_class(data):
    _, outcomes = data
    from dataclasses import replace

    cut = sorted(o.time for o in outcomes)[len(outcomes) * 3 // 4]
    skewed = [replace(o, success=o.time > cut and o.success) for o in outcomes]
    report = evaluate(skewed)
    assert "learned weights" not in report.methods and report.learned_weights is None
    assert not report.choice.learned
    assert math.isfinite(report.methods["default weights"].brier)


def test_demo_command_prints_the_report(capsys):
    main(["--demo", "--people", "150", "--opportunities", "50", "--seed", "2"])
    out = capsys.readouterr().out
    assert "Synthetic demo (seed 2)" in out and "learned weights" in out and "Decision" in out


def test_command_without_demo_explains_itself(capsys):
    with pytest.raises(SystemExit):
        main([])
    assert "--demo" in capsys.readouterr().err
