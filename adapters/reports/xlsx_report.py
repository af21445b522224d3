"""The task list as Excel, like the spreadsheet monitors keep today: one row per task,
the report's columns, a filter on every column and the header frozen."""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from adapters.reports.rows import COLUMNS, Translate, cells, period, summary, title
from engine.reading.period_reports import PeriodReport

COLUMN_WIDTHS = (8, 60, 30, 30, 14, 16, 60)
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")


def render_xlsx(report: PeriodReport, t: Translate) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = t("Tasks")[:31]
    sheet.append([t(label) for label in COLUMNS])
    for row in report.rows:
        sheet.append(cells(row, t))
    _format(sheet)
    _about(book.create_sheet(t("Summary")[:31]), report, t)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _format(sheet) -> None:
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A1:{last}{sheet.max_row}"
    sheet.freeze_panes = "A2"  # the header stays while scrolling
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _about(sheet, report: PeriodReport, t: Translate) -> None:
    """The heading and the counts, on a sheet of their own so the list stays filterable."""
    for line in (title(report, t), period(report, t), summary(report, t)):
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 120
