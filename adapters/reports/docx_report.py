"""The plan's progress report as Word, in the office's usual form: the issuing unit
and the national motto side by side, the title with the plan's number and date, a
summary paragraph with the counts, and the table of tasks."""
from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from adapters.reports.rows import COLUMNS, Translate, cells, period, summary, title
from engine.reading.period_reports import PeriodReport

# Decree 30/2020/ND-CP: administrative documents in Times New Roman, 13-14 pt.
FONT, SIZE = "Times New Roman", Pt(13)
COLUMN_WIDTHS_CM = (1.3, 7.0, 3.6, 3.6, 2.6, 2.4, 5.5)


def render_docx(report: PeriodReport, t: Translate) -> bytes:
    document = Document()
    _page(document)
    _letterhead(document, report, t)
    heading = document.add_paragraph(style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(heading, title(report, t).upper(), bold=True, size=Pt(14))
    _centered(document, period(report, t), italic=True)
    document.add_paragraph(summary(report, t))
    _table(document, report, t)
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
    head = document.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    _run(left.paragraphs[0], (report.monitor or "").upper(), bold=True)
    _run(right.paragraphs[0], t("SOCIALIST REPUBLIC OF VIET NAM"), bold=True)
    _run(right.add_paragraph(), t("Independence - Freedom - Happiness"), bold=True)
    for cell in (left, right):
        for paragraph in cell.paragraphs:
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


def _centered(document: Document, text: str, italic: bool = False) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(paragraph, text, italic=italic)


def _run(paragraph, text: str, bold: bool = False, italic: bool = False, size: Pt | None = None) -> None:
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = size
