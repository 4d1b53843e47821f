"""Dates and numbers are formatted once per value and language and kept: each language still reads its own."""

from __future__ import annotations

import datetime as dt

from portal.i18n import use_language
from portal.i18n.formatting import format_date, format_number


def test_a_kept_number_or_date_is_written_in_each_language_its_own_way():
    day = dt.date(2026, 3, 4)
    with use_language("en"):
        english = (format_number(1234.5, 2), format_number(0.5, 2), format_number(1234), format_date(day))
    with use_language("sl"):
        slovene = (format_number(1234.5, 2), format_number(0.5, 2), format_number(1234), format_date(day))
    with use_language("en"):
        again = (format_number(1234.5, 2), format_number(0.5, 2), format_number(1234), format_date(day))
    assert english == again == ("1,234.50", "0.50", "1,234", "Mar 4, 2026")
    assert slovene[:3] == ("1.234,50", "0,50", "1.234") and slovene[3] != english[3]
    with use_language("en"):
        # An int and a float that are equal are kept apart: 2 has no decimals, 2.5 rounds to the pattern.
        assert (format_number(2), format_number(2.0), format_number(2.5, 0)) == ("2", "2", "2")
        assert format_date(dt.datetime(2026, 3, 4, 23, 59, tzinfo=dt.UTC)) == "Mar 4, 2026"
