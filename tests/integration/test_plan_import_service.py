"""The import service on a real database: a plan file is previewed against the stored
unit directory, then confirmed into units, a plan, its tasks and their instances, in
one transaction."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.demo.directory import MONITOR_UNIT
from adapters.readers import read_source
from engine.errors import InvalidInput, NotAllowed
from engine.importing import plan_import
from tests.support.office import KSTTHC, TTPV, Office, clock_on, make_office

PLAN = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "office_review.txt"
NEW_UNIT = "Trung tam Luu tru lich su tinh"


@pytest.fixture
def office(sqlite_url: str) -> Office:
    return make_office(sqlite_url)


def _preview(office: Office, source: Path | bytes = PLAN, username: str = "theodoi") -> plan_import.ImportDraft:
    return plan_import.preview(office.uow(), source, PLAN.name, office.users[username], read_source)


def _counts(office: Office) -> dict[str, int]:
    with office.storage.engine.connect() as connection:
        return {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("plans", "plan_tasks", "process_instances", "work_items", "units", "import_drafts")}


def test_preview_resolves_aliases_without_diacritics_against_stored_units(office: Office) -> None:
    draft = _preview(office)
    first, second = draft.tasks
    # "Phong KSTTHC" and "Trung tam Phuc vu hanh chinh cong tinh": aliases, diacritics lost.
    assert first["lead"] == [str(office.units[KSTTHC])]
    assert first["coordinators"] == [str(office.units[TTPV])]
    assert second["lead"] == [str(office.units[TTPV])]
    assert draft.plan["monitor_unit_id"] == office.units[MONITOR_UNIT]  # "Phong Hanh chinh - To chuc"
    assert (draft.plan["number"], draft.plan["year"]) == ("12/KH-VP", 2024)


def test_an_unknown_unit_is_proposed_new_and_unresolved_deadlines_are_flagged(office: Office) -> None:
    draft = _preview(office)
    assert draft.new_units == [{"name": NEW_UNIT, "kind": "unit", "create": False}]
    assert draft.tasks[1]["coordinators"] == ["new:0"]
    assert draft.tasks[1]["schedule"]["kind"] == "unresolved"
    assert any(NEW_UNIT in w for w in draft.warnings)


def test_preview_works_on_an_upload_s_bytes(office: Office) -> None:
    assert len(_preview(office, PLAN.read_bytes()).tasks) == 2


def test_only_a_monitor_imports(office: Office) -> None:
    with pytest.raises(NotAllowed):
        _preview(office, username="truong.kstthc")
    draft = _preview(office)
    with pytest.raises(NotAllowed):
        plan_import.confirm(office.uow(), draft.to_dict(), office.users["truong.kstthc"])


def test_confirm_creates_the_new_unit_and_starts_every_task(office: Office) -> None:
    draft = _preview(office)
    draft_id = plan_import.save_draft(office.uow(), draft, office.users["theodoi"])
    edits = draft.to_dict()
    edits["new_units"][0]["create"] = True
    edits["tasks"][1]["due"] = "2024-06-28"  # a person settles the unresolved deadline
    before = _counts(office)

    plan_id = plan_import.confirm(office.uow(), edits, office.users["theodoi"], clock_on(date(2024, 1, 10)),
                                  draft_id=draft_id)

    after = _counts(office)
    assert after["plans"] - before["plans"] == 1
    assert after["plan_tasks"] - before["plan_tasks"] == 2
    assert after["process_instances"] - before["process_instances"] == 2
    assert after["units"] - before["units"] == 1
    assert after["import_drafts"] == 0
    with office.uow() as uow:
        assert uow.units.by_name(NEW_UNIT) is not None
        tasks = uow.tasks.for_plan(plan_id)
        assert [t.status for t in tasks] == ["open", "open"]
        assert tasks[1].schedule == {"kind": "once", "due": ["2024-06-28"], "every": None, "until": None}
        assert tasks[1].due_on == date(2024, 6, 28)
    leads = {item.candidate_unit_id for item in office.ready(plan_id) if item.form == "assign"}
    assert leads == {office.units[KSTTHC], office.units[TTPV]}


def test_an_unresolved_deadline_left_as_is_waits_for_a_date(office: Office) -> None:
    edits = _preview(office).to_dict()
    edits["new_units"][0]["create"] = True
    plan_id = plan_import.confirm(office.uow(), edits, office.users["theodoi"])
    with office.uow() as uow:
        assert [t.status for t in uow.tasks.for_plan(plan_id)] == ["open", "waiting_date"]


def test_an_unconfirmed_new_unit_is_refused(office: Office) -> None:
    edits = _preview(office).to_dict()
    before = _counts(office)
    with pytest.raises(InvalidInput) as refused:
        plan_import.confirm(office.uow(), edits, office.users["theodoi"])
    assert "task-1-coordinators" in refused.value.errors
    assert _counts(office) == before


def test_a_failure_midway_stores_nothing(office: Office) -> None:
    """The new unit is created and flushed, then a task without a lead unit fails the
    plan: the whole import rolls back, the unit too."""
    edits = _preview(office).to_dict()
    edits["new_units"][0]["create"] = True
    edits["tasks"][1]["lead"] = []
    before = _counts(office)
    with pytest.raises(InvalidInput) as refused:
        plan_import.confirm(office.uow(), edits, office.users["theodoi"])
    assert "task:2" in refused.value.errors
    assert _counts(office) == before
    with office.uow() as uow:
        assert uow.units.by_name(NEW_UNIT) is None


def test_a_failure_while_starting_the_tasks_stores_nothing(office: Office, monkeypatch) -> None:
    from engine.process import instances

    real_start, started = instances.start, []

    def start_then_fail(*args, **kwargs):
        if started:
            raise RuntimeError("the second task's process fails to start")
        started.append(real_start(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(instances, "start", start_then_fail)
    edits = _preview(office).to_dict()
    edits["new_units"][0]["create"] = True
    before = _counts(office)
    with pytest.raises(RuntimeError):
        plan_import.confirm(office.uow(), edits, office.users["theodoi"])
    assert started and _counts(office) == before


def test_on_postgresql_a_failure_midway_stores_nothing_and_a_confirm_stores_all(postgres_fresh_url: str) -> None:
    office = make_office(postgres_fresh_url)
    edits = _preview(office).to_dict()
    edits["new_units"][0]["create"] = True
    broken = {**edits, "tasks": [edits["tasks"][0], {**edits["tasks"][1], "lead": []}]}
    before = _counts(office)
    with pytest.raises(InvalidInput):
        plan_import.confirm(office.uow(), broken, office.users["theodoi"])
    assert _counts(office) == before
    plan_import.confirm(office.uow(), edits, office.users["theodoi"])
    after = _counts(office)
    assert (after["plans"], after["process_instances"], after["units"]) == (
        before["plans"] + 1, before["process_instances"] + 2, before["units"] + 1)


def test_a_deadline_whose_text_is_corrected_is_read_again(office: Office) -> None:
    edits = _preview(office).to_dict()
    edits["new_units"][0]["create"] = True
    assert edits["tasks"][1]["schedule"]["kind"] == "unresolved"
    edits["tasks"][1]["deadline_text"] = "Quý III năm 2024"  # the reviewer reads the scan better
    plan_id = plan_import.confirm(office.uow(), edits, office.users["theodoi"], clock_on(date(2024, 1, 10)))
    with office.uow() as uow:
        task = uow.tasks.for_plan(plan_id)[1]
    assert task.schedule["kind"] == "once" and task.schedule["due"] == ["2024-09-30"]
    assert task.deadline_text == "Quý III năm 2024"


def test_an_unchanged_deadline_text_keeps_its_reading(office: Office) -> None:
    edits = _preview(office).to_dict()
    edits["new_units"][0]["create"] = True
    edits["tasks"][0]["schedule"] = {"kind": "once", "due": ["2024-02-29"], "every": None, "until": None}
    plan_id = plan_import.confirm(office.uow(), edits, office.users["theodoi"], clock_on(date(2024, 1, 10)))
    with office.uow() as uow:
        assert uow.tasks.for_plan(plan_id)[0].schedule["due"] == ["2024-02-29"]


def test_a_plan_number_already_used_is_flagged(office: Office) -> None:
    first = _preview(office)
    assert first.plan["number"] == "12/KH-VP" and first.plan["number_used_by"] is None
    edits = first.to_dict()
    edits["new_units"][0]["create"] = True
    plan_id = plan_import.confirm(office.uow(), edits, office.users["theodoi"])
    again = _preview(office)
    assert again.plan["number_used_by"] == {"id": plan_id, "title": first.plan["title"]}


def test_on_postgresql_a_file_named_past_its_column_is_kept_shortened(postgres_fresh_url: str) -> None:
    # A name is the file's label, not the plan's content: an API client (or a path) may
    # send any length, and a draft or plan row holding it past VARCHAR(255) was a 500.
    office = make_office(postgres_fresh_url)
    filename = f"/uploads/{'ke-hoach-' * 40}.txt"
    draft = plan_import.preview(office.uow(), PLAN, filename, office.users["theodoi"], read_source)
    draft_id = plan_import.save_draft(office.uow(), draft, office.users["theodoi"])
    edits = plan_import.load_draft(office.uow(), draft_id, office.users["theodoi"]).to_dict()
    edits["new_units"][0]["create"] = True
    plan_import.confirm(office.uow(), edits, office.users["theodoi"])
    with office.storage.engine.connect() as connection:
        stored = connection.execute(text("SELECT source_name FROM plans")).scalar_one()
    assert stored == f"{'ke-hoach-' * 40}.txt"[-200:]  # its last characters, the extension kept
