"""A plan's report made in the background (`engine/reading/period_reports.queue_report`):
the scheduler's worker reads the report, writes the Word or Excel file in the language
of the person who asked, and keeps it on the job for its page to offer.

It lives here, not in the engine: the files are written by `adapters/reports` and the
words come from the web's catalogue. The chunk only reads until its one short write
(the file and the progress together), so SQLite's write lock is held for a moment."""
from __future__ import annotations

from typing import Any

from adapters.reports.docx_report import render_docx
from adapters.reports.rows import file_name
from adapters.reports.xlsx_report import render_xlsx
from engine.clock import Clock
from engine.reading.period_reports import report_of
from engine.unit_of_work import AbstractUnitOfWork
from web.i18n import cli_translations

RENDERERS = {"docx": render_docx, "xlsx": render_xlsx}


def report_chunk(uow: AbstractUnitOfWork, payload: dict[str, Any], done: int, clock: Clock) -> int:
    """The whole report in one chunk (it writes nothing until the file is made)."""
    found = report_of(uow, payload)
    translate = cli_translations(payload["language"]).gettext
    kind = payload["kind"]
    uow.jobs.keep_file(payload["job_id"], file_name(found, translate, kind), RENDERERS[kind](found, translate))
    return 1
