"""Hypothesis strategies for matching: small pools of skills, places and terms, so random cases overlap."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from matching import Opportunity, Person, Skill

ESCO_MASON = "http://data.europa.eu/esco/skill/mason"
ESCO_COOK = "http://data.europa.eu/esco/skill/cook"

SKILLS = [
    Skill(uri=ESCO_MASON, label="zidar"),
    Skill(label="zidarstvo"),
    Skill(label="kuhar"),
    Skill(uri=ESCO_COOK, label="kuharica"),
    Skill(uri=ESCO_COOK, label="cook"),
    Skill(label="prodajalka"),
    Skill(label="računalništvo"),
    Skill(label="računalstvo"),
    Skill(uri="http://data.europa.eu/esco/skill/first-aid"),
    # Two concepts whose labels look alike: only a relation may give credit between them.
    Skill(uri="http://data.europa.eu/esco/skill/lab-tests", label="perform laboratory tests"),
    Skill(uri="http://data.europa.eu/esco/skill/lab-tests-footwear", label="perform laboratory tests on footwear"),
    Skill(label="perform laboratory tests"),
    # A concept known by several labels (other languages, alternative wordings), and typed words for it.
    Skill(uri=ESCO_COOK, label="kuhati zelenjavne jedi", aliases=("cook vegetable products", "kuhanje zelenjave")),
    Skill(label="kuhanje"),
    Skill(label="zelenjava", aliases=("vegetables",)),
]
RELATED = {
    "http://data.europa.eu/esco/skill/lab-tests-footwear": {"http://data.europa.eu/esco/skill/lab-tests"},
    ESCO_MASON: {"http://data.europa.eu/esco/skill/first-aid"},
}
SECTORS = ["care", "retail", "hospitality", "construction"]
LANGUAGES = ["sl", "hr", "en"]
SUPPORT = ["mentor", "transport", "flexible_hours", "accessible_premises"]
# A few fixed points make equal distances, zero distances and boundary radii likely.
POINTS = [(46.42, 15.87), (46.55, 15.65), (46.31, 16.34), (45.81, 15.98)]
PROTECTED = ["gender", "age", "nationality", "ethnicity", "health", "disability", "religion"]

locations = st.one_of(
    st.none(),
    st.sampled_from(POINTS),
    st.tuples(st.floats(45.5, 46.8), st.floats(13.5, 17.0)),
)
dates = st.one_of(st.none(), st.integers(0, 400).map(lambda d: date(2025, 1, 1) + timedelta(days=d)))
hours = st.one_of(st.none(), st.sampled_from([0.0, 10.0, 20.0, 40.0]), st.floats(0.0, 60.0))


def _ordered(a: date | None, b: date | None) -> tuple[date | None, date | None]:
    return (b, a) if a is not None and b is not None and a > b else (a, b)


@st.composite
def person_data(draw: st.DrawFn, id: object = "p") -> dict:
    start, end = _ordered(draw(dates), draw(dates))
    return {
        "id": id,
        "skills": draw(st.lists(st.sampled_from(SKILLS), max_size=4, unique=True)),
        "interests": draw(st.sets(st.sampled_from(SECTORS), max_size=2)),
        "languages": draw(st.sets(st.sampled_from(LANGUAGES), max_size=3)),
        "hours": draw(hours),
        "travel_radius_km": draw(st.one_of(st.none(), st.sampled_from([0.0, 5.0, 30.0, 80.0, 300.0]))),
        "location": draw(locations),
        "support_needs": draw(st.sets(st.sampled_from(SUPPORT), max_size=1)),
        "support_preferences": draw(st.sets(st.sampled_from(SUPPORT), max_size=2)),
        "available_from": start,
        "available_until": end,
    }


@st.composite
def opportunity_data(draw: st.DrawFn, id: object = "o") -> dict:
    start, end = _ordered(draw(dates), draw(dates))
    skills = draw(st.lists(st.sampled_from(SKILLS), max_size=4, unique=True))
    split = draw(st.integers(0, len(skills)))
    capacity = draw(st.integers(0, 3))
    return {
        "id": id,
        "required_skills": skills[:split],
        "optional_skills": skills[split:],
        "sectors": draw(st.sets(st.sampled_from(SECTORS), max_size=2)),
        "languages": draw(st.sets(st.sampled_from(LANGUAGES), max_size=1)),
        "hours": draw(hours),
        "location": draw(locations),
        "support_offered": draw(st.sets(st.sampled_from(SUPPORT), max_size=3)),
        "start": start,
        "end": end,
        "capacity": capacity,
        "places_taken": draw(st.integers(0, capacity)),
        "status": draw(st.sampled_from(["open", "open", "open", "closed"])),
    }


def people(max_size: int = 12) -> st.SearchStrategy[list[Person]]:
    return st.integers(0, max_size).flatmap(
        lambda n: st.tuples(*(person_data(id=f"p{i}") for i in range(n))).map(lambda ds: [Person(**d) for d in ds])
    )


def opportunities(max_size: int = 12) -> st.SearchStrategy[list[Opportunity]]:
    return st.integers(0, max_size).flatmap(
        lambda n: st.tuples(*(opportunity_data(id=f"o{i}") for i in range(n))).map(
            lambda ds: [Opportunity(**d) for d in ds]
        )
    )


protected_attributes = st.fixed_dictionaries(
    {
        "gender": st.sampled_from(["f", "m", "x", None]),
        "age": st.integers(16, 70),
        "nationality": st.sampled_from(["SI", "HR", "BA", "RS", "UA"]),
        "ethnicity": st.sampled_from(["a", "b", "c"]),
        "health": st.sampled_from(["none", "chronic illness", "disability"]),
        "religion": st.sampled_from(["x", "y"]),
    }
)
