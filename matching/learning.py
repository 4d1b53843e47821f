"""Learning weights from referral outcomes, and the rule for when learned weights replace the defaults."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from numbers import Real
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import Tags
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from matching.metrics import mean_ndcg
from matching.records import Outcome
from matching.scoring import COMPONENTS, DEFAULT_WEIGHTS, Weights

__all__ = ["OutcomeWeights", "WeightChoice", "choose_weights", "outcome_arrays", "time_split"]


class OutcomeWeights(ClassifierMixin, BaseEstimator):
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
        result = minimize(loss, np.zeros(n_features + 1), jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": self.max_iter})
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
        return X @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probabilities of the two classes, columns in ``classes_`` order."""
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The more likely class."""
        check_is_fitted(self)
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


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

    ``learned`` is True only when the learned weights ranked the held-out outcomes better
    (mean NDCG@k) than the defaults; ``weights`` are then fitted again on all outcomes.
    """

    weights: Weights
    learned: bool
    reason: str
    default_ndcg: float = float("nan")
    learned_ndcg: float = float("nan")
    n_outcomes: int = 0


def choose_weights(
    outcomes: Sequence[Outcome],
    *,
    default: Weights = DEFAULT_WEIGHTS,
    min_outcomes: int = 200,
    holdout: float = 0.25,
    k: int = 10,
    by: str = "opportunity",
    C: float = 1.0,
) -> WeightChoice:
    """Learn weights from outcomes, but keep ``default`` unless there are enough and they rank better.

    Learned weights are considered only with at least ``min_outcomes`` outcomes including both
    good and bad ones; they are trained on the earlier part of a time split and must beat the
    defaults' mean NDCG@k on the later part.

    Examples
    --------
    >>> choose_weights([]).reason
    'only 0 outcomes; at least 200 with both good and bad ones are needed'
    """
    X, y, times, queries = outcome_arrays(outcomes, by)
    n = len(y)
    if n < min_outcomes or y.all() or not y.any():
        return WeightChoice(default, False, f"only {n} outcomes; at least {min_outcomes} with both good and bad ones are needed", n_outcomes=n)
    train, test = time_split(times, holdout)
    if y[train].all() or not y[train].any() or not y[test].any():
        return WeightChoice(default, False, "the time split leaves one side without both good and bad outcomes", n_outcomes=n)
    held_queries = [q for q, keep in zip(queries, test, strict=True) if keep]
    model = OutcomeWeights(C=C).fit(X[train], y[train])
    default_ndcg = mean_ndcg(held_queries, y[test], X[test] @ default.as_array(), k)
    learned_ndcg = mean_ndcg(held_queries, y[test], X[test] @ model.weights_, k)
    if not learned_ndcg > default_ndcg:
        reason = f"learned weights did not rank better on held-out outcomes (NDCG@{k} {learned_ndcg:.3f} vs {default_ndcg:.3f})"
        return WeightChoice(default, False, reason, default_ndcg, learned_ndcg, n)
    weights = Weights.from_array(OutcomeWeights(C=C).fit(X, y).weights_)
    reason = f"learned weights ranked better on held-out outcomes (NDCG@{k} {learned_ndcg:.3f} vs {default_ndcg:.3f})"
    return WeightChoice(weights, True, reason, default_ndcg, learned_ndcg, n)
