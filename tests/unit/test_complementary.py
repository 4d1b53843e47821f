"""Complementary suppression: no count of one to four people can be worked out from the figures shown."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.complementary import protect, relation
from portal.disclosure import is_suppressed


def _reader_finds(shown: dict, relations: list) -> dict:
    """What a reader works out from the shown cells: subtract while some relation has one unknown left."""
    known = dict(shown)
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            cells = [total, *parts]
            unknown = [key for key in cells if key not in known]
            if len(unknown) == 1:
                key = unknown[0]
                if key == total:
                    known[key] = sum(known[p] for p in parts)
                else:
                    known[key] = known[total] - sum(known[p] for p in parts if p != key)
                changed = True
    return known


def _table(grid: list[list[int]], grand_shown: bool):
    """Cells, row and column totals and the grand total of a grid, with the relations a reader knows."""
    values, relations = {}, []
    rows, cols = len(grid), len(grid[0])
    for r in range(rows):
        for c in range(cols):
            values[(r, c)] = grid[r][c]
    for r in range(rows):
        values[("row", r)] = sum(grid[r])
        relations.append((("row", r), [(r, c) for c in range(cols)]))
    for c in range(cols):
        values[("col", c)] = sum(grid[r][c] for r in range(rows))
        relations.append((("col", c), [(r, c) for r in range(rows)]))
    values["all"] = sum(sum(row) for row in grid)
    relations.append(("all", [("row", r) for r in range(rows)]))
    relations.append(("all", [("col", c) for c in range(cols)]))
    return values, relations, set() if grand_shown else {"all"}


counts = st.one_of(st.integers(0, 6), st.integers(0, 40))


@settings(max_examples=300, deadline=None)
@given(
    grid=st.integers(1, 5).flatmap(
        lambda cols: st.lists(st.lists(counts, min_size=cols, max_size=cols), min_size=1, max_size=5)
    ),
    grand_shown=st.booleans(),
)
def test_no_small_count_can_be_worked_out_from_the_totals(grid, grand_shown):
    values, relations, virtual = _table(grid, grand_shown)
    hidden = protect(values, [relation(t, parts) for t, parts in relations], virtual)
    assert not hidden & virtual
    assert all(not is_suppressed(values[key]) for key in hidden)  # only counts of 0 or 5 and more are hidden on top
    shown = {k: v for k, v in values.items() if k not in virtual and k not in hidden and not is_suppressed(v)}
    assert all(v == 0 or v >= 5 for v in shown.values())
    found = _reader_finds(shown, relations)
    for key, value in found.items():
        assert value == values[key]  # the reader's arithmetic is right ...
        assert not is_suppressed(value), (key, value)  # ... and never reaches a small count
    # No relation's small unknown parts are pinned by their sum (two of 1-4 summing to 2 are one each).
    for total, parts in relations:
        unknown = [p for p in parts if p not in found]
        if total in found and len(unknown) >= 2 and all(is_suppressed(values[p]) for p in unknown):
            left = sum(values[p] for p in unknown)
            assert len(unknown) < left < 4 * len(unknown)


def test_all_hires_minus_hires_after_an_introduction():
    values = {"all": 12, "introduced": 9, "other": 3}
    rel = [relation("all", ["introduced", "other"])]
    assert protect(values, rel, virtual=["other"]) == {"introduced"}
    # Seven without an introduction: nothing small to give away.
    assert protect({"all": 16, "introduced": 9, "other": 7}, rel, virtual=["other"]) == set()


def test_places_taken_per_region_per_kind_and_both():
    # Two regions by two kinds; the regions' and kinds' tables are both shown, their common total is not.
    detail = {("A", "job"): 2, ("A", "trial"): 8, ("B", "job"): 6, ("B", "trial"): 9}
    values = {**detail, "A": 10, "B": 15, "job": 8, "trial": 17, "all": 25}
    relations = [
        relation("A", [("A", "job"), ("A", "trial")]),
        relation("B", [("B", "job"), ("B", "trial")]),
        relation("job", [("A", "job"), ("B", "job")]),
        relation("trial", [("A", "trial"), ("B", "trial")]),
        relation("all", ["A", "B"]),
        relation("all", ["job", "trial"]),
    ]
    hidden = protect(values, relations, virtual=["all"])
    shown = {k: v for k, v in values.items() if k not in hidden and k != "all" and k != ("A", "job")}
    found = _reader_finds(shown, [(r.total, list(r.parts)) for r in relations])
    assert ("A", "job") not in found
    # The smallest shown figures were chosen: a 2 x 2 block around the small cell.
    assert hidden == {("A", "trial"), ("B", "job"), ("B", "trial")} or len(hidden) <= 4


def test_two_small_counts_pinned_by_their_total():
    values = {"t": 11, "a": 1, "b": 1, "c": 9}
    hidden = protect(values, [relation("t", ["a", "b", "c"])])
    assert hidden == {"c"}
