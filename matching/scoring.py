"""Fit scores in [0, 1] for a feasible person-opportunity pair, and the weights that combine them."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import overload

import numpy as np

from matching.constraints import distance_km
from matching.records import Opportunity, Person, Skill
from matching.text import SkillText, default_text

__all__ = [
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "PairScore",
    "Scoring",
    "SkillMatch",
    "Weights",
    "hours_fit",
    "round_score",
    "score_pair",
]

COMPONENTS: tuple[str, ...] = ("skill", "interest", "distance", "hours", "support")
"""The score components, in the order used for feature vectors and weight arrays."""

Similarity = Callable[[Sequence[str], Sequence[str]], "np.ndarray | list[list[float]]"]

_DECIMALS = 9  # equal fits computed along different paths (reference or index) must tie exactly
_SCALE = 10.0**_DECIMALS


@dataclass(frozen=True, slots=True)
class Weights:
    """Non-negative weights of the score components, normalised to sum to 1.

    The defaults put skills first, then interest and distance, then hours and support:

    ========  ======  ====================================================
    skill     0.40    coverage of required skills (3/4), optional (1/4)
    interest  0.20    share of the opportunity's sectors the person wants
    distance  0.20    1 - distance / travel radius (or 50 km)
    hours     0.10    fewer of the two weekly hours over the larger (both ways)
    support   0.10    share of the person's support needs and wishes offered
    ========  ======  ====================================================

    Examples
    --------
    >>> Weights(skill=2, interest=1, distance=1, hours=0, support=0).skill
    0.5
    >>> Weights.from_array([1, 1, 1, 1, 0]).as_array().tolist()
    [0.25, 0.25, 0.25, 0.25, 0.0]
    """

    skill: float = 0.40
    interest: float = 0.20
    distance: float = 0.20
    hours: float = 0.10
    support: float = 0.10

    def __post_init__(self) -> None:
        values = [float(getattr(self, name)) for name in COMPONENTS]
        if not all(math.isfinite(v) and v >= 0 for v in values) or sum(values) <= 0:
            raise ValueError(f"weights must be finite, >= 0 and not all zero, got {values}")
        total = sum(values)
        for name, value in zip(COMPONENTS, values, strict=True):
            object.__setattr__(self, name, value / total)

    @classmethod
    def from_array(cls, values: Iterable[float]) -> Weights:
        """Weights from values in :data:`COMPONENTS` order."""
        return cls(*(float(v) for v in values))

    def as_array(self) -> np.ndarray:
        """The weights in :data:`COMPONENTS` order."""
        return np.array([getattr(self, name) for name in COMPONENTS])

    def as_dict(self) -> dict[str, float]:
        """The weights by component name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Scoring:
    """How pairs are scored: the weights, the text model and the shape of each score.

    Parameters
    ----------
    weights : Weights
        How the components combine (:data:`DEFAULT_WEIGHTS` unless learned ones were chosen).
    text : SkillText
        The free-text model; the default is fitted on the built-in sl/hr/en vocabulary.
    skill_threshold : float
        Below this text similarity a free-text skill does not match at all.
    skill_full_match : float
        From this similarity up, a free-text skill counts as fully matched; in between the
        credit is ``similarity / skill_full_match``. Text similarity applies only when one of
        the two skills is free text: two ESCO concepts match when they are the same concept,
        however their labels are worded, and never because their labels look alike.
    related : mapping of str to set of str
        Concepts related to a concept (ESCO URI to ESCO URIs), e.g. a broader or narrower
        skill of ESCO's hierarchy; read both ways.
    related_credit : float
        What a related concept earns: partial credit, below a match.
    required_share : float
        Share of the skill score that comes from required skills when there are optional ones too.
    distance_scale_km : float
        Distance at which the distance score reaches 0 for a person without a travel radius.

    Examples
    --------
    >>> Scoring().weights == DEFAULT_WEIGHTS
    True
    """

    weights: Weights = DEFAULT_WEIGHTS
    text: SkillText = field(default_factory=default_text, repr=False, compare=False)
    skill_threshold: float = 0.3
    skill_full_match: float = 0.6
    required_share: float = 0.75
    distance_scale_km: float = 50.0
    related: Mapping[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)
    related_credit: float = 0.5

    def __post_init__(self) -> None:
        # Relations are read both ways: store them so, once, for cheap lookups while scoring.
        both: dict[str, set[str]] = {}
        for a, others in self.related.items():
            for b in others:
                if a != b:
                    both.setdefault(a, set()).add(b)
                    both.setdefault(b, set()).add(a)
        object.__setattr__(self, "related", {a: frozenset(bs) for a, bs in both.items()})
        if not 0.0 <= self.related_credit < 1.0:
            raise ValueError(f"related_credit must be at least 0 and below 1, got {self.related_credit!r}")
        if not 0.0 <= self.skill_threshold <= self.skill_full_match <= 1.0 or self.skill_full_match <= 0.0:
            raise ValueError("need 0 <= skill_threshold <= skill_full_match <= 1 and skill_full_match > 0")
        if not 0.0 <= self.required_share <= 1.0:
            raise ValueError(f"required_share must be between 0 and 1, got {self.required_share!r}")
        if not self.distance_scale_km > 0:
            raise ValueError(f"distance_scale_km must be > 0, got {self.distance_scale_km!r}")

    def credit(self, similarity: np.ndarray | float) -> np.ndarray | float:
        """Credit in [0, 1] that a free-text similarity earns (elementwise for arrays)."""
        if isinstance(similarity, np.ndarray):
            s = similarity
            return np.where(s >= self.skill_threshold, np.minimum(1.0, s / self.skill_full_match), 0.0)
        return min(1.0, similarity / self.skill_full_match) if similarity >= self.skill_threshold else 0.0

    def are_related(self, a: str, b: str) -> bool:
        """True when concept ``a`` is listed as related to ``b`` or ``b`` to ``a``."""
        return b in self.related.get(a, ())

    def reads_similarity(self, wanted: Skill, own: Skill) -> bool:
        """Whether :meth:`concept_credit` of this pair, or what it records, depends on the texts' similarity.

        Not for the same concept (it counts as 1.0) nor for two unrelated concepts (no credit, so
        never the best match): a related concept's match records the wording's similarity.
        """
        if wanted.uri is None or own.uri is None:
            return True
        return wanted.uri != own.uri and self.are_related(wanted.uri, own.uri)

    def concept_credit(self, wanted: Skill, own: Skill, similarity: float) -> tuple[float, str]:
        """Credit and kind of match ("concept", "related", "text" or "") of ``own`` for ``wanted``."""
        if wanted.uri is not None and own.uri is not None:
            if wanted.uri == own.uri:
                return 1.0, "concept"  # the same concept counts fully, whatever the wording
            if self.are_related(wanted.uri, own.uri):
                return self.related_credit, "related"
            return 0.0, ""  # two different concepts: their labels' likeness says nothing
        credit = float(self.credit(similarity))
        return credit, "text" if credit > 0 else ""


