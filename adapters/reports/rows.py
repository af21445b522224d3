"""The report's columns and the text of each cell, shared by the Word and Excel files.

Labels are English msgids; the caller passes `t` (gettext in the user's language),
so this module depends on no web framework.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Callable

from engine.errors import N_
from engine.text_folding import fold
from engine.reading.period_reports import PeriodReport, ReportRow
from engine.reading.progress import (
    DONE_LATE,
    DONE_ON_TIME,
    IN_PROGRESS,
    OVERDUE,
    STATE_LABELS,
    STATES,
    Holder,
)

Translate = Callable[[str], str]
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9]+")
# Characters XML 1.0 (a .docx, a .xlsx) cannot carry, which a stored text may hold: a
# vertical tab pasted from PowerPoint, an escape in a plan's .txt. Either writer raised on
# one, so a single task's text made the plan's report a 500 for everybody.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

COLUMNS = (N_("No."), N_("Task"), N_("Lead unit"), N_("Coordinating units"), N_("Deadline"),
           N_("Status"), N_("Result or reason late"))


def day(value: date | None) -> str:
    """dd/mm/yyyy: how Vietnamese offices write dates."""
    return value.strftime("%d/%m/%Y") if value else ""


def writable(text: str) -> str:
    """The text as a document can hold it: each character XML cannot carry, a space.
    Text coming in is cleaned since `engine/incoming_text.py`; this stays the writer's own
    guard for text stored before it (a step's report with an ESC, a pasted "\\x0b"), which
    no migration rewrote, and for any text a later path lets in."""
    return _NOT_IN_XML.sub(" ", text)


def cells(row: ReportRow, t: Translate) -> list[str]:
    task = row.task
    return [writable(text) for text in (
        task.ref, task.title, ", ".join(u.name for u in task.lead), ", ".join(u.name for u in task.coordinators),
        deadline(row), t(STATE_LABELS[task.state]), note(row, t))]


def deadline(row: ReportRow) -> str:
    task = row.task
    if task.due_on is None:
        return task.deadline_text or "—"
    return day(task.due_on)


def note(row: ReportRow, t: Translate) -> str:
    """The result when done; otherwise why it is late or where it stands."""
    task = row.task
    if task.state == DONE_ON_TIME:
        return row.result or ""
    if task.state == DONE_LATE:
        late = t("Done %(n)s working days late.") % {"n": task.days_late}
        return " ".join(x for x in (late, row.result) if x)
    if task.state in (OVERDUE, IN_PROGRESS):
        parts = [t("Overdue by %(n)s working days.") % {"n": task.days_late}] if task.state == OVERDUE else []
        parts += [t("Waiting at: %(step)s (%(holder)s).") % {"step": s.step_name, "holder": holder(s)}
                  for s in task.steps]
        if task.notices:
            parts.append(t("Notices sent: %(n)s.") % {"n": len(task.notices)})
        return " ".join(parts)
    return t("No deadline set yet.")


def holder(step: Holder) -> str:
    return step.user_name or step.unit_name or step.role or "?"


def title(report: PeriodReport, t: Translate) -> str:
    plan = report.plan
    number = writable(plan.number or "—")
    if plan.issued_on:
        return t("Progress of Plan No. %(number)s of %(date)s") % {"number": number, "date": day(plan.issued_on)}
    return t("Progress of Plan No. %(number)s") % {"number": number}


def period(report: PeriodReport, t: Translate) -> str:
    if report.start or report.end:
        line = t("Period: from %(start)s to %(end)s") % {"start": day(report.start) or "…",
                                                         "end": day(report.end) or "…"}
    else:
        line = t("Period: the whole plan")
    return f"{line}; " + t("status as of %(date)s.") % {"date": day(report.as_of)}


def summary(report: PeriodReport, t: Translate) -> str:
    c = report.counts
    return t("Of %(total)s tasks: %(done_on_time)s done on time, %(done_late)s done late, "
             "%(in_progress)s in progress, %(overdue)s overdue, %(waiting_date)s waiting for a date.") % {
        "total": c["total"], **{state: c[state] for state in STATES}}


def file_name(report: PeriodReport, t: Translate, kind: str) -> str:
    """`bao-cao-tien-do-12-KH-VP-2024-01-01-den-2024-03-31.docx`: the plan's number and
    the period, in plain letters, so that two reports never share a name in a folder."""
    if report.start or report.end:
        span = t("%(start)s-to-%(end)s") % {"start": report.start or "", "end": report.end or report.as_of}
    else:
        span = t("whole-plan") + f"-{report.as_of}"
    parts = [t("progress-report"), report.plan.number or str(report.plan.id), span]
    return "-".join(_plain(part) for part in parts) + f".{kind}"


def _plain(text: str) -> str:
    return "-".join(_NOT_PLAIN.split(fold(text).replace("đ", "d"))).strip("-")
