"""The import review's live deadline re-read, through the JSON endpoint (Flask client):
a deadline text is read as confirm would read it, in the draft's plan year or the one
the person has typed, and an unread one comes back with its reason in Vietnamese;
only the monitor who uploaded the draft may ask."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.e2e.web_helpers import HEAD, MONITOR, WebWorld, build_world

PLAN = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "office_review.txt"


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    return build_world(sqlite_url)


def _draft(client) -> int:
    response = client.post("/api/imports", data={"plan": (io.BytesIO(PLAN.read_bytes()), "ke-hoach.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def test_a_deadline_text_is_read_in_the_drafts_year_or_the_typed_one(world: WebWorld) -> None:
    client = world.client(MONITOR)
    draft = _draft(client)  # a 2024 plan
    read = client.get(f"/api/imports/{draft}/deadline", query_string={"text": "Quý II"}).get_json()
    assert read["resolved"] and read["schedule"]["due"] == ["2024-06-30"] and read["summary"] == "30/06/2024"
    assert read["reason"] is None
    typed_year = client.get(f"/api/imports/{draft}/deadline", query_string={"text": "Quý II", "year": "2025"})
    assert typed_year.get_json()["schedule"]["due"] == ["2025-06-30"]
    ongoing = client.get(f"/api/imports/{draft}/deadline", query_string={"text": "Thường xuyên"}).get_json()
    assert ongoing["summary"] == "Thường xuyên, báo cáo từng kỳ đến 31/12/2024"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("Theo kế hoạch của UBND tỉnh", "Không đọc được: thời hạn do văn bản khác quy định"),
        ("Khi có yêu cầu", "Không đọc được: đây là một sự việc, không phải một ngày"),
        ("", "Không đọc được: chưa ghi thời hạn"),
        ("Sớm nhất có thể", "Không đọc được: không thấy ngày, giai đoạn hay kỳ hạn nào trong các từ này"),
    ],
)
def test_an_unread_text_comes_back_with_its_reason(world: WebWorld, text: str, reason: str) -> None:
    client = world.client(MONITOR)
    read = client.get(f"/api/imports/{_draft(client)}/deadline", query_string={"text": text}).get_json()
    assert (read["resolved"], read["summary"], read["reason"]) == (False, "Chưa có thời hạn", reason)


def test_only_the_uploading_monitor_asks(world: WebWorld) -> None:
    draft = _draft(world.client(MONITOR))
    assert world.client(HEAD).get(f"/api/imports/{draft}/deadline?text=Quý I").status_code == 403
    assert world.client().get(f"/api/imports/{draft}/deadline?text=Quý I").status_code == 401
