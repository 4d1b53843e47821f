"""Plain input records for matching: skills, people, opportunities and past referral outcomes.

The records carry only what matching may use. There is no field for gender, age, nationality,
ethnicity or health, and :meth:`Person.from_mapping` reads only the fields below, so such
attributes in a caller's data never reach a score.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, Self

from matching.text import fold

__all__ = ["Opportunity", "Outcome", "Person", "Skill", "as_opportunity", "as_person"]

_URI_PREFIXES = ("http://", "https://")


@dataclass(frozen=True, slots=True)
class Skill:
    """A skill: an ESCO concept URI, a free-text label, or both; a concept may carry its other labels.

    Two skills with the same URI match exactly; when one side is free text, the texts are
    compared (see :class:`matching.text.SkillText`): the label and the ``aliases`` (a concept's
    labels in other languages and its alternative wordings), the closest one counting.

    Examples
    --------
    >>> Skill.of("zidar")
    Skill(uri=None, label='zidar', aliases=())
    >>> Skill.of("http://data.europa.eu/esco/skill/19858dd3-a5fe-4855-b644-6ecfefd1c384").uri is not None
    True
    >>> Skill("esco:cook", "kuhati", aliases=["cook", "kuhati", " kuhanje "]).texts
    ('kuhati', 'cook', 'kuhanje')
    """

    uri: str | None = None
    label: str = ""
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        uri = (self.uri or "").strip() or None
        label = " ".join(str(self.label or "").split())
        if uri is None and not label:
            raise ValueError("a skill needs a URI or a label")
        if isinstance(self.aliases, str):
            raise TypeError("aliases must be a sequence of labels, not one string")
        aliases = tuple(dict.fromkeys(a for a in (" ".join(str(x).split()) for x in self.aliases) if a and a != label))
        object.__setattr__(self, "uri", uri)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "aliases", aliases)

    @property
    def texts(self) -> tuple[str, ...]:
        """The label and the aliases: every wording free text is compared with."""
        return (self.label, *self.aliases)

    @classmethod
    def of(cls, value: Skill | str | Mapping[str, Any]) -> Skill:
        """A skill from a ``Skill``, a URI or label string, or a mapping with ``uri`` and/or ``label``."""
        if isinstance(value, Skill):
            return value
        if isinstance(value, str):
            text = value.strip()
            return cls(uri=text) if text.startswith(_URI_PREFIXES) else cls(label=text)
        if isinstance(value, Mapping):
            return cls(uri=value.get("uri"), label=value.get("label") or "", aliases=tuple(value.get("aliases") or ()))
        raise TypeError(f"cannot read a skill from {value!r}")

    @property
    def name(self) -> str:
        """The label if there is one, else the URI: what to show a person."""
        return self.label or str(self.uri)


def _skills(values: Iterable[Any]) -> tuple[Skill, ...]:
    if isinstance(values, (str, Skill, Mapping)):
        values = (values,)
    return tuple(dict.fromkeys(v if type(v) is Skill else Skill.of(v) for v in values))


def _terms(values: Iterable[str]) -> frozenset[str]:
    """Languages, sectors, interests and support kinds compare case- and diacritic-insensitively."""
    if isinstance(values, str):
        values = (values,)
    if isinstance(values, (frozenset, tuple)) and all(type(v) is str for v in values):
        return _shared_terms(values)
    return _folded_terms(values)


@functools.lru_cache(maxsize=4096)
def _shared_terms(values: frozenset[str] | tuple[str, ...]) -> frozenset[str]:
    """:func:`_folded_terms`, one set shared by every record with the same terms.

    100,000 places hold a few hundred distinct sets of languages, sectors and support: sharing
    them took 60 MB off an index of that size (a set of a few strings is about 200 bytes).
    """
    return _folded_terms(values)


def _folded_terms(values: Iterable[str]) -> frozenset[str]:
    terms = frozenset(fold(str(v)).strip() for v in values)
    return terms - {""} if "" in terms else terms


def _count(value: Any, name: str) -> int:
    if type(value) is not int and (isinstance(value, bool) or int(value) != value) or value < 0:
        raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    return int(value)


def _optional_number(value: Any, name: str) -> float | None:
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return number


def _location(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    lat, lon = (float(v) for v in value)
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"location must be (latitude, longitude) in degrees, got {value!r}")
    return (lat, lon)


def _date(value: Any, name: str) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise ValueError(f"{name} must be a date or an ISO date string, got {value!r}")


@functools.lru_cache(maxsize=16_384)
def _shared(value: Any) -> Any:
    """One object for equal values of an immutable kind (a day, a number of hours, a status).

    100,000 places repeat a few hundred days, a few dozen hours and one status: each its own
    object took 140 bytes a place (12 MB of the records of an index of that size).
    """
    return value


def _check_period(start: date | None, end: date | None, what: str) -> None:
    if start is not None and end is not None and start > end:
        raise ValueError(f"{what} starts after it ends ({start} > {end})")


class _FromMapping:
    __slots__ = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Self:
        """Build the record from the known keys of ``data``; every other key is ignored."""
        # The records that use this mixin are dataclasses; the mixin itself is not one.
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{key: value for key, value in data.items() if key in names})


@dataclass(frozen=True, slots=True)
class Person(_FromMapping):
    """A participant's matching profile (pseudonymous; consent is checked by the caller).

    Parameters
    ----------
    id : hashable
        The caller's identifier.
    skills : iterable of Skill, str or mapping
        ESCO URIs and/or free-text labels.
    interests : iterable of str
        Interests and sectors the person wants to work in.
    languages : iterable of str
        Languages the person speaks (codes such as ``"sl"``, compared case-insensitively).
    hours : float, optional
        Hours per week the person can give.
    travel_radius_km : float, optional
        How far the person can travel; ``None`` means no limit.
    location : (latitude, longitude), optional
        Where the person lives, in degrees.
    support_needs : iterable of str
        Support an opportunity must offer (a hard constraint), e.g. ``"accessible_premises"``.
    support_preferences : iterable of str
        Support that helps but is not required; it only raises the support score.
    available_from, available_until : date or ISO string, optional
        When the person can take part; missing ends are open.

    Examples
    --------
    >>> p = Person.from_mapping({"id": 7, "languages": ["SL"], "gender": "f", "age": 44})
    >>> p.languages, hasattr(p, "gender")
    (frozenset({'sl'}), False)
    """

    id: Hashable
    skills: tuple[Skill, ...] = ()
    interests: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    hours: float | None = None
    travel_radius_km: float | None = None
    location: tuple[float, float] | None = None
    support_needs: frozenset[str] = frozenset()
    support_preferences: frozenset[str] = frozenset()
    available_from: date | None = None
    available_until: date | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "skills", _skills(self.skills))
        for name in ("interests", "languages", "support_needs", "support_preferences"):
            set_(self, name, _terms(getattr(self, name)))
        set_(self, "hours", _shared(_optional_number(self.hours, "hours")))
        set_(self, "travel_radius_km", _shared(_optional_number(self.travel_radius_km, "travel_radius_km")))
        set_(self, "location", _location(self.location))
        set_(self, "available_from", _shared(_date(self.available_from, "available_from")))
        set_(self, "available_until", _shared(_date(self.available_until, "available_until")))
        _check_period(self.available_from, self.available_until, "availability")

    @property
    def is_empty(self) -> bool:
        """True when nothing that scores a fit is known: no skills, interests, place, hours or support."""
        return not (
            self.skills
            or self.interests
            or self.location
            or self.hours is not None
            or self.support_needs
            or self.support_preferences
        )


@dataclass(frozen=True, slots=True)
class Opportunity(_FromMapping):
    """An opportunity posted by an organisation: a programme place, work trial, training or job.

    Parameters
    ----------
    id : hashable
        The caller's identifier.
    required_skills, optional_skills : iterable of Skill, str or mapping
        Skills the place needs and skills that help.
    sectors : iterable of str
        Sectors the place belongs to (matched against the person's interests).
    languages : iterable of str
        Languages the person must speak.
    hours : float, optional
        Hours per week.
    location : (latitude, longitude), optional
        Where the work happens, in degrees.
    support_offered : iterable of str
        Support the organisation offers (mentor, flexible hours, accessible premises...).
    start, end : date or ISO string, optional
        The period of the opportunity; missing ends are open.
    capacity : int
        Number of places.
    places_taken : int
        Places already filled.
    status : str
        Only ``"open"`` opportunities are recommended.

    Examples
    --------
    >>> o = Opportunity(id="o1", required_skills=["zidar"], capacity=2, places_taken=2)
    >>> o.places_left, o.is_open
    (0, True)
    """

    id: Hashable
    required_skills: tuple[Skill, ...] = ()
    optional_skills: tuple[Skill, ...] = ()
    sectors: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    hours: float | None = None
    location: tuple[float, float] | None = None
    support_offered: frozenset[str] = frozenset()
    start: date | None = None
    end: date | None = None
    capacity: int = 1
    places_taken: int = 0
    status: str = "open"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "required_skills", _skills(self.required_skills))
        set_(self, "optional_skills", tuple(s for s in _skills(self.optional_skills) if s not in self.required_skills))
        for name in ("sectors", "languages", "support_offered"):
            set_(self, name, _terms(getattr(self, name)))
        set_(self, "hours", _shared(_optional_number(self.hours, "hours")))
        set_(self, "location", _location(self.location))
        set_(self, "start", _shared(_date(self.start, "start")))
        set_(self, "end", _shared(_date(self.end, "end")))
        _check_period(self.start, self.end, "the opportunity")
        set_(self, "capacity", _count(self.capacity, "capacity"))
        set_(self, "places_taken", _count(self.places_taken, "places_taken"))
        set_(self, "status", _shared(str(self.status).strip().lower()))

    @property
    def places_left(self) -> int:
        """Capacity not yet taken (never negative)."""
        return max(0, self.capacity - self.places_taken)

    @property
    def is_open(self) -> bool:
        """True when the status is ``"open"``."""
        return self.status == "open"


@dataclass(frozen=True, slots=True)
class Outcome:
    """A past referral with a known result, for learning and evaluation.

    Parameters
    ----------
    person_id, opportunity_id : hashable
        Who was referred where.
    time : date, datetime or number
        When the referral was made; held-out splits are by this time.
    scores : mapping of str to float
        The component scores of the pair when it was referred (``Match.explanation.components``).
    success : bool
        True for completed or hired; False for declined or dropped out.

    Examples
    --------
    >>> Outcome("p1", "o1", 3, {"skill": 0.5, "interest": 1.0, "distance": 0.8, "hours": 1.0, "support": 0.0}, True).success
    True
    """

    person_id: Hashable
    opportunity_id: Hashable
    time: Any
    scores: Mapping[str, float] = field(default_factory=dict)
    success: bool = False


def as_person(value: Person | Mapping[str, Any]) -> Person:
    """A :class:`Person` from a record or a mapping (unknown keys, e.g. ``gender``, are dropped)."""
    return value if isinstance(value, Person) else Person.from_mapping(value)


def as_opportunity(value: Opportunity | Mapping[str, Any]) -> Opportunity:
    """An :class:`Opportunity` from a record or a mapping (unknown keys are dropped)."""
    return value if isinstance(value, Opportunity) else Opportunity.from_mapping(value)
