"""What the designer's path makes of diagrams drawn elsewhere: each .bpmn file under DIR is
opened as the modeler opens it, saved, deployed and given a first task, with the engine's own
functions (engine.process.versions, engine.tasks.intake), each file in a fresh in-memory office.
Where the checks ask who acts on a step, the bench chooses as a designer would in the panel
(the head of the lead unit) and saves again. With --db, every file goes into one office on
that database instead (SQLite or PostgreSQL, which refuses what a bounded column cannot hold).

    .venv/bin/python bench/foreign_diagrams.py DIR [--timeout S] [--db URL]

DIR's subfolders are the sources (e.g. one per repository). A file is "deployed" when a task
started on it (and the table says where its instance stopped: ended, at a person's step, or
waiting for a timer or a message), "refused" when planflow said why (the message is counted),
"crashed" when another exception came out (a page would have been a 500). Prints figures;
asserts nothing.
"""
from __future__ import annotations

import argparse
import collections
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from anywhere

from engine import model  # noqa: E402
from engine.errors import InvalidInput, PlanflowError  # noqa: E402
from engine.process import checks, versions  # noqa: E402
from engine.tasks import intake  # noqa: E402
from engine.workflow import InvalidProcess  # noqa: E402
from engine.workflow.specs import PLANFLOW_NS  # noqa: E402
from tests.support.office import KSTTHC, MONITOR_UNIT, Office, make_office, memory_office  # noqa: E402

SUFFIXES = (".bpmn", ".bpmn20.xml")
WHO_ACTS = (checks.MSG_NO_ACTOR, checks.MSG_UNKNOWN_ACTOR, checks.MSG_MANUAL_NO_ACTOR)
SCHEDULE = {"kind": "once", "due": ["2030-03-29"], "every": None, "until": None}


@dataclass(frozen=True)
class Outcome:
    kind: str  # "deployed" | "refused" | "crashed" | "timed out"
    stage: str  # the designer's step it stopped at: open, save, deploy, start (or "" when deployed)
    detail: str  # deployed: where the instance stopped; refused: the message; crashed: the traceback's last line


class TimedOut(Exception):
    pass


def designer_path(data: bytes, office: Office) -> Outcome:
    """Open, save, deploy, start one task: where the file stopped, and why."""
    designer = office.users["thietke"]
    stage = "open"
    try:
        text, _ = versions.open_diagram(data, office.uow())
        stage = "save"
        version_id = _save(office, text, designer)
        stage = "deploy"
        versions.deploy(office.uow(), version_id, designer)
        stage = "start"
        return Outcome("deployed", "", _first_task(office, checks.process_id(text)))
    except InvalidProcess as invalid:
        errors = [p for p in invalid.problems if p.is_error] or invalid.problems
        return Outcome("refused", stage, errors[0].message % dict(errors[0].params) if errors else str(invalid))
    except InvalidInput as invalid:
        return Outcome("refused", stage, "; ".join(invalid.errors.values()) or invalid.message)
    except PlanflowError as refused:
        return Outcome("refused", stage, refused.message)
    except TimedOut:
        return Outcome("timed out", stage, "")
    except Exception:  # noqa: BLE001 - what the bench is here to find
        return Outcome("crashed", stage, traceback.format_exc().strip().splitlines()[-1])


def _save(office: Office, text: str, designer: int) -> int:
    """Save as the designer does: where the checks ask who acts on a step, she chooses in the
    panel (here: the head of the lead unit) and saves again."""
    try:
        return versions.save_checked(office.uow(), text, designer, "bench")[0]
    except InvalidProcess as invalid:
        unchosen = {p.element_id for p in invalid.problems if p.message in WHO_ACTS}
        if not unchosen:
            raise
        return versions.save_checked(office.uow(), _choose_actor(text, unchosen), designer, "bench")[0]


