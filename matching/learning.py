"""Learning weights from referral outcomes, and the rule for when learned weights replace the defaults."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import TypedDict

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import Tags
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from matching.metrics import bootstrap_interval, count_lists, ndcg_per_list
from matching.records import Outcome
from matching.scoring import COMPONENTS, DEFAULT_WEIGHTS, Weights

__all__ = [
    "GROUPINGS",
    "OutcomeWeights",
    "WeightChoice",
    "choose_weights",
    "outcome_arrays",
    "pick_grouping",
    "time_split",
]


# scikit-learn ships no type information, so its base classes are Any to mypy.
class OutcomeWeights(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Logistic regression with non-negative coefficients, whose normalised coefficients are score weights.

    Features are the component scores of past referrals (columns in
    :data:`matching.scoring.COMPONENTS` order); the label is whether the referral ended well
    (completed or hired) or not (declined or dropped out). Coefficients are kept >= 0 so that
    a better fit on a component never lowers a total score: the weights stay explainable.

    Parameters
    ----------
    C : float, default=1.0
        Inverse strength of the L2 penalty on the coefficients (as in scikit-learn).
    max_iter : int, default=500
        Iteration limit of the L-BFGS-B solver.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two outcome labels; the second is the good outcome.
    coef_ : ndarray of shape (1, n_features)
        Non-negative coefficients.
    intercept_ : ndarray of shape (1,)
        The intercept.
    weights_ : ndarray of shape (n_features,)
        ``coef_`` normalised to sum to 1 (equal weights if every coefficient is 0).
    n_features_in_ : int
        Number of features seen in ``fit``.
    n_iter_ : int
        Iterations the solver ran.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((400, 5))
    >>> y = rng.random(400) < 1 / (1 + np.exp(-(4 * X[:, 3] + X[:, 0] - 2.5)))
    >>> model = OutcomeWeights().fit(X, y)
    >>> int(np.argmax(model.weights_)), round(float(model.weights_.sum()), 6)
    (3, 1.0)
    """

    # Set by fit (scikit-learn's convention: fitted attributes end in "_").
    classes_: np.ndarray
    coef_: np.ndarray
    intercept_: np.ndarray
    weights_: np.ndarray
    n_iter_: int

    def __init__(self, C: float = 1.0, max_iter: int = 500) -> None:
        self.C = C
        self.max_iter = max_iter

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # outcomes are good or not
        return tags

    def fit(self, X: np.ndarray, y: np.ndarray) -> OutcomeWeights:
        """Fit the coefficients to outcomes ``y`` (two classes) of referrals with component scores ``X``."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        if y_type != "binary":
            raise ValueError(f"Only binary classification is supported. The type of the target is {y_type}.")
        self.classes_ = np.unique(y)
        if self.classes_.size != 2:
            raise ValueError("OutcomeWeights needs good and bad outcomes in y; got only one class")
        if isinstance(self.C, bool) or not isinstance(self.C, Real) or not self.C > 0:
            raise ValueError(f"C must be a positive number, got {self.C!r}")
        sign = np.where(y == self.classes_[1], 1.0, -1.0)
        n_features = X.shape[1]

        def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = params[:n_features], params[n_features]
            margin = sign * (X @ w + b)
            pull = -sign * expit(-margin)  # d/d(score) of log(1 + exp(-margin))
            value = self.C * np.logaddexp(0.0, -margin).sum() + 0.5 * w @ w
            grad = np.append(self.C * (X.T @ pull) + w, self.C * pull.sum())
            return float(value), grad

        bounds = [(0.0, None)] * n_features + [(None, None)]
        result = minimize(
            loss,
            np.zeros(n_features + 1),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": self.max_iter},
        )
        w = np.clip(result.x[:n_features], 0.0, None)
        self.coef_ = w[np.newaxis, :]
        self.intercept_ = np.array([result.x[n_features]])
        self.n_iter_ = max(1, int(result.nit))
        total = w.sum()
        self.weights_ = w / total if total > 0 else np.full(n_features, 1.0 / n_features)
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Log-odds of a good outcome."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        log_odds: np.ndarray = X @ self.coef_[0] + self.intercept_[0]
        return log_odds

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probabilities of the two classes, columns in ``classes_`` order."""
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The more likely class."""
        check_is_fitted(self)
        labels: np.ndarray = self.classes_[(self.decision_function(X) > 0).astype(int)]
        return labels


def outcome_arrays(
    outcomes: Sequence[Outcome], by: str = "opportunity"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Hashable]]:
    """Features (component scores), labels, times and query keys of outcomes.

    ``by`` says what a ranked list is: ``"opportunity"`` (the candidates for one place) or
    ``"person"`` (the places for one person).

    Examples
    --------
    >>> X, y, t, q = outcome_arrays([Outcome("p", "o", 1, dict.fromkeys(COMPONENTS, 0.5), True)])
    >>> X.shape, y.tolist(), q
    ((1, 5), [True], ['o'])
    """
    if by not in ("opportunity", "person"):
        raise ValueError(f"by must be 'opportunity' or 'person', got {by!r}")
    rows = []
    for o in outcomes:
        missing = [c for c in COMPONENTS if c not in o.scores]
        if missing:
            raise ValueError(f"outcome {o.person_id!r} -> {o.opportunity_id!r} lacks scores for {', '.join(missing)}")
        rows.append([float(o.scores[c]) for c in COMPONENTS])
    X = np.array(rows, dtype=np.float64).reshape(len(rows), len(COMPONENTS))
    y = np.array([bool(o.success) for o in outcomes], dtype=bool)
    times = np.array([o.time for o in outcomes])
    queries = [o.opportunity_id if by == "opportunity" else o.person_id for o in outcomes]
    return X, y, times, queries


def time_split(times: np.ndarray, holdout: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks (train, held out): the latest ``holdout`` share by time is held out.

    Outcomes at the same time stay on the same side, so nothing from the held-out period leaks
    into training.

    Examples
    --------
    >>> train, test = time_split(np.array([1, 2, 2, 3, 4]), holdout=0.4)
    >>> train.tolist(), test.tolist()
    ([True, True, True, False, False], [False, False, False, True, True])
    """
    if not 0.0 < holdout < 1.0:
        raise ValueError(f"holdout must be between 0 and 1, got {holdout!r}")
    ordered = np.sort(times)
    n_train = len(times) - max(1, math.ceil(holdout * len(times)))
    if n_train < 1:
        raise ValueError("too few outcomes to hold any out")
    cutoff = ordered[n_train - 1]
    train = times <= cutoff
    if train.all():
        raise ValueError("every outcome has the same time, so there is no later period to hold out")
    return train, ~train


