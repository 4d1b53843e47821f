"""CSV and XLSX of the indicator tables exactly as shown: same filters, same suppression ("<5") and rounding, with the note
that says so."""

from __future__ import annotations

import csv
import io
from typing import Any

from portal.complementary import HIDDEN
from portal.i18n import gettext as _
from portal.indicators.filters import Filters, month_key
from portal.indicators.model import Column, IndicatorTable

SUPPRESSED = "<5"
# A count hidden so that a suppressed one cannot be worked out from it (the page shows the same mark).
HIDDEN_MARK = "·"


def cell(column: Column, value: Any) -> Any:
    """A value for a file: suppressed counts as "<5", hidden ones as "·", missing shares and medians empty."""
    if value == HIDDEN:
        return HIDDEN_MARK
    if value is None:
        return SUPPRESSED if column.kind == "people" else ""
    return value


def disclosure_note() -> str:
    """What the page, the files and the report say about the figures (in the reader's language)."""
    return _(
        "Counts of people are rounded to the nearest 5, each on its own, so they may not add up; counts of one to "
        "four people are shown as “fewer than 5” (<5). A dot (·) marks a count hidden so that a small count "
        "cannot be worked out from the other figures. Shares are worked out from the rounded counts; places, "
        "organisations, ties and events are not rounded."
    )


def describe(f: Filters, organisation_name: str = "") -> str:
    parts = [_("Period: %(start)s to %(end)s") % {"start": month_key(f.start), "end": month_key(f.last_month)}]
    if f.country:
        parts.append(_("Country: %(country)s") % {"country": f.country})
    if f.region:
        parts.append(_("Region: %(region)s") % {"region": f.region})
    if f.organisation:
        parts.append(_("Organisation: %(name)s") % {"name": organisation_name or f.organisation})
    return "; ".join(parts)


def to_csv(table: IndicatorTable) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.label for column in table.columns])
    for row in table.rows:
        writer.writerow([cell(column, value) for column, value in zip(table.columns, row, strict=True)])
    writer.writerow([disclosure_note()])  # a file read away from the page says how its figures were made
    # With a byte-order mark, spreadsheet programs read č, š, ž as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: list[IndicatorTable], description: str) -> bytes:
    """One sheet per table: its title, the filters with how counts are shown, the column headings, the rows."""
    # Imported when a spreadsheet is first read or written: openpyxl is 8 MB a web worker would hold from its start.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    empty = book.active  # a new workbook comes with one empty sheet
    if empty is not None:
        book.remove(empty)
    for table in tables:
        sheet = book.create_sheet(table.key[:31])
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append([f"{description}. {disclosure_note()}"])
        sheet.append([column.label for column in table.columns])
        for heading in sheet[3]:
            heading.font = Font(bold=True)
        for row in table.rows:
            sheet.append([cell(column, value) for column, value in zip(table.columns, row, strict=True)])
        for index, column in enumerate(table.columns):
            sheet.column_dimensions[sheet.cell(row=3, column=index + 1).column_letter].width = max(
                12, min(40, len(column.label) + 2)
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
