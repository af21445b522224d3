"""What an import yields: the plan, its tasks and the warnings a person should read."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from engine.importing.deadline_phrases import Schedule
from engine.importing.units import UnitRef


@dataclass(frozen=True)
class ImportedPlan:
    number: str | None
    issued_on: date | None
    year: int
    monitor: UnitRef | None
    title: str

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "year": self.year,
            "monitor": self.monitor.name if self.monitor else None,
            "title": self.title,
        }


@dataclass(frozen=True)
class ImportedTask:
    ref: str
    title: str
    content: str
    lead: list[UnitRef]
    coordinators: list[UnitRef]
    director: str | None
    product: str | None
    deadline_text: str
    schedule: Schedule
    guessed: bool = False  # found from the layout or a sentence: a person should check it
    source: str = ""  # the task's text as the plan wrote it, to show beside what was read
    deadline_from: str = ""  # "text", "group" or "plan" when not read from its own deadline field

    def to_dict(self) -> dict:
        return {
            "ref": self.ref,
            "title": self.title,
            "content": self.content,
            "lead": [u.name for u in self.lead],
            "coordinators": [u.name for u in self.coordinators],
            "director": self.director,
            "product": self.product,
            "deadline_text": self.deadline_text,
            "schedule": self.schedule.to_dict(),
            "guessed": self.guessed,
            "source": self.source,
            "deadline_from": self.deadline_from,
            "as_written": {u.name: u.written for u in [*self.lead, *self.coordinators] if u.written},
        }


@dataclass(frozen=True)
class ImportResult:
    plan: ImportedPlan
    tasks: list[ImportedTask]
    warnings: list[str] = field(default_factory=list)

    @property
    def new_units(self) -> list[UnitRef]:
        """Units the directory does not know, once each: to confirm before storing."""
        seen: dict[str, UnitRef] = {}
        for task in self.tasks:
            for unit in [*task.lead, *task.coordinators]:
                if unit.new:
                    seen.setdefault(unit.name, unit)
        return list(seen.values())

    def to_dict(self) -> dict:
        return {
            "plan": self.plan.to_dict(),
            "tasks": [t.to_dict() for t in self.tasks],
            "warnings": list(self.warnings),
        }

    def to_json(self) -> str:
        """The `planflow plan import --json` output (UTF-8 text, not ASCII escapes)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
