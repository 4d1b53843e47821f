"""Kept participant records: the same as made fresh, made again when the row changes, and bounded in number."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

import matching
from portal.matching_service import person_cache, records

_STAMP = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _row(pid: int, *, skills: tuple[str, ...] = ("sorting",), stamp: dt.datetime = _STAMP, **changes) -> dict:
    row = {
        "id": pid,
        "skills": json.dumps([{"uri": "", "label": label} for label in skills]),
        "interests": "reuse_repair",
        "languages": "sl,en",
        "hours_per_week": 20,
        "travel_km": 25,
        "latitude": 46.42,
        "longitude": 15.87,
        "support_needs": "mentor",
        "available_from": None,
        "updated_at": stamp,
    }
    return {**row, **changes}


class _Counting:
    """records.person, counting the rows it was asked to make."""

    def __init__(self) -> None:
        self.made: list[int] = []

    def __call__(self, row):
        self.made.append(row["id"])
        return records.person(row)


def test_a_kept_record_equals_one_made_fresh_and_is_made_once():
    make = _Counting()
    cache = person_cache.PersonCache(make, capacity=10)
    first = cache.person(_row(1))
    again = cache.person(_row(1))
    assert again is first and first == records.person(_row(1))
    assert make.made == [1] and (cache.hits, cache.misses) == (1, 1)
    assert cache.many([_row(2), _row(1)]) == {2: records.person(_row(2)), 1: first}


def test_a_new_stamp_makes_the_record_again():
    make = _Counting()
    cache = person_cache.PersonCache(make, capacity=10)
    cache.person(_row(1))
    later = _STAMP + dt.timedelta(seconds=1)
    changed = cache.person(_row(1, skills=("welding",), stamp=later))
    assert [s.label for s in changed.skills] == ["welding"] and make.made == [1, 1]
    # The same stamp is kept again; the old one is no longer.
    assert cache.person(_row(1, skills=("welding",), stamp=later)) is changed and make.made == [1, 1]


@pytest.mark.parametrize(
    "change",
    [
        {"skills": ("welding",)},
        {"languages": "hr"},
        {"travel_km": 5},
        {"latitude": None},
        {"support_needs": ""},
        {"available_from": dt.date(2027, 1, 1)},
    ],
)
def test_a_column_changed_without_a_new_stamp_is_not_served_stale(change):
    # A pseudonymisation (or a migration) writes columns without stamping updated_at.
    cache = person_cache.PersonCache(records.person, capacity=10)
    cache.person(_row(1))
    assert cache.person(_row(1, **change)) == records.person(_row(1, **change)) != records.person(_row(1))


def test_a_row_read_with_its_version_is_kept_while_that_version_and_stamp_are():
    # PostgreSQL's xmin: every committed change of a row gives it another, stamped or not.
    make = _Counting()
    cache = person_cache.PersonCache(make, capacity=10)
    made = cache.person(_row(1, version=700))
    assert cache.kept({"id": 1, "version": 700, "updated_at": _STAMP}) is made
    assert cache.kept({"id": 1, "version": 701, "updated_at": _STAMP}) is None
    assert cache.kept({"id": 1, "version": 700, "updated_at": _STAMP + dt.timedelta(seconds=1)}) is None
    assert cache.kept({"id": 2, "version": 700, "updated_at": _STAMP}) is None
    changed = cache.person(_row(1, skills=("welding",), version=701))
    assert changed is not made and [s.label for s in changed.skills] == ["welding"] and make.made == [1, 1]
    assert cache.kept({"id": 1, "version": 701, "updated_at": _STAMP}) is changed


def test_a_record_kept_by_its_columns_is_not_taken_for_a_version():
    cache = person_cache.PersonCache(records.person, capacity=10)
    cache.person(_row(1))  # read without a version (SQLite): its columns decide
    assert cache.kept({"id": 1, "version": 700, "updated_at": _STAMP}) is None
    assert cache.person(_row(1, version=700)) == records.person(_row(1)) and cache.misses == 2


def test_the_cache_is_bounded_and_drops_the_least_recently_used():
    make = _Counting()
    cache = person_cache.PersonCache(make, capacity=3)
    for pid in (1, 2, 3):
        cache.person(_row(pid))
    cache.person(_row(1))  # used again: 2 is now the oldest
    cache.person(_row(4))
    assert len(cache) == 3 and 2 not in cache and all(pid in cache for pid in (1, 3, 4))
    for pid in range(100, 200):
        cache.person(_row(pid))
    assert len(cache) == 3
    with pytest.raises(ValueError):
        person_cache.PersonCache(records.person, capacity=0)


def test_the_employer_view_has_no_travel_radius_and_forget_empties_both():
    person_cache.forget()
    seen = person_cache.employer_view.person(_row(7))
    assert seen.travel_radius_km is None and seen == person_cache.as_employer_sees(_row(7))
    assert person_cache.people.person(_row(7)).travel_radius_km == 25
    person_cache.forget()
    assert len(person_cache.people) == len(person_cache.employer_view) == 0


def test_people_share_one_record_per_skill():
    first, second = records.person(_row(1)), records.person(_row(2))
    assert first.skills[0] is second.skills[0]


def _opening() -> matching.Opportunity:
    return matching.Opportunity(
        "o1", required_skills=[matching.Skill(label="sorting")], location=(46.42, 15.87), support_offered=["mentor"]
    )


def test_a_kept_index_ranks_as_a_fresh_one_and_is_reused_only_for_the_same_records():
    cache = person_cache.PersonCache(records.person)
    indexes = person_cache.IndexCache(capacity=2)
    scoring = matching.Scoring()
    window = [cache.person(_row(pid, skills=("sorting",) if pid % 2 else ("cooking",))) for pid in range(1, 7)]
    first = indexes.index(window, scoring)
    ranked = first.ranked(_opening(), top=6)
    assert len(ranked) == 6 and ranked == matching.PersonIndex(window, scoring=scoring).ranked(_opening(), top=6)
    again = [cache.person(_row(pid, skills=("sorting",) if pid % 2 else ("cooking",))) for pid in range(1, 7)]
    assert indexes.index(again, scoring) is first  # unchanged rows: the same records, the kept index
    assert indexes.index(list(reversed(window)), scoring) is not first  # another order breaks ties otherwise
    changed = [*window[:-1], cache.person(_row(6, skills=("sorting",), stamp=_STAMP + dt.timedelta(seconds=1)))]
    fresh = indexes.index(changed, scoring)
    assert fresh is not first
    assert [r.person_id for r in fresh.ranked(_opening(), top=6)][:4] == [1, 3, 5, 6]  # 6 now sorts too
    assert indexes.misses == 3 and indexes.hits == 1
    assert indexes.index(window, scoring) is not first  # capacity 2: the least recently used went


def test_a_kept_index_takes_the_callers_weights_but_not_another_text_model():
    indexes = person_cache.IndexCache()
    window = [records.person(_row(pid)) for pid in range(1, 4)]
    scoring = matching.Scoring()
    index = indexes.index(window, scoring)
    other = dataclasses.replace(
        scoring, weights=matching.Weights(skill=1.0, interest=0, distance=0, hours=0, support=0)
    )
    assert indexes.index(window, other) is index and index.scoring is other
    text = matching.SkillText().fit(["sorting", "cooking"])
    assert indexes.index(window, matching.Scoring(text=text)) is not index
