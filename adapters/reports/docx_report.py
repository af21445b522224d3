"""The plan's progress report as Word, in the form of Decree 30/2020/NĐ-CP, ready to be
numbered, signed and sent: the issuing unit and the national heading side by side, the
number and symbol and the place and date under them (left to fill), the kind of
document and its title, the body (the period, the counts, the late tasks with their
reasons, the table of tasks), the recipients (*Nơi nhận*) and the signer's block."""
from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from adapters.reports.rows import COLUMNS, Translate, cells, note, period, summary, title, writable
from engine.errors import N_
from engine.reading.period_reports import PeriodReport
from engine.reading.progress import OVERDUE

# Decree 30/2020/ND-CP: administrative documents in Times New Roman, 13-14 pt.
FONT, SIZE = "Times New Roman", Pt(13)
COLUMN_WIDTHS_CM = (1.3, 7.0, 3.6, 3.6, 2.6, 2.4, 5.5)


BLANK = "……"
RECIPIENTS = (N_("- As above;"), N_("- The office's leadership (to report);"), N_("- Archived: VT."))


def render_docx(report: PeriodReport, t: Translate) -> bytes:
    document = Document()
    _page(document)
    _letterhead(document, report, t)
    _centered(document, t("REPORT"), bold=True, size=Pt(14))
    heading = document.add_paragraph(style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(heading, title(report, t).upper(), bold=True, size=Pt(14))
    _centered(document, period(report, t), italic=True)
    document.add_paragraph(summary(report, t))
    _late(document, report, t)
    document.add_paragraph(t("The state of every task:"))
    _table(document, report, t)
    _closing(document, t)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _page(document: Document) -> None:
    section = document.sections[0]
    # A seven-column table needs the width: the list is printed landscape.
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2)
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, SIZE
    title_style = document.styles["Title"]
    title_style.font.name, title_style.font.color.rgb = FONT, None


def _letterhead(document: Document, report: PeriodReport, t: Translate) -> None:
    """Decree 30, annex I: issuing unit | national heading; number and symbol | place and
    date. The number, the unit's symbol and the place are the clerk's to fill when the
    report is registered; the date line is written out as the decree asks."""
    head = document.add_table(rows=2, cols=2)
    (left, right), (number, place) = head.rows[0].cells, head.rows[1].cells
    _run(left.paragraphs[0], writable(report.monitor or "").upper(), bold=True)
    _run(right.paragraphs[0], t("SOCIALIST REPUBLIC OF VIET NAM"), bold=True)
    _run(right.add_paragraph(), t("Independence - Freedom - Happiness"), bold=True)
    _run(number.paragraphs[0], t("No.: %(number)s/BC-%(symbol)s") % {"number": BLANK, "symbol": BLANK})
    date = report.as_of
    _run(place.paragraphs[0], t("%(place)s, day %(day)s month %(month)s year %(year)s") % {
        "place": BLANK, "day": f"{date.day:02d}", "month": f"{date.month:02d}" if date.month < 3 else date.month,
        "year": date.year}, italic=True)
    for cell in (left, right, number, place):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _late(document: Document, report: PeriodReport, t: Translate) -> None:
    """The late tasks with their reasons: what the leadership reads first."""
    late = [row for row in report.rows if row.task.state == OVERDUE]
    _run(document.add_paragraph(), t("Overdue tasks (%(n)s):") % {"n": len(late)}, bold=True)
    for row in late:
        units = ", ".join(u.name for u in row.task.lead)
        document.add_paragraph(writable(f"- {row.task.ref} {row.task.title} ({units}): {note(row, t)}"))


def _closing(document: Document, t: Translate) -> None:
    """Recipients on the left; the signer's title and name on the right, left to fill."""
    block = document.add_table(rows=1, cols=2)
    recipients, signer = block.rows[0].cells
    _run(recipients.paragraphs[0], t("Recipients:"), bold=True, italic=True, size=Pt(12))
    for line in RECIPIENTS:
        _run(recipients.add_paragraph(), t(line), size=Pt(11))
    _run(signer.paragraphs[0], t("TITLE OF THE SIGNER"), bold=True)
    _run(signer.add_paragraph(), t("(Signature, full name)"), italic=True)
    for _ in range(3):
        signer.add_paragraph()
    _run(signer.add_paragraph(), t("Full name of the signer"), bold=True)
    for paragraph in signer.paragraphs:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _table(document: Document, report: PeriodReport, t: Translate) -> None:
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, COLUMNS):
        _run(cell.paragraphs[0], t(label), bold=True)
    for row in report.rows:
        for cell, text in zip(table.add_row().cells, cells(row, t)):
            cell.paragraphs[0].text = text
    for column, width in zip(table.columns, COLUMN_WIDTHS_CM):
        for cell in column.cells:
            cell.width = Cm(width)


def _centered(document: Document, text: str, italic: bool = False, bold: bool = False,
              size: Pt | None = None) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, text, bold=bold, italic=italic, size=size)


def _run(paragraph, text: str, bold: bool = False, italic: bool = False, size: Pt | None = None) -> None:
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = size
