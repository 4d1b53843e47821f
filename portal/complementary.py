"""Complementary (secondary) suppression: hide more cells so that no suppressed count follows from the figures shown.

Cells are counts of people, each shown or not; a *relation* says that one cell (a total) is the sum of
others, as a reader knows it (a row total, a column total, "all hires" of which "hires after an
introduction" are a part, the same places counted per region and per kind). Some cells are never
shown (a *virtual* cell such as "hires without an introduction", or a grand total no table prints)
but take part in relations all the same.

A reader who knows the shown cells works out any cell that is the only unknown of a relation, and
then goes on with what they found (each step one subtraction). A count of one to four people (see
:mod:`portal.disclosure`) must not be found that way; nor may the unknown counts of a relation be
pinned by their bounds (two suppressed counts summing to 2 are one each). :func:`protect` hides, for
each such relation, its smallest shown count of at least five, and repeats until nothing is found.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from portal.disclosure import SMALLEST_SHOWN, is_suppressed

# A shown cell of a people-count table hidden only so that a small count cannot be worked out (it is not small).
HIDDEN = "hidden"


@dataclass(frozen=True)
class Relation:
    """``total`` = the sum of ``parts`` (cell keys)."""

    total: Hashable
    parts: tuple[Hashable, ...]

    @property
    def cells(self) -> tuple[Hashable, ...]:
        return (self.total, *self.parts)


def relation(total: Hashable, parts: Iterable[Hashable]) -> Relation:
    return Relation(total, tuple(parts))


def _derived(shown: set[Hashable], relations: list[Relation]) -> dict[Hashable, Relation]:
    """Every cell a reader works out from the shown ones, one subtraction at a time, with the relation that gave it."""
    known = set(shown)
    found: dict[Hashable, Relation] = {}
    changed = True
    while changed:
        changed = False
        for rel in relations:
            unknown = [key for key in rel.cells if key not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                found[unknown[0]] = rel
                changed = True
    return found


def _pinned(rel: Relation, values: Mapping[Hashable, int], known: set[Hashable]) -> bool:
    """Whether a relation's unknown parts are each known from their sum (its total known): n small counts
    (1 to 4) summing to n are one each, summing to 4n four each; with hidden counts (5 or more) among them,
    a sum at the least they can make gives each away too."""
    if rel.total not in known:
        return False
    unknown = [key for key in rel.parts if key not in known]
    if len(unknown) < 2:
        return False
    left = sum(values[key] for key in unknown)
    small = sum(1 for key in unknown if is_suppressed(values[key]))
    if small == len(unknown):
        return left <= small or left >= small * (SMALLEST_SHOWN - 1)
    return left <= small + (len(unknown) - small) * SMALLEST_SHOWN


def protect(
    values: Mapping[Hashable, int], relations: Iterable[Relation], virtual: Iterable[Hashable] = ()
) -> set[Hashable]:
    """The shown cells (not small, not virtual) to hide as well, so that no count of one to four people in
    ``values`` can be worked out from the rest with the ``relations``.

    >>> protect({"all": 12, "introduced": 10, "other": 2}, [relation("all", ["introduced", "other"])], ["other"])
    {'introduced'}
    >>> protect({"a": 3, "b": 9, "c": 7, "t": 19}, [relation("t", ["a", "b", "c"])])
    {'c'}
    """
    relations = list(relations)
    virtual = set(virtual)
    small = {key for key, value in values.items() if is_suppressed(value)}
    hidden: set[Hashable] = set()
    while True:
        shown = {key for key in values if key not in virtual and key not in small and key not in hidden}
        derived = _derived(shown, relations)
        known = shown | set(derived)
        leaks = [(derived[key], key) for key in values if key in small and key in derived]
        leaks += [(rel, None) for rel in relations if _pinned(rel, values, known)]
        if not leaks:
            return hidden
        rel, leaked = leaks[0]
        hidden |= _to_hide(rel, leaked, values, shown, derived)


def _to_hide(
    rel: Relation,
    leaked: Hashable | None,
    values: Mapping[Hashable, int],
    shown: set[Hashable],
    derived: dict[Hashable, Relation],
) -> set[Hashable]:
    """The smallest shown count of five or more in the relation that gave a count away; when it has none, all
    it shows (zeros); when it shows nothing, the same in the relations its worked-out cells came from."""
    queue, seen = [rel], set()
    while queue:
        rel = queue.pop(0)
        if rel in seen:
            continue
        seen.add(rel)
        candidates = [key for key in rel.cells if key in shown and key != leaked and values[key] >= SMALLEST_SHOWN]
        if candidates:
            return {min(candidates, key=lambda key: (values[key], str(key)))}
        rest = {key for key in rel.cells if key in shown}
        if rest:
            return rest
        queue.extend(derived[key] for key in rel.cells if key in derived)
    raise AssertionError("a count was worked out from no shown figure")  # the derivation starts from shown cells
