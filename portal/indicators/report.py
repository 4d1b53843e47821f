"""The printable period report (PDF, fpdf2): every indicator table with a simple bar chart, and the targets."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from portal.complementary import HIDDEN
from portal.i18n import format_number
from portal.i18n import gettext as _
from portal.indicators.exports import HIDDEN_MARK, SUPPRESSED, disclosure_note
from portal.indicators.model import Column, IndicatorTable, Section
from portal.settings import PROJECT_ROOT

FONTS = PROJECT_ROOT / "static" / "vendor" / "fonts"
BAR_COLOUR = (31, 94, 153)
# A chart of more bars than this would not be readable on a page; its table follows anyway.
MAX_BARS = 24


def text(column: Column, value: Any) -> str:
    if value == HIDDEN:
        return HIDDEN_MARK
    if value is None:
        return SUPPRESSED if column.kind == "people" else "–"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value, 1) if isinstance(value, float) and value != int(value) else format_number(value)
    return str(value)


class Report(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.title_text = title
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(True, margin=15)
        self.set_title(title)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 6, f"{self.title_text} · {self.page_no()}", align="C")

    def heading(self, words: str, size: int = 14) -> None:
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, size * 0.5, words, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def paragraph(self, words: str, size: int = 9) -> None:
        self.set_font("DejaVu", "", size)
        self.multi_cell(0, 4.5, words, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def bars(self, table: IndicatorTable) -> None:
        """Horizontal bars of the table's first charted column, one per row (suppressed rows have none)."""
        columns = table.chart_columns()
        if not table.chart or not columns or not table.rows or len(table.rows) > MAX_BARS:
            return
        index = columns[0]
        values = [row[index] for row in table.rows]
        largest = max((v for v in values if isinstance(v, (int, float))), default=0)
        if not largest:
            return
        self.set_font("DejaVu", "", 7)
        self.cell(0, 5, table.columns[index].label, new_x="LMARGIN", new_y="NEXT")
        label_width, bar_room = 45, self.epw - 45 - 18
        for row, value in zip(table.rows, values, strict=True):
            if self.will_page_break(4.5):
                self.add_page()
            y = self.get_y()
            self.cell(label_width, 4, str(row[0])[:30])
            width = bar_room * (value / largest) if isinstance(value, (int, float)) else 0
            if width:
                self.set_fill_color(*BAR_COLOUR)
                self.rect(self.l_margin + label_width, y + 0.5, width, 3, style="F")
            self.set_xy(self.l_margin + label_width + width + 1, y)
            self.cell(17, 4, text(table.columns[index], value), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def table_of(self, table: IndicatorTable) -> None:
        self.set_font("DejaVu", "", 7)
        with self.table(
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 242)),
            line_height=4,
            text_align="LEFT",
            first_row_as_headings=True,
        ) as grid:
            header = grid.row()
            for column in table.columns:
                header.cell(column.label)
            for values in table.rows:
                row = grid.row()
                for column, value in zip(table.columns, values, strict=True):
                    row.cell(text(column, value))
        self.ln(3)


def render(
    title: str, description: str, sections: list[tuple[Section, list[IndicatorTable]]], targets: list[dict[str, Any]]
) -> bytes:
    pdf = Report(title)
    pdf.add_page()
    pdf.heading(title, 16)
    pdf.paragraph(description)
    pdf.paragraph(disclosure_note())
    if targets:
        pdf.heading(_("Targets"), 12)
        columns = [
            Column("indicator", _("Indicator"), "label"),
            Column("scope", _("Where"), "label"),
            Column("period", _("Period"), "label"),
            Column("value", _("Target"), "count"),
            Column("actual", _("Actual"), "people"),
            Column("progress", _("Reached (%)"), "percent"),
        ]
        rows = [
            [
                t["label"],
                t["region"] or t["country"] or _("Everywhere"),
                f"{t['period_start']:%Y-%m} – {t['period_end']:%Y-%m}",
                t["value"],
                t["actual"],
                t["progress"],
            ]
            for t in targets
        ]
        pdf.table_of(IndicatorTable("targets", _("Targets"), columns, rows, chart=""))
    for section, tables in sections:
        pdf.heading(section.title(), 13)
        for table in tables:
            pdf.heading(table.title, 10)
            if table.note:
                pdf.paragraph(table.note, 8)
            if not table.rows:
                pdf.paragraph(_("Nothing in this period."), 8)
                continue
            pdf.bars(table)
            pdf.table_of(table)
    return bytes(pdf.output())
