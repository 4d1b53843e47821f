"""Kept participant records: the same as made fresh, made again when the row changes, and bounded in number."""

from __future__ import annotations

import datetime as dt
import json

import pytest

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
