"""`planflow plan import FILE` stores the plan on the configured database: new units
created and said so, every task started; bad input exits non-zero in Vietnamese and
stores nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from tests.support.office import Office, make_office
from web.cli import main

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"


@pytest.fixture
def office(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Office:
    monkeypatch.setenv("PLANFLOW_DATABASE_URL", sqlite_url)
    return make_office(sqlite_url)


def _import(path: Path, *options: str) -> Result:
    return CliRunner().invoke(main, ["plan", "import", str(path), *options])


def _count(office: Office, table: str) -> int:
    with office.storage.engine.connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_a_fixture_plan_is_stored_with_its_new_units_and_started(office: Office) -> None:
    result = _import(PLANS / "numbered_list.md")
    assert result.exit_code == 0, result.output
    assert "Đã tạo đơn vị mới: Phòng Nội vụ" in result.stdout
    assert "Đã lưu kế hoạch 58/KH-UBND" in result.stdout and "6 nhiệm vụ" in result.stdout
    assert "1 nhiệm vụ đang chờ thời hạn" in result.stdout
    assert _count(office, "plans") == 1
    with office.uow() as uow:
        plan = max(uow.plans.list_with_counts(), key=lambda p: p["id"])
        tasks = uow.tasks.for_plan(plan["id"])
        assert len(tasks) == 6 and all(uow.instances.for_task(t.id) for t in tasks)
        assert plan["number"] == "58/KH-UBND"
        # The monitor (theodoi, the first monitor) acts; "Phòng Nội vụ" was created.
        assert uow.units.by_name("Phòng Nội vụ") is not None


def test_the_monitor_is_named_with_as(office: Office) -> None:
    assert _import(PLANS / "office_review.txt", "--as", "theodoi").exit_code == 0
    refused = _import(PLANS / "office_review.txt", "--as", "truong.kstthc")
    assert refused.exit_code != 0 and "Chỉ người theo dõi kế hoạch" in refused.stderr


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("rong.txt", b"", "Tệp rỗng"),
        ("ke-hoach.docx", "Kế hoạch\n1. Nhiệm vụ".encode(), "không phải là tệp Word"),
        ("ke-hoach.pdf", b"%PDF-1.4", "Tệp .pdf này bị hỏng"),
        ("ke-hoach.doc", b"\xd0\xcf\x11\xe0", "Không hỗ trợ loại tệp"),
        ("thu.md", "Kính gửi: Sở Nội vụ\n\nĐề nghị báo cáo đúng hạn.".encode(), "Không tìm thấy nhiệm vụ"),
    ],
)
def test_bad_input_exits_non_zero_in_vietnamese_and_stores_nothing(
        office: Office, tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = {t: _count(office, t) for t in ("plans", "units", "process_instances")}
    result = _import(path)
    assert result.exit_code != 0
    assert result.stderr.startswith("Lỗi: ") and message in result.stderr
    assert {t: _count(office, t) for t in before} == before


def test_dry_run_stores_nothing(office: Office) -> None:
    result = _import(PLANS / "numbered_list.md", "--dry-run", "--json")
    assert result.exit_code == 0 and '"58/KH-UBND"' in result.stdout
    assert _count(office, "plans") == 0


def test_dry_run_reads_the_configured_databases_directory(office: Office) -> None:
    """The demo office knows "Phòng KSTTHC" as its "Phòng Kiểm soát thủ tục hành chính"."""
    result = _import(PLANS / "office_review.txt", "--dry-run", "--json")
    task = json.loads(result.stdout)["tasks"][0]
    assert task["lead"] == ["Phòng Kiểm soát thủ tục hành chính"]
    assert task["coordinators"] == ["Trung tâm Phục vụ - Kiểm soát thủ tục hành chính tỉnh"]


def test_dry_run_on_a_new_database_knows_no_unit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database nobody set up is a new office: every name comes back as written."""
    monkeypatch.setenv("PLANFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    result = _import(PLANS / "office_review.txt", "--dry-run", "--json")
    assert result.exit_code == 0 and "danh mục đơn vị trống" in result.stderr
    task = json.loads(result.stdout)["tasks"][0]
    assert task["lead"] == ["Phong KSTTHC"]
    assert task["coordinators"] == ["Trung tam Phuc vu hanh chinh cong tinh"]
