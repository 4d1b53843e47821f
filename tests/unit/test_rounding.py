"""Rounding counts of people to the nearest five: the rule, the indicators' one gate, and what a reader can no longer work out."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from portal.complementary import HIDDEN, protect, relation
from portal.disclosure import rounded
from portal.indicators.model import Column, IndicatorTable, people, percent, suppressed

COUNTS = st.integers(min_value=0, max_value=10_000_000)


@given(COUNTS)
def test_a_rounded_count_is_a_multiple_of_five_within_two_and_one_to_four_is_never_shown(count):
    shown = rounded(count)
    if 1 <= count <= 4:
        assert shown is None
        return
    assert shown is not None
    assert shown % 5 == 0 and abs(shown - count) <= 2
    assert (shown == 0) == (count == 0)  # zero points at nobody; five or more never reads as zero
    assert rounded(shown) == shown  # rounding what is shown changes nothing (the gate may run twice)


@given(COUNTS, COUNTS)
def test_rounding_keeps_the_order_of_counts(a, b):
    low, high = sorted((a, b))
    if not 1 <= low <= 4 and not 1 <= high <= 4:
        assert rounded(low) <= rounded(high)


def test_the_rule_at_each_remainder():
    assert [rounded(n) for n in range(0, 16)] == [0, *[None] * 4, 5, 5, 5, 10, 10, 10, 10, 10, 15, 15, 15]
    assert people(None) == 0 and people(7) == 5 and people(8) == 10


def _others(country: int, region: int) -> set[int]:
    """Every count of one to four the other region could hold, as a reader who knows the rule works it out from
    the country's figure and this region's as shown (every exact pair that is shown the same way)."""
    shown_country, shown_region = rounded(country), rounded(region)
    return {
        other
        for other in range(1, 5)
        for guess in range(max(0, region - 10), region + 11)
        if rounded(guess) == shown_region and rounded(guess + other) == shown_country
    }


def test_a_country_less_its_region_no_longer_gives_the_other_region_away():
    # 23 in the country, 22 in one of its two regions: shown exactly, 23 - 22 said the other region holds 1.
    assert (rounded(23), rounded(22)) == (25, 20)
    assert _others(23, 22) == {1, 2, 3, 4}
    # Even at the edge of a step (10 and 11 both shown as 10) the reader is left with more than one count.
    assert len(_others(11, 10)) > 1


@given(st.integers(min_value=0, max_value=100_000).filter(lambda n: not 1 <= n <= 4), st.integers(1, 4))
def test_no_difference_of_two_rounded_figures_pins_a_small_count(region, other):
    # (Two small counts under one shown total, 4 + 4 shown as 10, are each known to be 4 whether rounded or
    # not: portal.complementary hides such a total, see test_complementary.)
    assert len(_others(region + other, region)) > 1


def test_two_small_counts_under_a_total_shown_as_ten_are_left_to_complementary_suppression():
    assert rounded(8) == 10 and _others(8, 4) == {4}  # the reader would know both are four...
    assert protect({"a": 4, "b": 4, "t": 8}, [relation("t", ["a", "b"])]) == {"t"}  # ...so the total is hidden


def test_the_gate_rounds_counts_of_people_only_and_keeps_what_is_hidden():
    table = IndicatorTable(
        "t",
        "T",
        [
            Column("label", "Label", "label"),
            Column("people", "People"),
            Column("places", "Places", "count"),
            Column("share", "Share", "percent"),
            Column("days", "Days", "days"),
        ],
        [["a", 7, 7, 71.4, 12.5], ["b", 3, 3, None, None], ["c", HIDDEN, 13, None, 3], ["d", 0, 0, None, 4.4]],
    )
    rows = suppressed(table).rows
    assert rows == [
        ["a", 5, 7, 71.4, 13],  # a median of an even count ends in .5: shown in whole days
        ["b", None, 3, None, None],
        ["c", HIDDEN, 13, None, 3],
        ["d", 0, 0, None, 4],
    ]
    assert suppressed(table).rows == rows  # the gate again changes nothing


def test_a_share_is_of_the_rounded_figures():
    # 6 of 13 people: shown as 5 of 15, and the share says 33.3 %, not the 46.2 % that would give 6 and 13 back.
    part, whole = people(6), people(13)
    assert (part, whole, percent(part, whole)) == (5, 15, 33.3)
    assert percent(None, 15) is None and percent(HIDDEN, 15) is None and percent(5, 0) is None
