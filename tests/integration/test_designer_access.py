"""Only designers reach the modeler and its API; everyone else gets 403, pages and JSON alike."""
from __future__ import annotations

import pytest

from tests.e2e.web_helpers import build_world
from tests.support.designer_bpmn import PROCESS, version


@pytest.fixture
def world(sqlite_url):
    world = build_world(sqlite_url)
    yield world
    world.office.storage.engine.dispose()


PAGES = ["/designer/", "/designer/modeler", "/designer/versions/1", "/designer/versions/1.bpmn"]
API_GETS = ["/designer/api/versions", "/designer/api/versions/1"]


@pytest.mark.parametrize("path", PAGES + API_GETS)
def test_a_staff_member_gets_403_from_every_designer_page_and_api(world, path):
    response = world.client("cv.kstthc").get(path)
    assert response.status_code == 403
    if "/api/" in path:
        assert response.get_json()["error"]["code"] == "not_allowed"


def test_a_staff_member_cannot_save_deploy_or_migrate_through_the_api(world):
    client = world.client("cv.kstthc")
    assert client.post("/designer/api/versions", json={"xml": PROCESS}).status_code == 403
    assert client.post("/designer/api/versions/1/deploy").status_code == 403
    assert client.post("/designer/api/migrations", json={"from_version_id": 1, "to_version_id": 1}).status_code == 403


def test_an_anonymous_api_call_gets_401_json(world):
    response = world.client().get("/designer/api/versions")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_a_designer_sees_the_pages_and_saves_through_the_api(world):
    client = world.client("thietke")
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    bad = client.post("/designer/api/versions", json={"xml": version(('planflow:actor="monitor"', 'planflow:actor="x"'))})
    assert bad.status_code == 400
    problems = bad.get_json()["error"]["problems"]
    assert [p["element_id"] for p in problems] == ["review"]
    assert problems[0]["message"] != problems[0]["msgid"], "translated to Vietnamese"
    saved = client.post("/designer/api/versions", json={"xml": PROCESS, "comment": "thử"})
    assert saved.status_code == 201
    version_id = saved.get_json()["id"]
    assert client.post(f"/designer/api/versions/{version_id}/deploy").status_code == 200
    live = [v for v in client.get("/designer/api/versions").get_json()["versions"] if v["is_live"]]
    assert [v["id"] for v in live] == [version_id]
