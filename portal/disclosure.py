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