@dataclass(frozen=True, slots=True)
class SkillMatch:
    """How well the person covers one of the opportunity's skills.

    ``by`` is the person's skill that covers it best (None if none does), ``similarity`` is 1.0
    for the same ESCO concept, else the text similarity; ``credit`` is what it adds to coverage;
    ``kind`` says how it matched: "concept" (the same ESCO concept), "related" (a related
    concept, partial credit), "text" (by wording, one side being free text) or "" (not at all).
    """

    skill: Skill
    required: bool
    by: Skill | None
    similarity: float
    credit: float
    kind: str = ""


@dataclass(frozen=True, slots=True)
class PairScore:
    """The scores of one pair: the total, each component, which components had data, and details."""

    score: float
    confidence: float
    components: dict[str, float]
    known: dict[str, bool]
    skills: tuple[SkillMatch, ...]
    distance_km: float | None


def _skill_matches(
    person: Person, opportunity: Opportunity, scoring: Scoring, similarity: Similarity
) -> tuple[SkillMatch, ...]:
    wanted = [(s, True) for s in opportunity.required_skills] + [(s, False) for s in opportunity.optional_skills]
    if not wanted or not person.skills:
        return tuple(SkillMatch(s, required, None, 0.0, 0.0) for s, required in wanted)
    rows = _closest(similarity, [s for s, _ in wanted], list(person.skills)).tolist()
    out = []
    for (skill, required), row in zip(wanted, rows, strict=True):
        best_credit, best_similarity, best, best_kind = 0.0, 0.0, None, ""
        for own, similarity_ in zip(person.skills, row, strict=True):
            credit, kind = scoring.concept_credit(skill, own, similarity_)
            if kind == "concept":
                similarity_ = 1.0
            if credit > best_credit:
                best_credit, best_similarity, best, best_kind = credit, similarity_, own, kind
        out.append(SkillMatch(skill, required, best, best_similarity, best_credit, best_kind))
    return tuple(out)


def _closest(similarity: Similarity, left: Sequence[Skill], right: Sequence[Skill]) -> np.ndarray:
    """Text similarity of every left skill with every right skill: the closest pair of their texts."""
    a = [t for skill in left for t in skill.texts]
    b = [t for skill in right for t in skill.texts]
    sims = np.asarray(similarity(a, b), dtype=np.float64).reshape(len(a), len(b))
    if len(a) == len(left) and len(b) == len(right):
        return sims  # no aliases: one text per skill
    rows = np.cumsum([0, *(len(s.texts) for s in left)])[:-1]
    cols = np.cumsum([0, *(len(s.texts) for s in right)])[:-1]
    return np.maximum.reduceat(np.maximum.reduceat(sims, rows, axis=0), cols, axis=1)


