"""Small-count suppression: the one rule for every count the portal shows that could point at a person."""

from __future__ import annotations

# A count of one to four people in a municipality, an organisation or a month can name someone
# to a reader who knows the place; such counts are shown as "fewer than 5", never as the number.
SMALLEST_SHOWN = 5


def is_suppressed(count: int) -> bool:
    """Whether a count of people must be hidden (zero is safe: it points at nobody).

    >>> [is_suppressed(n) for n in (0, 1, 4, 5)]
    [False, True, True, False]
    """
    return 0 < count < SMALLEST_SHOWN


def shown(count: int) -> int | None:
    """The count as it may be shown: None where it is suppressed (templates print "fewer than 5").

    >>> shown(3), shown(0), shown(12)
    (None, 0, 12)
    """
    return None if is_suppressed(count) else count


def total_gives_away(counts: list[int]) -> bool:
    """Whether the total of ``counts``, shown beside the counts as shown, gives a suppressed one away.

    The total minus the shown counts is the sum of the suppressed ones, each one to four: one
    suppressed count is that sum itself, and several are known each when the sum is the least or
    the most they can make (two summing to 2 are one each; two summing to 8, four each).

    >>> total_gives_away([9, 3]), total_gives_away([9, 2, 3]), total_gives_away([12, 1, 1]), total_gives_away([9, 0])
    (True, False, True, False)
    """
    small = [count for count in counts if is_suppressed(count)]
    if not small:
        return False
    left = sum(small)
    return len(small) == 1 or left <= len(small) or left >= len(small) * (SMALLEST_SHOWN - 1)


# A figure shown exactly can be set against another shown exactly (a country and its regions, a month and the
# months around it, a page and the public summary) and their difference be a small count. Counts of people on
# the indicator pages are therefore each rounded to the nearest multiple of ROUNDING_BASE, independently, after
# suppression: a difference of two rounded figures then says only that the small count lies in a range.
ROUNDING_BASE = 5


def rounded(count: int) -> int | None:
    """The count as the indicators show it: None for one to four, else the nearest multiple of five.

    Five is odd, so a whole count is never half-way between two multiples: 7 is 5, 8 is 10, and the
    rounded figure is never more than two from the count.

    >>> [rounded(n) for n in (0, 3, 5, 7, 8, 12, 13)]
    [0, None, 5, 5, 10, 10, 15]
    """
    if is_suppressed(count):
        return None
    return ROUNDING_BASE * ((count + ROUNDING_BASE // 2) // ROUNDING_BASE)
