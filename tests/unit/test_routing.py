"""Deferred routes: built by the first request that needs them, answered by FastAPI's own."""

from __future__ import annotations

import threading

from fastapi import FastAPI

from app.main import create_app
from app.routing import DeferredRoute, DeferredRouter, built_routes, mount
from tests.conftest import make_settings
from tests.testclient import TestClient


def _app() -> tuple[FastAPI, list[str]]:
    builds: list[str] = []
    router = DeferredRouter(prefix="/things")
    original = DeferredRouter.add_api_route

    def counting(self, path, endpoint, **kwargs):  # noqa: ANN001, ANN202
        original(self, path, endpoint, **kwargs)
        deferred = self.routes[-1]
        build = deferred._build

        def counted():  # noqa: ANN202
            builds.append(path)
            return build()

        deferred._build = counted

    DeferredRouter.add_api_route = counting  # type: ignore[method-assign]
    try:
        @router.get("/{thing_id}")
        def read(thing_id: int) -> dict[str, int]:
            return {"id": thing_id}

        @router.post("")
        def make(body: dict[str, str]) -> dict[str, str]:
            return body
    finally:
        DeferredRouter.add_api_route = original  # type: ignore[method-assign]
    app = FastAPI()
    mount(app, router)
    return app, builds


def test_a_route_is_built_by_the_first_request_to_its_path_and_only_once() -> None:
    app, builds = _app()
    assert builds == []
    with TestClient(app) as client:
        assert client.get("/things/7").json() == {"id": 7}
        assert builds == ["/{thing_id}"]  # the POST route was not needed
        assert client.get("/things/8").json() == {"id": 8}
        assert builds == ["/{thing_id}"]


def test_framework_answers_stay_the_frameworks() -> None:
    app, _ = _app()
    with TestClient(app) as client:
        assert client.get("/things/not-a-number").status_code == 422
        assert client.delete("/things/7").status_code == 405
        assert client.get("/elsewhere").status_code == 404
        assert client.post("/things", json={"a": "b"}).json() == {"a": "b"}


def test_concurrent_first_requests_build_once() -> None:
    app, builds = _app()
    with TestClient(app) as client:
        answers: list[int] = []
        threads = [threading.Thread(target=lambda: answers.append(
            client.get("/things/1").status_code)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert answers == [200] * 8
    assert builds == ["/{thing_id}"]


def test_the_openapi_document_lists_every_route_of_the_service(tmp_path) -> None:  # noqa: ANN001
    app = create_app(make_settings(tmp_path / "data", f"sqlite:///{tmp_path}/db.sqlite"))
    # The routers' deferred routes are shared by every app of the process: another test's
    # app may have built some already. All are listed once the document is asked for.
    assert len([r for r in app.router.routes if isinstance(r, DeferredRoute)]) > 200
    paths = app.openapi()["paths"]
    assert "/api/v1/cases/{case_id}/offers" in paths and "/healthz" in paths
    assert not any(isinstance(r, DeferredRoute) for r in built_routes(app))


def test_a_path_outside_a_routes_literal_start_neither_builds_nor_compiles_it() -> None:
    app, builds = _app()
    deferred = [r for r in app.router.routes if isinstance(r, DeferredRoute)]
    with TestClient(app) as client:
        assert client.get("/elsewhere/7").status_code == 404
        assert client.get("/thing/7").status_code == 404  # a near miss of "/things/"
        assert builds == []
        assert all(r._matcher is None for r in deferred)
        assert client.get("/things/7").json() == {"id": 7}
    assert builds == ["/{thing_id}"]