@dataclass(frozen=True, slots=True)
class WeightChoice:
    """Which weights to use and why.

    ``learned`` is True only when the learned weights ranked the held-out outcomes better than
    the defaults by more than the noise: the lower end of a bootstrap interval of the mean NDCG@k
    difference over held-out lists is above zero. ``weights`` are then fitted again on all
    outcomes. ``gain_low`` and ``gain_high`` are that interval; ``lists`` the informative held-out
    lists it rests on, and ``by`` what a list is. ``code`` names the decision: "too_few" outcomes,
    no time "split", "few_lists" informative lists, "not_better" or "better".
    """

    weights: Weights
    learned: bool
    reason: str
    default_ndcg: float = float("nan")
    learned_ndcg: float = float("nan")
    n_outcomes: int = 0
    gain_low: float = float("nan")
    gain_high: float = float("nan")
    lists: int = 0
    by: str = ""
    code: str = ""


class _Figures(TypedDict):
    """The measured part of a `WeightChoice`, shared by its two outcomes."""

    default_ndcg: float
    learned_ndcg: float
    n_outcomes: int
    gain_low: float
    gain_high: float
    lists: int
    by: str


GROUPINGS: tuple[str, ...] = ("person", "opportunity")
"""What a ranked list can be: the places one person was referred to, or the people referred to one place."""


