"""Why a file could not become a plan, as an English msgid and its parameters.

The reader's `UnreadableFile` and the parser's `NoTaskFound` share this base so that
an entrypoint translates both one way: the web with `_()`, the CLI through the same
catalogue (`web.i18n.cli_gettext`). `str(error)` is the English sentence.
"""
from __future__ import annotations

from typing import Any

from engine.errors import N_


class PlanFileError(ValueError):
    """A plan file the import refuses; `msgid % params` is the message."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(msgid % params if params else msgid)


# The messages, kept here (not in adapters/) so that `pybabel extract ... web engine`
# finds them for the catalogue.
UNSUPPORTED_TYPE = N_(
    "File type “%(suffix)s” is not supported: Word (.docx), Markdown (.md), text (.txt), PDF (.pdf) "
    "or a scanned page (.png, .jpg, .tif) are read. Save a .doc file again as .docx."
)
NOTHING_TO_READ = N_("The file has nothing to read.")
NOT_FOUND = N_("The file “%(path)s” was not found or could not be opened.")
EMPTY = N_("The file is empty: there is nothing to read.")
TOO_LARGE = N_("The file is too large (%(size)s MB): the limit is %(limit)s MB.")
NOT_DOCX = N_("This .docx file is not a valid Word file (it is not in the .docx format).")
DAMAGED_DOCX = N_("This .docx file is damaged or is not a Word file: %(detail)s")
NOT_TEXT = N_("This %(suffix)s file is not text (it may be a Word file or a binary file).")
UNKNOWN_ENCODING = N_("The encoding of this %(suffix)s file cannot be read: save it again as UTF-8.")
TCVN3 = N_("This %(suffix)s file is in the old TCVN3 (ABC, .VnTime) encoding: save it again as Unicode (UTF-8).")
# Never silently empty: say what was looked for, so a person can tell a misread plan
# from a file that is not one.
NO_TASK = N_("No task was found in the file. planflow looks for numbered items (1., 1.1, a), -) under the "
            "plan's tasks section (“Nhiệm vụ”, “Nhiệm vụ và giải pháp”), a table with a task column and a lead "
            "unit column (“Nội dung”, “Chủ trì”), or sentences that give a unit a task (“Giao Sở … chủ trì …”): "
            "is it a plan?")
# A document of another kind (a decision that announces procedures, a report): say so.
NOT_A_PLAN = N_("No task was found: this document is a “%(kind)s”, not a plan, and no plan (“Kế hoạch”) follows "
                "it. planflow reads plans and the tasks they assign: import the plan itself.")
DAMAGED_PDF = N_("This .pdf file is damaged or is not a PDF: %(detail)s")
TOO_MANY_PAGES = N_("The file has %(pages)s pages: the limit is %(limit)s. Import the plan's pages with its tasks.")
NOT_AN_IMAGE = N_("This image cannot be read (damaged, too large, or not an image): %(detail)s")
NO_OCR = N_("Scanned pages cannot be read here: the OCR program (Tesseract) is not installed.")
OCR_TOO_SLOW = N_("A scanned page took more than %(seconds)s seconds to read: scan it again at a lower resolution.")
OCR_FAILED = N_("A scanned page could not be read by OCR: %(detail)s")
UNPACKS_TOO_LARGE = N_("This Word file unpacks to %(size)s MB, more than a plan holds (limit %(limit)s MB): it is refused.")
TOO_MANY_PARAGRAPHS = N_("The file holds %(count)s paragraphs and rows: the limit is %(limit)s. "
                         "Import the part of the document that is the plan.")
