"""Plan import through the pages and the API (Flask client): upload, review, confirm;
each bad input gets a clear Vietnamese message and stores nothing; only monitors."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import text

from adapters.readers import MAX_BYTES
from engine.text_limits import NAME, PLAN_NUMBER, TASK_REF, TEXT, Limit
from tests.e2e.web_helpers import HEAD, MONITOR, WebWorld, build_world
from tests.support.office import KSTTHC, TTPV
from tests.support.old_encodings import cp1258

PLAN = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "office_review.txt"


@pytest.fixture
def world(sqlite_url: str) -> WebWorld:
    return build_world(sqlite_url)


def _counts(world: WebWorld) -> dict[str, int]:
    with world.office.storage.engine.connect() as connection:
        return {t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("plans", "plan_tasks", "process_instances", "units", "import_drafts")}


def _upload(client, name: str, data: bytes):
    return client.post("/imports/new", data={"plan": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _review_form(html: str) -> dict[str, object]:
    """The review form's fields as the browser would send them unchanged."""
    form: dict[str, object] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        form[name] = value
    for select in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        form[select[0]] = re.findall(r'<option value="([^"]*)"[^>]*selected', select[1])
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        form[name] = body
    return form


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("rong.txt", b"", "Tệp rỗng"),
        ("ke-hoach.docx", "Kế hoạch\n1. Nhiệm vụ".encode(), "không phải là tệp Word"),
        ("ke-hoach.txt", _zip(), "không phải là văn bản"),
        ("ke-hoach.pdf", b"%PDF-1.4", "Tệp .pdf này bị hỏng"),
        ("ke-hoach.doc", b"\xd0\xcf\x11\xe0", "Không hỗ trợ loại tệp"),
        ("lon.txt", b"1. " + b"a" * MAX_BYTES, "Tệp quá lớn"),
        ("thu.md", "Kính gửi: Sở Nội vụ\n\nĐề nghị báo cáo đúng hạn.".encode(), "Không tìm thấy nhiệm vụ"),
        ("", b"", "Hãy chọn tệp kế hoạch"),
        ("ke-hoach.docx", _zip()[:40], "không phải là tệp Word"),
        ("ke-hoach.docx", _zip(), "bị hỏng"),
        ("trang-1.png", b"\x89PNG\r\n\x1a\n\x00\x00", "Không đọc được ảnh này"),
        ("trang-1.jpg", b"\xff\xd8\xff", "Không đọc được ảnh này"),
        ("ke-hoach.xlsx", _zip(), "Không hỗ trợ loại tệp"),
    ],
    ids=["empty", "docx-not-zip", "txt-is-zip", "pdf", "doc", "too-large", "no-task", "no-file", "docx-truncated",
         "docx-without-document", "png-truncated", "jpg-truncated", "xlsx"],
)
def test_bad_input_gets_a_vietnamese_message_and_stores_nothing(world: WebWorld, name, data, message) -> None:
    client = world.client(MONITOR)
    before = _counts(world)
    response = _upload(client, name, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    api = client.post("/api/imports", data={"plan": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert api.status_code == 400 and message in api.get_json()["error"]["message"]
    assert _counts(world) == before


def test_over_the_request_limit_is_refused_in_vietnamese(sqlite_url: str) -> None:
    world = build_world(sqlite_url, MAX_CONTENT_LENGTH=1024)
    response = _upload(world.client(MONITOR), "lon.txt", b"x" * 4096)
    assert response.status_code == 413 and "Tệp quá lớn" in response.get_data(as_text=True)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]  # an error page is a page


def test_only_a_monitor_may_import(world: WebWorld) -> None:
    client = world.client(HEAD)
    assert client.get("/imports/new").status_code == 403
    assert _upload(client, PLAN.name, PLAN.read_bytes()).status_code == 403
    assert client.post("/api/imports", data={"plan": (io.BytesIO(PLAN.read_bytes()), PLAN.name)},
                       content_type="multipart/form-data").status_code == 403


def test_the_monitor_sees_the_link_and_the_upload_form(world: WebWorld) -> None:
    html = world.client(MONITOR).get("/imports/new").get_data(as_text=True)
    assert 'href="/imports/new"' in html and 'type="file"' in html and "imports.js" in html
    assert 'href="/imports/new"' not in world.client(HEAD).get("/").get_data(as_text=True)


def test_upload_review_and_confirm_store_the_plan(world: WebWorld) -> None:
    client = world.client(MONITOR)
    before = _counts(world)
    response = _upload(client, PLAN.name, PLAN.read_bytes())
    assert response.status_code == 302
    review = client.get(response.headers["Location"])
    html = review.get_data(as_text=True)
    assert "Trung tam Luu tru lich su tinh" in html and 'class="unresolved"' in html
    assert _counts(world)["plans"] == before["plans"]  # nothing stored before confirming

    form = _review_form(html)
    refused = client.post(response.headers["Location"], data=form)  # the new unit left unticked
    assert refused.status_code == 400 and "chưa được xác nhận" in refused.get_data(as_text=True)
    assert _counts(world)["plans"] == before["plans"]

    form.update({"new-0-create": "on", "task-1-due": "2024-06-28"})
    done = client.post(response.headers["Location"], data=form)
    assert done.status_code == 302 and re.search(r"/plans/\d+$", done.headers["Location"])
    after = _counts(world)
    assert after["plans"] == before["plans"] + 1 and after["process_instances"] == before["process_instances"] + 2
    assert after["units"] == before["units"] + 1 and after["import_drafts"] == 0
    assert client.get(response.headers["Location"]).status_code == 404  # the draft is gone


def test_the_api_previews_and_confirms(world: WebWorld) -> None:
    client = world.client(MONITOR)
    created = client.post("/api/imports", data={"plan": (io.BytesIO(PLAN.read_bytes()), PLAN.name)},
                          content_type="multipart/form-data")
    assert created.status_code == 201
    body = created.get_json()
    draft = body["draft"]
    assert draft["tasks"][0]["lead"] == [str(world.office.units[KSTTHC])]
    assert draft["tasks"][1]["lead"] == [str(world.office.units[TTPV])]
    draft["new_units"][0]["create"] = True
    confirmed = client.post(body["confirm_url"], json=draft)
    assert confirmed.status_code == 201
    plan = client.get(confirmed.get_json()["url"]).get_json()
    assert [t["ref"] for t in plan["tasks"]] == ["1", "2"]



def _reshaped(draft: dict, path: tuple, value: object) -> dict:
    part = draft
    for key in path[:-1]:
        part = part[key]
    part[path[-1]] = value
    return draft


@pytest.mark.parametrize(("path", "value", "field"), [
    (("plan",), [1], "plan"),
    (("tasks",), "1. Rà soát", "tasks"),
    (("tasks", 1), "Rà soát", "tasks-1"),
    (("warnings",), True, "warnings"),
    (("tasks", 0, "lead"), 7, "task-0-lead"),
    (("tasks", 1, "coordinators"), None, None),  # no coordinators: that is allowed
    (("tasks", 0, "schedule"), "Quý I", "task-0-schedule"),
    (("tasks", 0, "schedule", "until"), "cuối năm", "task-0-schedule"),
    (("tasks", 0, "schedule", "due"), ["2024-02-30"], "task-0-schedule"),
    (("tasks", 0, "schedule", "on"), "--13-45", "task-0-schedule"),
])
def test_an_edited_draft_not_of_the_draft_s_shape_is_a_400_naming_the_part(world: WebWorld, path: tuple,
                                                                             value: object, field: str | None) -> None:
    client = world.client(MONITOR)
    created = client.post("/api/imports", data={"plan": (io.BytesIO(PLAN.read_bytes()), PLAN.name)},
                          content_type="multipart/form-data").get_json()
    draft = _reshaped(created["draft"], path, value)
    draft["new_units"][0]["create"] = True
    response = client.post(created["confirm_url"], json=draft)
    if field is None:
        assert response.status_code == 201, response.get_data(as_text=True)
        return
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["message"].startswith("Bản nháp không đúng cấu trúc")
    assert error["fields"] == {field: "Không đúng cấu trúc của bản nháp."}
    assert _counts(world)["plans"] == 1 and _counts(world)["import_drafts"] == 1  # nothing stored, draft kept


TOO_LONG = {TEXT: "Nội dung quá dài: viết tối đa 10.000 ký tự.", NAME: "Tên không được dài quá 255 ký tự.",
            PLAN_NUMBER: "Số, ký hiệu không được dài quá 80 ký tự.",
            TASK_REF: "Số thứ tự của nhiệm vụ không được dài quá 40 ký tự."}
LIMITED = [
    (("plan", "title"), "title", TEXT),
    (("tasks", 0, "title"), "task-0-title", TEXT),
    (("tasks", 1, "content"), "task-1-content", TEXT),
    (("new_units", 0, "name"), "new-0-name", NAME),
    (("source_name",), "source_name", NAME),
    (("plan", "number"), "number", PLAN_NUMBER),
    (("tasks", 0, "ref"), "task-0-ref", TASK_REF),
    (("tasks", 0, "director"), "task-0-director", NAME),
]


@pytest.mark.parametrize(("path", "field", "limit"), LIMITED)
@pytest.mark.parametrize("length", ["limit", "past"])
def test_a_draft_s_text_past_the_limit_is_a_400_naming_it_never_stored(world: WebWorld, path: tuple, field: str,
                                                                       limit: Limit, length: str) -> None:
    client = world.client(MONITOR)
    created = client.post("/api/imports", data={"plan": (io.BytesIO(PLAN.read_bytes()), PLAN.name)},
                          content_type="multipart/form-data").get_json()
    draft = _reshaped(created["draft"], path, "x" * (limit.length + (length == "past")))
    draft["new_units"][0]["create"] = True
    before = _counts(world)
    response = client.post(created["confirm_url"], json=draft)
    if length == "limit":
        assert response.status_code == 201, response.get_data(as_text=True)
        return
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {field: TOO_LONG[limit]}
    assert _counts(world) == before  # no plan, no new unit; the draft kept


@pytest.mark.parametrize(("path", "field", "limit"), [case for case in LIMITED if case[2] is not TEXT])
def test_on_postgresql_a_short_text_as_long_as_its_column_is_stored_one_more_is_refused(
        postgres_fresh_url: str, path: tuple, field: str, limit: Limit) -> None:
    """The short texts' limits are their columns' (VARCHAR): PostgreSQL refused a longer
    one mid-confirm, a 500, where SQLite stored it."""
    world = build_world(postgres_fresh_url, PROPAGATE_EXCEPTIONS=False)
    client = world.client(MONITOR)
    for extra, status in ((1, 400), (0, 201)):
        created = client.post("/api/imports", data={"plan": (io.BytesIO(PLAN.read_bytes()), PLAN.name)},
                              content_type="multipart/form-data").get_json()
        draft = _reshaped(created["draft"], path, "x" * (limit.length + extra))
        draft["new_units"][0]["create"] = True
        response = client.post(created["confirm_url"], json=draft)
        assert response.status_code == status, response.get_data(as_text=True)[:500]
    world.office.storage.engine.dispose()


def test_another_monitor_s_draft_is_not_found(world: WebWorld) -> None:
    response = _upload(world.client(MONITOR), PLAN.name, PLAN.read_bytes())
    with world.office.uow() as uow:
        uow.users.get(world.office.users[HEAD]).role = "monitor"
        uow.commit()
    assert world.client(HEAD).get(response.headers["Location"]).status_code == 404


def test_the_review_marks_what_the_importer_was_unsure_of_with_the_text_as_written(world: WebWorld) -> None:
    client = world.client(MONITOR)
    review = client.get(_upload(client, "ke-hoach.txt", PLAN.read_bytes()).headers["Location"]).get_data(as_text=True)
    # "Phong KSTTHC" (no diacritics) found the office's unit by a look-alike: marked, with its spelling.
    assert "Đơn vị khớp theo tên gần giống" in review and "“Phong KSTTHC” → Phòng Kiểm soát thủ tục hành chính" in review
    assert "Chưa có trong danh mục" in review or "Đơn vị chưa có trong danh mục" in review
    assert "Chưa đọc được thời hạn" in review
    assert "Nguyên văn trong kế hoạch" in review and "Theo ke hoach cua UBND tinh" in review


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_a_task_title_pasted_from_word_arrives_with_a_line_break_and_its_reports_are_made(world: WebWorld,
                                                                                         kind: str) -> None:
    """"\\x0b" is Word's manual line break as pasted into the review form: a line break; an
    escape is dropped; the plan's report holds the title as stored."""
    client = world.client(MONITOR)
    created = client.post("/api/imports", data={"plan": (io.BytesIO(PLAN.read_bytes()), PLAN.name)},
                          content_type="multipart/form-data").get_json()
    draft = _reshaped(created["draft"], ("tasks", 0, "title"), "Rà soát thủ tục\x0bhành chính\x1b[0m năm 2024")
    draft["new_units"][0]["create"] = True
    confirmed = client.post(created["confirm_url"], json=draft)
    assert confirmed.status_code == 201, confirmed.get_data(as_text=True)
    url = confirmed.get_json()["url"]
    title = "Rà soát thủ tục\nhành chính[0m năm 2024"
    assert client.get(url).get_json()["tasks"][0]["title"] == title
    report = client.get(f"/plans/{url.rstrip('/').rsplit('/', 1)[-1]}/report.{kind}")
    assert report.status_code == 200
    if kind == "xlsx":
        assert title in [c.value for row in load_workbook(io.BytesIO(report.data)).worksheets[0].iter_rows() for c in row]
    else:
        assert "hành chính[0m năm 2024" in "\n".join(c.text for t in Document(io.BytesIO(report.data)).tables
                                                       for row in t.rows for c in row.cells)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "cp1258"])
def test_a_text_plan_saved_in_another_encoding_is_previewed_as_in_utf_8(world: WebWorld, encoding: str) -> None:
    """Notepad's "Unicode" (UTF-16, here without its byte-order mark) was refused as binary."""
    text = PLAN.read_text(encoding="utf-8")
    data = text.encode(encoding) if encoding != "cp1258" else cp1258(text)
    client = world.client(MONITOR)
    sent = client.post("/api/imports", data={"plan": (io.BytesIO(data), PLAN.name)}, content_type="multipart/form-data")
    assert sent.status_code == 201, sent.get_data(as_text=True)
    utf8 = client.post("/api/imports", data={"plan": (io.BytesIO(PLAN.read_bytes()), PLAN.name)},
                       content_type="multipart/form-data").get_json()["draft"]
    assert sent.get_json()["draft"]["tasks"] == utf8["tasks"]
