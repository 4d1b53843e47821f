"""Transparent profiling: named criteria, each answer's points and reason, and the support level they give."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from portal.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class Answer:
    code: str
    label: object
    points: int
    reason: object


@dataclass(frozen=True)
class Criterion:
    code: str
    label: object
    answers: tuple[Answer, ...]

    def answer(self, code: str) -> Answer | None:
        return next((a for a in self.answers if a.code == code), None)


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "months_out_of_work",
        _l("Time out of work"),
        (
            Answer("lt6", _l("Less than 6 months"), 0, _l("Recently in work")),
            Answer("6to12", _l("6 to 12 months"), 1, _l("Out of work for over half a year")),
            Answer("12to24", _l("1 to 2 years"), 2, _l("Long-term unemployed")),
            Answer("gt24", _l("More than 2 years"), 3, _l("Very long-term unemployed")),
        ),
    ),
    Criterion(
        "months_social_assistance",
        _l("Time on social assistance"),
        (
            Answer("none", _l("None"), 0, _l("No social assistance")),
            Answer("lt12", _l("Less than a year"), 1, _l("Short spell on social assistance")),
            Answer("12to36", _l("1 to 3 years"), 2, _l("Long-term recipient of social assistance")),
            Answer("gt36", _l("More than 3 years"), 3, _l("Very long-term recipient of social assistance")),
        ),
    ),
    Criterion(
        "health",
        _l("Health limitation"),
        (
            Answer("none", _l("None"), 0, _l("No known limitation")),
            Answer("some", _l("Some"), 1, _l("A limitation that needs adjustments")),
            Answer("severe", _l("Severe"), 2, _l("A limitation that needs strong support")),
        ),
    ),
    Criterion(
        "education",
        _l("Education"),
        (
            Answer("secondary", _l("Secondary or higher"), 0, _l("Completed secondary education")),
            Answer("vocational", _l("Vocational"), 1, _l("Lower vocational education only")),
            Answer("primary", _l("Primary or none"), 2, _l("No education beyond primary school")),
        ),
    ),
    Criterion(
        "housing",
        _l("Housing"),
        (
            Answer("stable", _l("Stable"), 0, _l("Stable housing")),
            Answer("insecure", _l("Insecure"), 1, _l("Housing at risk")),
            Answer("homeless", _l("Homeless"), 3, _l("Without a home")),
        ),
    ),
    Criterion(
        "debt",
        _l("Debt"),
        (
            Answer("none", _l("None or manageable"), 0, _l("No debt problems")),
            Answer("arrears", _l("Arrears"), 1, _l("Arrears that weigh on daily life")),
            Answer("enforcement", _l("Enforcement"), 2, _l("Debt under enforcement")),
        ),
    ),
    Criterion(
        "care_duties",
        _l("Care duties"),
        (
            Answer("none", _l("None"), 0, _l("No care duties")),
            Answer("some", _l("Some"), 1, _l("Care duties limit the hours")),
            Answer("heavy", _l("Heavy"), 2, _l("Care duties limit availability strongly")),
        ),
    ),
    Criterion(
        "motivation",
        _l("Motivation"),
        (
            Answer("high", _l("High"), 0, _l("Wants to take part")),
            Answer("mixed", _l("Mixed"), 1, _l("Unsure about taking part")),
            Answer("low", _l("Low"), 2, _l("Needs encouragement to take part")),
        ),
    ),
)
CRITERIA_BY_CODE = {criterion.code: criterion for criterion in CRITERIA}

SUPPORT_LEVELS = {"low": _l("Low support"), "medium": _l("Medium support"), "high": _l("High support")}
# Inclusive lower bounds of total points for each level; the most points possible is 18.
LEVEL_THRESHOLDS = (("high", 9), ("medium", 4), ("low", 0))


@dataclass(frozen=True)
class ScoredCriterion:
    criterion: Criterion
    answer: Answer


@dataclass(frozen=True)
class Assessment:
    scored: tuple[ScoredCriterion, ...]
    points: int
    level: str


def assess(answers: Mapping[str, str]) -> tuple[Assessment | None, dict[str, str]]:
    """Score an answer for every criterion; return the assessment or, per criterion, what is missing."""
    from portal.i18n import gettext as _

    errors, scored = {}, []
    for criterion in CRITERIA:
        answer = criterion.answer(str(answers.get(criterion.code) or ""))
        if answer is None:
            errors[criterion.code] = _("Choose an answer.")
        else:
            scored.append(ScoredCriterion(criterion, answer))
    if errors:
        return None, errors
    points = sum(item.answer.points for item in scored)
    level = next(level for level, minimum in LEVEL_THRESHOLDS if points >= minimum)
    return Assessment(tuple(scored), points, level), {}
