"""The task list as Excel, like the spreadsheet monitors keep today: one row per task,
the report's columns, deadlines as real dates (they sort and filter as dates), set
widths, a filter on every column and the header frozen; then the same list for each
lead unit on a sheet of its own, to send each unit its part."""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from adapters.reports.rows import COLUMNS, Translate, cells, period, summary, title, writable
from engine.reading.period_reports import PeriodReport, ReportRow

COLUMN_WIDTHS = (8, 60, 30, 30, 14, 16, 60)
DEADLINE = COLUMNS.index("Deadline")
# What spreadsheet programs read as the start of a formula: staff type these (a
# result "=HYPERLINK(...)", a "-" list, "+84 ..."), and they must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
DATE_FORMAT = "DD/MM/YYYY"
_NOT_IN_SHEET_NAMES = str.maketrans({c: " " for c in "[]:*?/\\"})


def render_xlsx(report: PeriodReport, t: Translate) -> bytes:
    book = Workbook()
    _task_sheet(book.active, t("Tasks"), report.rows, t)
    _about(book.create_sheet(t("Summary")[:31]), report, t)
    units = sorted({u for row in report.rows for u in row.task.lead}, key=lambda u: u.name)
    taken = set(book.sheetnames)
    for unit in units:
        rows = [row for row in report.rows if unit in row.task.lead]
        _task_sheet(book.create_sheet(_sheet_name(unit.name, taken)), None, rows, t)
    formulas_as_text(book)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _task_sheet(sheet, name: str | None, rows: list[ReportRow], t: Translate) -> None:
    if name:
        sheet.title = name[:31]
    sheet.append([t(label) for label in COLUMNS])
    for row in rows:
        values: list = cells(row, t)
        if row.task.due_on is not None:
            values[DEADLINE] = row.task.due_on  # a date cell; undated tasks keep their text
        sheet.append(values)
    _format(sheet)
    for (cell,) in sheet.iter_rows(min_row=2, min_col=DEADLINE + 1, max_col=DEADLINE + 1):
        cell.number_format = DATE_FORMAT


def _sheet_name(name: str, taken: set[str]) -> str:
    """A unit's name as Excel allows a sheet's: 31 characters, none of []:*?/\\, unique."""
    base = " ".join(writable(name).translate(_NOT_IN_SHEET_NAMES).split())[:31] or "?"
    candidate, n = base, 2
    while candidate.lower() in {x.lower() for x in taken}:
        suffix = f" ({n})"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def formulas_as_text(book: Workbook) -> None:
    """Every cell of the book that would start a formula is written as text, marked
    quoted so that editing it in Excel keeps it text (no formula injection)."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.data_type, cell.quotePrefix = "s", True


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
