"""Browser fixtures: the test app served by uvicorn in a thread on a free 127.0.0.1 port,
and Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.main import create_app
from tests import dbutil
from tests.conftest import make_settings
from tests.factories import Api
from tests.template import Template, copy_data_dir
from tests.testclient import TestClient

CHROMIUM = os.environ.get("SETTLEROOM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Chromium through Playwright")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def web_app(_template: Template, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """One app and database for a module of journeys that share one case."""
    folder = tmp_path_factory.mktemp("web")
    pg = dbutil.pg_server_url()
    url = _template.db if pg else dbutil.copy_sqlite(Path(_template.db), folder / "web.db")
    app = create_app(make_settings(copy_data_dir(_template.data_dir, folder / "data"), url))
    yield app
    app.state.engine.dispose()
    if pg:
        dbutil.reset_pg(url)


@pytest.fixture(scope="module")
def web_api(web_app, _template: Template) -> Iterator[Api]:  # noqa: ANN001
    with TestClient(web_app) as client:
        yield Api(client, web_app, seed=_template.seed)


@pytest.fixture
def api(web_api: Api) -> Api:
    """The module's ``Api``: page tests work on the module's app, not a per-test one."""
    return web_api


@pytest.fixture
def client(web_app) -> Iterator[TestClient]:  # noqa: ANN001
    """A TestClient with its own cookie jar, per test, on the module's app."""
    with TestClient(web_app) as c:
        yield c


@pytest.fixture(scope="module")
def room(web_api: Api):  # noqa: ANN201
    """One room per module, every party consenting to electronic service; tests read it or
    add what they alone look at."""
    room = web_api.room()
    web_api.consent_all(room)
    return room


@pytest.fixture(scope="module")
def base_url(web_app) -> Iterator[str]:  # noqa: ANN001
    import uvicorn
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(web_app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def sessions():  # noqa: ANN201
    """The module's signed-in sessions by account (``tests.web.browser.Sessions``): the
    module's app and accounts live as long."""
    from tests.web.browser import Sessions
    return Sessions()


# Per module: Playwright's sync API runs an event loop in the main thread while a browser
# is open, and the other modules of the worker should not inherit it.
@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