def pick_grouping(outcomes: Sequence[Outcome], holdout: float = 0.25) -> str:
    """The grouping ("person" or "opportunity") with more informative held-out lists; "person" on a tie.

    The counsellor's list (per person) is what the portal ranks, so it is preferred; per
    opportunity is used when people rarely have two outcomes.

    Examples
    --------
    >>> pick_grouping([Outcome("p", f"o{i}", i, dict.fromkeys(COMPONENTS, 0.5), i % 2 == 0) for i in range(8)])
    'person'
    """
    if not outcomes:
        return "person"
    best, most = "person", -1
    for by in GROUPINGS:
        _, y, times, queries = outcome_arrays(outcomes, by)
        try:
            _, test = time_split(times, holdout)
        except ValueError:
            return "person"
        informative = count_lists([q for q, t in zip(queries, test, strict=True) if t], y[test]).informative
        if informative > most:
            best, most = by, informative
    return best


def choose_weights(
    outcomes: Sequence[Outcome],
    *,
    default: Weights = DEFAULT_WEIGHTS,
    min_outcomes: int = 200,
    holdout: float = 0.25,
    k: int = 10,
    by: str = "auto",
    C: float = 1.0,
    min_lists: int = 10,
    level: float = 0.95,
    seed: int = 0,
) -> WeightChoice:
    """Learn weights from outcomes, but keep ``default`` unless they rank better by more than the noise.

    Learned weights are considered only with at least ``min_outcomes`` outcomes including both
    good and bad ones. They are trained on the earlier part of a time split; on the later part,
    each informative list (see :func:`matching.metrics.ndcg_per_list`; per person, per
    opportunity, or ``"auto"``: :func:`pick_grouping`) gives the NDCG@k difference between
    learned and default weights. With at least ``min_lists`` such lists, the learned weights are
    used only when the lower end of the ``level`` bootstrap interval of the mean difference is
    above zero.

    Examples
    --------
    >>> choose_weights([]).reason
    'only 0 outcomes; at least 200 with both good and bad ones are needed'
    """
    by = pick_grouping(outcomes, holdout) if by == "auto" else by
    X, y, times, queries = outcome_arrays(outcomes, by)
    n = len(y)
    if n < min_outcomes or y.all() or not y.any():
        return WeightChoice(
            default,
            False,
            f"only {n} outcomes; at least {min_outcomes} with both good and bad ones are needed",
            n_outcomes=n,
            by=by,
            code="too_few",
        )
    train, test = time_split(times, holdout)
    if y[train].all() or not y[train].any() or not y[test].any():
        return WeightChoice(
            default,
            False,
            "the time split leaves one side without both good and bad outcomes",
            n_outcomes=n,
            by=by,
            code="split",
        )
    held_queries = [q for q, keep in zip(queries, test, strict=True) if keep]
    model = OutcomeWeights(C=C).fit(X[train], y[train])
    default_lists = ndcg_per_list(held_queries, y[test], X[test] @ default.as_array(), k)
    learned_lists = ndcg_per_list(held_queries, y[test], X[test] @ model.weights_, k)
    lists = int(default_lists.size)
    if lists < min_lists:
        reason = (
            f"only {lists} held-out lists (per {by}) have both good and bad outcomes; "
            f"at least {min_lists} are needed to tell a better ranking from noise"
        )
        return WeightChoice(default, False, reason, n_outcomes=n, lists=lists, by=by, code="few_lists")
    default_ndcg, learned_ndcg = float(default_lists.mean()), float(learned_lists.mean())
    low, high = bootstrap_interval(learned_lists - default_lists, level=level, seed=seed)
    figures = (
        f"NDCG@{k} {learned_ndcg:.3f} vs {default_ndcg:.3f} on {lists} held-out lists per {by}; "
        f"gain {level:.0%} interval {low:+.3f} to {high:+.3f}"
    )
    result = _Figures(
        default_ndcg=default_ndcg,
        learned_ndcg=learned_ndcg,
        n_outcomes=n,
        gain_low=low,
        gain_high=high,
        lists=lists,
        by=by,
    )
    if not low > 0:
        return WeightChoice(
            default,
            False,
            f"learned weights did not rank better by more than the noise ({figures})",
            **result,
            code="not_better",
        )
    weights = Weights.from_array(OutcomeWeights(C=C).fit(X, y).weights_)
    return WeightChoice(
        weights, True, f"learned weights ranked better by more than the noise ({figures})", **result, code="better"
    )
