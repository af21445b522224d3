"""One check for every way a diagram comes in: the upload page, the JSON API (JSON or raw
bytes) and the modeler's Open. A non-UTF-8 file is refused by each, with where it breaks,
in Vietnamese; none of them stores garbled names."""
from __future__ import annotations

import io

import pytest

from engine.process import versions
from tests.e2e.web_helpers import build_world
from tests.support.designer_bpmn import PROCESS, version

# The same diagram saved by an editor in Windows-1258 (Vietnamese): its names are not UTF-8.
LEGACY = version(('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="windows-1258"?>'))
LEGACY_BYTES = LEGACY.encode("cp1258", errors="replace")
NOT_UTF8 = "Tệp không phải văn bản UTF-8"
FIRST_NAME_LINE = next(n for n, line in enumerate(LEGACY_BYTES.splitlines(), 1) if not line.isascii())


@pytest.fixture
def world(sqlite_url):
    world = build_world(sqlite_url)
    yield world
    world.office.storage.engine.dispose()


def version_count(world) -> int:
    return len(versions.list_versions(world.office.uow()))


def test_non_utf8_bytes_are_refused_by_the_raw_api_with_the_line_of_the_first_bad_character(world):
    client, before = world.client("thietke"), version_count(world)
    for path in ("/designer/api/versions", "/designer/api/open"):
        response = client.post(path, data=LEGACY_BYTES, content_type="application/octet-stream")
        assert response.status_code == 400, path
        problem = response.get_json()["error"]["problems"][0]
        assert NOT_UTF8 in problem["message"] and problem["line"] == FIRST_NAME_LINE
    assert version_count(world) == before


def test_text_a_browser_decoded_with_replacement_characters_is_refused_through_json(world):
    garbled = LEGACY_BYTES.decode("utf-8", errors="replace").replace("windows-1258", "UTF-8")
    response = world.client("thietke").post("/designer/api/versions", json={"xml": garbled})
    assert response.status_code == 400
    problem = response.get_json()["error"]["problems"][0]
    assert NOT_UTF8 in problem["message"] and problem["line"] == FIRST_NAME_LINE


def test_utf8_text_that_declares_another_encoding_is_refused_where_it_says_so(world):
    response = world.client("thietke").post("/designer/api/versions", json={"xml": LEGACY})
    problem = response.get_json()["error"]["problems"][0]
    assert response.status_code == 400 and (problem["line"], problem["column"]) == (1, 31)


def test_the_upload_page_refuses_the_same_file_in_vietnamese(world):
    response = world.client("thietke").post("/designer/upload", data={"file": (io.BytesIO(LEGACY_BYTES), "x.bpmn")},
                                            content_type="multipart/form-data")
    assert response.status_code == 400 and NOT_UTF8 in response.get_data(as_text=True)


def test_broken_xml_gives_its_line_and_column_in_vietnamese(world):
    broken = PROCESS.replace('<bpmn:endEvent id="end" name="Hoàn thành">', '<bpmn:endEvent id="end" name="Hoàn thành>')
    response = world.client("thietke").post("/designer/api/open", data=broken.encode(), content_type="application/xml")
    problem = response.get_json()["error"]["problems"][0]
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if 'name="Hoàn thành>' in text)
    assert response.status_code == 400 and problem["line"] == line
    assert problem["message"] == f"Tệp không phải XML hợp lệ. (dòng {line}, cột {problem['column']})"


def test_the_modeler_open_gives_back_the_text_and_its_problems_marked_on_elements(world):
    text = version(('planflow:actor="monitor" ', ""))
    response = world.client("thietke").post("/designer/api/open", data=text.encode(), content_type="application/xml")
    body = response.get_json()
    assert response.status_code == 200 and body["xml"] == text
    assert [(p["element_id"], p["severity"]) for p in body["problems"]] == [("review", "error")]
