"""How far the importer reaches on a folder of real plans that have no golden: for each
file, read or refused (and why), the tasks found, the share with a lead and the share
with a resolved deadline (and the share whose deadline the task's own words give, not
its heading's or the plan's time), then the totals.

    .venv/bin/python bench/import_corpus.py DIR [--url DATABASE_URL]

Reads with the unit directory of --url (default: none, a new office), as
`planflow plan import FILE --dry-run` does. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from adapters.readers import read_source  # noqa: E402
from engine.importing import plan_import  # noqa: E402
from engine.importing.deadline_phrases import UNRESOLVED  # noqa: E402
from engine.importing.errors import PlanFileError  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--url", default=None, help="read with this database's unit directory")
    args = parser.parse_args()
    uow_factory = _uow_factory(args.url)
    files = sorted(p for p in args.folder.iterdir() if p.is_file())
    read = tasks = with_lead = with_deadline = with_own = 0
    print(f"{'file':32} {'result':8} {'tasks':>5} {'lead':>6} {'deadline':>8} {'own':>5} {'s':>5}")
    for path in files:
        started = time.perf_counter()
        try:
            result = plan_import.read_plan(uow_factory(), path, path.name, read_source)
        except PlanFileError as error:
            print(f"{path.name[:32]:32} refused  {str(error)}")
            continue
        found = result.tasks
        led = sum(1 for t in found if t.lead)
        dated = sum(1 for t in found if t.schedule.kind != UNRESOLVED)
        own = sum(1 for t in found if t.schedule.kind != UNRESOLVED and t.deadline_from in ("", "text"))
        read, tasks, with_lead, with_deadline = read + 1, tasks + len(found), with_lead + led, with_deadline + dated
        with_own += own
        print(f"{path.name[:32]:32} {'read':8} {len(found):5} {_share(led, len(found)):>6} "
              f"{_share(dated, len(found)):>8} {_share(own, len(found)):>5} {time.perf_counter() - started:5.1f}")
    print(f"\ntotal: {read} of {len(files)} files read, {tasks} tasks, "
          f"{_share(with_lead, tasks)} with a lead, {_share(with_deadline, tasks)} with a resolved deadline "
          f"({_share(with_own, tasks)} from the task's own words)")


def _uow_factory(url: str | None):
    if url is None:
        return lambda: None  # a new office: no units
    from adapters.storage import Storage

    storage = Storage(url)
    return storage.uow


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


if __name__ == "__main__":
    main()