def _choose_actor(text: str, element_ids: set[str | None]) -> str:
    root = etree.fromstring(text.encode("utf-8"))
    for node in root.iter():
        if node.get("id") in element_ids:
            node.set(f"{{{PLANFLOW_NS}}}actor", "lead_head")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def _first_task(office: Office, process_key: str | None) -> str:
    task = model.PlanTask.with_units(ref="1", title="Nhiệm vụ thử", lead=[office.units[KSTTHC]],
                                     process_key=process_key, schedule=dict(SCHEDULE))
    plan = model.Plan(title="Kế hoạch thử", year=2024, monitor_unit_id=office.units[MONITOR_UNIT])
    plan_id = intake.create_plan(office.uow(), plan, [task])
    with office.uow() as uow:
        instance = uow.instances.for_task(uow.tasks.for_plan(plan_id)[0].id)
        if instance.status == "completed":
            return "ended"
        return "at a person's step" if uow.work_items.ready_for_instance(instance.id) else "waiting"


def _on_alarm(signum, frame) -> None:
    raise TimedOut


def files(root: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = collections.defaultdict(list)
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name.lower().endswith(SUFFIXES):
            source = path.relative_to(root).parts[0] if path.parent != root else "."
            found[source].append(path)
    return found


def run(root: Path, timeout: int, office: Callable[[], Office]) -> dict[str, list[tuple[Path, Outcome, float]]]:
    signal.signal(signal.SIGALRM, _on_alarm)
    sources = files(root)
    total = sum(map(len, sources.values()))
    results: dict[str, list[tuple[Path, Outcome, float]]] = {}
    done = 0
    for source, paths in sources.items():
        results[source] = []
        for path in paths:
            started = time.perf_counter()
            signal.alarm(timeout)
            try:
                outcome = designer_path(path.read_bytes(), office())
            finally:
                signal.alarm(0)
            results[source].append((path, outcome, time.perf_counter() - started))
            done += 1
            print(f"[{done}/{total}] {outcome.kind:9} {time.perf_counter() - started:6.2f}s {path.relative_to(root)}",
                  file=sys.stderr, flush=True)
    return results


def report(results: dict[str, list[tuple[Path, Outcome, float]]], root: Path) -> None:
    kinds = ("deployed", "refused", "crashed", "timed out")
    print(f"{'source':28} {'files':>5} " + " ".join(f"{k:>9}" for k in kinds) + "  median s  max s")
    rows = list(results.items()) + [("total", [r for rs in results.values() for r in rs])]
    for source, rs in rows:
        counts = collections.Counter(o.kind for _, o, _ in rs)
        secs = sorted(s for _, _, s in rs)
        median = secs[len(secs) // 2] if secs else 0.0
        print(f"{source:28} {len(rs):5} " + " ".join(f"{counts[k]:9}" for k in kinds)
              + f"  {median:8.2f} {max(secs, default=0.0):6.2f}")
    everything = [r for rs in results.values() for r in rs]
    _counted("Deployed: where the first instance stopped", [o.detail for _, o, _ in everything if o.kind == "deployed"])
    _counted("Refused, by stage and message",
             [f"{o.stage}: {o.detail}" for _, o, _ in everything if o.kind == "refused"])
    for kind in ("crashed", "timed out"):
        listed = [(p, o) for p, o, _ in everything if o.kind == kind]
        if listed:
            print(f"\n{kind.capitalize()}:")
            for path, outcome in listed:
                print(f"  {path.relative_to(root)} ({outcome.stage}): {outcome.detail}")


def _counted(title: str, lines: list[str]) -> None:
    print(f"\n{title}:")
    for line, count in collections.Counter(lines).most_common():
        print(f"  {count:5}  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=Path)
    parser.add_argument("--timeout", type=int, default=60, help="seconds a file may take before it counts as timed out")
    parser.add_argument("--db", help="a database URL to run every file in one office on (default: a fresh "
                                     "in-memory office per file)")
    args = parser.parse_args()
    shared = make_office(args.db) if args.db else None
    report(run(args.dir, args.timeout, (lambda: shared) if shared else memory_office), args.dir)


if __name__ == "__main__":
    main()
