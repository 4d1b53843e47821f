"""Explanations: why a pair was recommended, in parts a counsellor can check, and the result record."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from matching.records import Opportunity, Person, Skill
from matching.scoring import COMPONENTS, PairScore, Scoring, Similarity, SkillMatch, Weights, score_pair

__all__ = ["NOTES", "Explanation", "Match", "explain", "explain_pair"]

NOTES: dict[str, str] = {
    "empty_profile": "The profile is empty: this match only passes the hard constraints and is not ranked by fit.",
    "low_confidence": "Less than half of the score's weight rests on data from both sides; treat the ranking with care.",
    "no_skills_on_profile": "The profile lists no skills, so skills are not scored.",
    "no_skills_listed": "The opportunity lists no skills, so skills are not scored.",
    "no_interests_on_profile": "The profile lists no interests or sectors.",
    "no_sectors_listed": "The opportunity lists no sector.",
    "distance_unknown": "A location is missing, so distance is not scored.",
    "hours_unknown": "Weekly hours are missing on one side, so hours are not scored.",
    "no_support_wanted": "The person needs and wishes for no particular support.",
}
"""English text for each note code; the portal translates by code."""

_UNKNOWN_NOTES = {
    "skill": ("no_skills_on_profile", "no_skills_listed"),
    "interest": ("no_interests_on_profile", "no_sectors_listed"),
    "distance": ("distance_unknown", "distance_unknown"),
    "hours": ("hours_unknown", "hours_unknown"),
    "support": ("no_support_wanted", "no_support_wanted"),
}


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a pair scored what it did.

    Attributes
    ----------
    matched_skills : tuple of SkillMatch
        The opportunity's skills the person covers, with the covering skill and its credit.
    missing_required : tuple of Skill
        Required skills the person does not cover: the skill gap, which points to training.
    missing_optional : tuple of Skill
        Optional skills the person does not cover.
    distance_km : float or None
        Great-circle distance, if both locations are known.
    support_offered : tuple of str
        Support the person needs or wishes for that the opportunity offers.
    components : dict of str to float
        Each component's score in [0, 1].
    contributions : dict of str to float
        Each component's weight times its score; they add up to the total score.
    unknown : tuple of str
        Components without data on one side (scored 0, not counted in the confidence).
    notes : tuple of str
        Codes of :data:`NOTES` that apply.
    """

    matched_skills: tuple[SkillMatch, ...]
    missing_required: tuple[Skill, ...]
    missing_optional: tuple[Skill, ...]
    distance_km: float | None
    support_offered: tuple[str, ...]
    components: dict[str, float]
    contributions: dict[str, float]
    unknown: tuple[str, ...]
    notes: tuple[str, ...]

    def summary(self) -> list[str]:
        """The explanation as short English sentences."""
        lines = []
        if self.matched_skills:
            lines.append("Matches: " + ", ".join(_describe(m) for m in self.matched_skills) + ".")
        if self.missing_required:
            lines.append("Missing required skills: " + ", ".join(s.name for s in self.missing_required) + ".")
        if self.distance_km is not None:
            lines.append(f"Distance: {self.distance_km:.1f} km.")
        if self.support_offered:
            lines.append("Support offered that the person needs or wants: " + ", ".join(self.support_offered) + ".")
        parts = ", ".join(f"{name} {value:.2f}" for name, value in self.contributions.items() if value > 0)
        lines.append(f"Score parts: {parts or 'none'}.")
        lines.extend(NOTES[code] for code in self.notes)
        return lines


def _describe(m: SkillMatch) -> str:
    if m.by is None or m.by == m.skill:
        return m.skill.name
    return f"{m.skill.name} (by {m.by.name}, {m.similarity:.2f})"


@dataclass(frozen=True, slots=True)
class Match:
    """One recommendation: a feasible pair, its total score in [0, 1], the confidence and the explanation."""

    person_id: Hashable
    opportunity_id: Hashable
    score: float
    confidence: float
    explanation: Explanation


def explain(person: Person, opportunity: Opportunity, pair: PairScore, weights: Weights) -> Explanation:
    """Turn a :class:`~matching.scoring.PairScore` into an :class:`Explanation`.

    Examples
    --------
    >>> person, place = Person(1), Opportunity("o1", required_skills=["kuhar"])
    >>> e = explain(person, place, score_pair(person, place), Weights())
    >>> [s.name for s in e.missing_required], e.notes
    (['kuhar'], ('empty_profile',))
    """
    contributions = {name: getattr(weights, name) * pair.components[name] for name in COMPONENTS}
    unknown = tuple(name for name in COMPONENTS if not pair.known[name])
    if person.is_empty:
        notes: tuple[str, ...] = ("empty_profile",)
    else:
        person_side = {
            "skill": not person.skills,
            "interest": not person.interests,
            "distance": person.location is None,
            "hours": person.hours is None,
            "support": True,
        }
        notes = tuple(dict.fromkeys(_UNKNOWN_NOTES[name][0 if person_side[name] else 1] for name in unknown))
        if pair.confidence < 0.5:
            notes = ("low_confidence", *notes)
    wanted = person.support_needs | person.support_preferences
    return Explanation(
        matched_skills=tuple(m for m in pair.skills if m.credit > 0),
        missing_required=tuple(m.skill for m in pair.skills if m.required and m.credit == 0),
        missing_optional=tuple(m.skill for m in pair.skills if not m.required and m.credit == 0),
        distance_km=pair.distance_km,
        support_offered=tuple(sorted(wanted & opportunity.support_offered)),
        components=dict(pair.components),
        contributions=contributions,
        unknown=unknown,
        notes=notes,
    )


def explain_pair(
    person: Person,
    opportunity: Opportunity,
    scoring: Scoring | None = None,
    *,
    distance: float | None = None,
    similarity: Similarity | None = None,
) -> Match:
    """Score and explain one pair; it does not check the hard constraints (the callers do).

    ``distance`` and ``similarity`` save work as in :func:`matching.scoring.score_pair`.

    Examples
    --------
    >>> person = Person(1, skills=["kuhar"], interests=["hospitality"], languages=["sl"])
    >>> place = Opportunity("o1", required_skills=["kuharica"], sectors=["Hospitality"])
    >>> m = explain_pair(person, place)
    >>> m.score, m.confidence, m.explanation.summary()[0]
    (0.550527371, 0.6, 'Matches: kuharica (by kuhar, 0.53).')
    """
    scoring = scoring or Scoring()
    pair = score_pair(person, opportunity, scoring, distance=distance, similarity=similarity)
    return Match(
        person_id=person.id,
        opportunity_id=opportunity.id,
        score=pair.score,
        confidence=pair.confidence,
        explanation=explain(person, opportunity, pair, scoring.weights),
    )