def hours_fit(person_hours: float, place_hours: float) -> float:
    """How well weekly hours agree, both ways: the smaller over the larger (1.0 when equal).

    A place asking far more hours than the person can give is a poor fit, and so is one offering
    far fewer than the person wants. A place without set hours (0) fits anyone.

    Examples
    --------
    >>> hours_fit(20, 40), hours_fit(40, 20), hours_fit(20, 20), hours_fit(0, 20)
    (0.5, 0.5, 1.0, 0.0)
    """
    if place_hours == 0:
        return 1.0
    return min(person_hours, place_hours) / max(person_hours, place_hours)


def _skill_score(matches: tuple[SkillMatch, ...], required_share: float) -> float:
    required = [m.credit for m in matches if m.required]
    optional = [m.credit for m in matches if not m.required]
    if required and optional:
        return required_share * (sum(required) / len(required)) + (1.0 - required_share) * (
            sum(optional) / len(optional)
        )
    values = required or optional
    return sum(values) / len(values)


def score_pair(
    person: Person,
    opportunity: Opportunity,
    scoring: Scoring | None = None,
    *,
    distance: float | None = None,
    similarity: Similarity | None = None,
) -> PairScore:
    """Score a pair that passed the hard constraints.

    A component without data on either side (no skills listed, no location, no hours...) is
    unknown: it scores 0 and does not count towards ``confidence``, the share of the weight
    backed by data. So a thin profile cannot look like a confident fit.

    ``distance`` (from :func:`matching.constraints.distance_km`) and ``similarity`` (a
    :class:`matching.text.SimilarityTable` covering the pair's skill labels) only save work
    when many pairs are scored; they do not change the result.

    Examples
    --------
    >>> person = Person(1, skills=["zidar"], location=(46.554, 15.646), travel_radius_km=30, hours=20)
    >>> place = Opportunity("o1", required_skills=["zidarstvo"], location=(46.420, 15.870), hours=20)
    >>> pair = score_pair(person, place)
    >>> {name: round(value, 2) for name, value in pair.components.items()}
    {'skill': 0.95, 'interest': 0.0, 'distance': 0.24, 'hours': 1.0, 'support': 0.0}
    >>> pair.score, pair.confidence
    (0.528984605, 0.7)
    """
    scoring = scoring or Scoring()
    values = dict.fromkeys(COMPONENTS, 0.0)
    known = dict.fromkeys(COMPONENTS, False)

    matches = _skill_matches(person, opportunity, scoring, similarity or scoring.text.similarity)
    if matches and person.skills:
        values["skill"], known["skill"] = _skill_score(matches, scoring.required_share), True
    if person.interests and opportunity.sectors:
        values["interest"] = len(person.interests & opportunity.sectors) / len(opportunity.sectors)
        known["interest"] = True
    d = distance if distance is not None else distance_km(person, opportunity)
    if d is not None:
        scale = person.travel_radius_km or scoring.distance_scale_km
        values["distance"], known["distance"] = max(0.0, 1.0 - d / scale), True
    if person.hours is not None and opportunity.hours is not None:
        values["hours"] = hours_fit(person.hours, opportunity.hours)
        known["hours"] = True
    wanted = person.support_needs | person.support_preferences
    if wanted:
        values["support"] = len(wanted & opportunity.support_offered) / len(wanted)
        known["support"] = True

    total = confidence = 0.0
    for name in COMPONENTS:
        weight = getattr(scoring.weights, name)
        total += weight * values[name]
        confidence += weight * known[name]
    return PairScore(
        score=round_score(total),
        confidence=round_score(confidence),
        components=values,
        known=known,
        skills=matches,
        distance_km=d,
    )


@overload
def round_score(value: float) -> float: ...
@overload
def round_score(value: np.ndarray) -> np.ndarray: ...
def round_score(value: float | np.ndarray) -> float | np.ndarray:
    """Round a total score so that equal fits computed in different orders tie exactly.

    Examples
    --------
    >>> round_score(0.1 + 0.2) == round_score(0.3)
    True
    """
    if isinstance(value, np.ndarray):
        return np.round(value, _DECIMALS)
    # numpy rounds as rint(x * 10**d) / 10**d; Python's round() to an integer is the same
    # half-to-even rint, so scalars and arrays round identically, at a fraction of the cost.
    return round(value * _SCALE) / _SCALE
