"""Every Python dependency is pinned in constraints.txt and the set-up installs through
it, so two set-ups a month apart run the same code (npm's lock does this for bpmn-js
and Chart.js)."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)$")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    lines = [line.strip() for line in (ROOT / "constraints.txt").read_text().splitlines()]
    found = {}
    for line in lines:
        if not line or line.startswith("#"):
            continue
        match = PIN.match(line)
        assert match, f"not an exact pin: {line!r}"
        found[normal(match.group(1))] = match.group(2)
    return found


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for group in project["optional-dependencies"].values() for r in group]
    return {normal(re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]) for requirement in requirements}


def test_every_declared_dependency_is_pinned_to_one_version() -> None:
    missing = declared() - set(pins())
    assert not missing, f"add to constraints.txt (see its first lines): {sorted(missing)}"


def test_the_set_up_installs_through_the_constraints() -> None:
    assert "-c constraints.txt" in (ROOT / "scripts" / "setup.sh").read_text()
    assert (ROOT / "package-lock.json").exists()
