"""How long proving a diagram takes (the run along every path that saving and deploying do),
and how many states it explores: the shipped process, the designer's test process, and each
diagram in tests/fixtures/diagrams.

    .venv/bin/python bench/process_proof.py [--repeat N]

Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from anywhere

from engine.process import checks, foreign  # noqa: E402
from engine.process.instances import DEFAULT_BPMN  # noqa: E402
from engine.workflow import InvalidProcess, parse_process  # noqa: E402
from tests.support.designer_bpmn import PROCESS  # noqa: E402


def diagrams() -> list[tuple[str, str]]:
    found = [("processes/plan_task.bpmn", DEFAULT_BPMN.read_text(encoding="utf-8")), ("designer test process", PROCESS)]
    for path in sorted((ROOT / "tests" / "fixtures" / "diagrams").glob("*.bpmn")):
        if path.name != "call_caller.bpmn":  # it needs its callee deployed
            found.append((path.name, foreign.adopt(path.read_text(encoding="utf-8"))))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'diagram':32} {'states':>6} {'median s':>9} {'max s':>7} problems")
    for name, text in diagrams():
        try:
            spec = parse_process(text)
        except InvalidProcess as invalid:  # e.g. bpmn.io's task that names no one until the designer does
            print(f"{name:32} refused before the proof: {invalid}")
            continue
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = checks.proof_run(spec)
            times.append(time.perf_counter() - started)
        print(f"{name:32} {result.states:6} {statistics.median(times):9.2f} {max(times):7.2f} {len(result.findings)}")


if __name__ == "__main__":
    main()
