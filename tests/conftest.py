"""Shared fixtures. The database is SQLite unless SETTLEROOM_TEST_DATABASE_URL names a
PostgreSQL server; ``make test`` runs the database-backed tests on both."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from functools import cache
from pathlib import Path

import pytest

from app.config import Settings
from app.documents.inspection import POOL as INSPECTION_WORKERS
from app.main import configure, create_app
from app.migrate import upgrade
from tests import dbutil, tools
from tests.factories import Api
from tests.template import Template, build_standard_room, copy_data_dir
from tests.testclient import TestClient


@pytest.fixture(scope="session", autouse=True)
def _inspection_workers() -> Iterator[None]:
    """Keep the inspection workers for the whole run: every test's TestClient starts and
    stops the app, and the last app to stop stops the workers."""
    INSPECTION_WORKERS.hold()
    yield
    INSPECTION_WORKERS.release()


def pytest_report_header(config: pytest.Config) -> str:
    return "database: " + ("postgresql" if dbutil.pg_server_url() else "sqlite")


def _start_rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    if path.startswith("tests/web/") and ("journeys" in path or "accessibility" in path):
        return 0
    return 1 if path.startswith(("tests/web/", "tests/cli/")) else 2


ONCE_REASON = "checked once, in the SQLite pass: what it checks does not depend on the database"


def _one_id_per_test(items: list[pytest.Item]) -> None:
    """Schemathesis names each operation's test (``test_no_server_errors[GET /...]``) but,
    on pytest 9.2, gives them all the function's node id. xdist's controller keys its work
    by node id: the scheduler below kept one of the ~140 operations and dropped the rest
    without a word. Each such test gets the id its name says."""
    seen = Counter(item.nodeid for item in items)
    for item in items:
        if seen[item.nodeid] > 1 and item.parent is not None:
            item._id = type(item._id).parse(  # noqa: SLF001 - pytest 9's id of a node
                f"{item.parent.nodeid}::{item.name}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests are slow by nature: ``-m 'not slow'`` leaves them out too. Tests
    marked ``once`` (OCR, rendering, process signals: nothing of the database) are not run
    again in the PostgreSQL pass, nor are browser tests other than the role journeys
    (``journey``): what those add to the page tests is the browser's side (script, layout,
    focus, dialogs), which no database changes. The journeys run on both: each role's whole
    path through the pages, its confirmations and its drafts kept across an ended session,
    against the database a court would run."""
    _one_id_per_test(items)
    pg = dbutil.pg_server_url()
    # The longest modules first: the web modules go to one worker each, whole, and one of
    # them started last would keep the other worker idle at the end. Stable: a module's own
    # order is kept (a journey may build on the one before it).
    items.sort(key=_start_rank)
    for item in items:
        browser = (item.get_closest_marker("browser") is not None
                   or "browser" in getattr(item, "fixturenames", ()))
        if browser:
            item.add_marker(pytest.mark.slow)
        journey = item.get_closest_marker("journey") is not None
        if pg and ((browser and not journey) or item.get_closest_marker("once")):
            item.add_marker(pytest.mark.skip(reason=ONCE_REASON))


_SHARED_SCOPE = re.compile(r"""scope=["'](module|class|package)["']""")


@cache
def _sent_whole(root: Path, module: str) -> bool:
    """Web modules, and any module whose own fixtures live longer than a test (a backup
    drill, replicas, the fuzzing world): sent whole to one worker, which builds them once.
    Sent test by test, such a module had its fixtures built on both workers, and a fixture
    parametrized per module torn down and rebuilt whenever its tests interleaved."""
    if module.startswith("tests/web/"):
        return True
    try:
        return _SHARED_SCOPE.search((root / module).read_text()) is not None
    except OSError:
        return False


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """With ``-n`` (``make test``): every test on its own, as ``--dist load`` does, except
    the modules ``_sent_whole`` names, each sent whole to one worker. The web modules' tests
    share one app and case per module (``tests/web/conftest.py``), and a journey may build on
    an earlier one of its module. (``--dist loadgroup`` would say this with a mark, but it
    does not group on pytest 9.2: pytest-dev/pytest-xdist#1386.)"""
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    root = config.rootpath

    class SharedFixturesWhole(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if _sent_whole(root, module) else nodeid

    return SharedFixturesWhole(config, log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # noqa: ANN201
    """In CI, a test skipped for want of a tool fails instead (``tests.tools``)."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail") and isinstance(report.longrepr, tuple):
        message = tools.failure_for_skip(str(report.longrepr[2]))
        if message is not None:
            report.outcome = "failed"
            report.longrepr = message


@contextmanager
def build_template(
    folder: Path, extend: Callable[[Template], None] | None = None
) -> Iterator[Template]:
    """A migrated database holding the standard room (``tests.template``) and whatever
    ``extend`` adds, with its data dir: a SQLite file, or a throwaway PostgreSQL database
    whose rows each ``dbutil.reset_pg`` restores."""
    pg = dbutil.pg_server_url()
    with dbutil.throwaway_pg_database() if pg else nullcontext(None) as pg_url:
        url = pg_url or dbutil.sqlite_url(folder / "template.db")
        upgrade(url)
        template = Template(pg_url or str(folder / "template.db"), folder / "data",
                            build_standard_room(make_settings(folder / "data", url)))
        if extend is not None:
            extend(template)
        if pg_url:
            dbutil.take_snapshot(pg_url)
        yield template


def fresh_database(template: Template, tmp_path: Path) -> Iterator[str]:
    """What a test gets of ``template``: a copy (SQLite), or the database itself, put back
    afterwards (PostgreSQL). A fixture body: ``yield from``."""
    if dbutil.pg_server_url():
        yield template.db
        dbutil.reset_pg(template.db)
    else:
        yield dbutil.copy_sqlite(Path(template.db), tmp_path / "test.db")


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    with build_template(tmp_path_factory.mktemp("template")) as template:
        yield template


@pytest.fixture(scope="session")
def _template_db(_template: Template) -> str:
    return _template.db


@pytest.fixture
def start(_template: Template) -> Template:
    """The template a test's database, data dir and seed come from: the standard room. A
    folder's conftest may start its tests from another (tests/api/ene: a session built)."""
    return _template


@pytest.fixture
def database_url(start: Template, tmp_path: Path) -> Iterator[str]:
    """A database holding what ``start`` holds (the standard room) and nothing else."""
    yield from fresh_database(start, tmp_path)


@pytest.fixture(scope="session")
def _empty_template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if dbutil.pg_server_url():
        with dbutil.throwaway_pg_database() as url:
            upgrade(url)
            yield url
        return
    path = tmp_path_factory.mktemp("empty") / "empty.db"
    upgrade(dbutil.sqlite_url(path))
    yield str(path)


@pytest.fixture
def empty_database_url(_empty_template_db: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database without a single row (start-up bootstrap needs one)."""
    if dbutil.pg_server_url():
        yield _empty_template_db
        dbutil.reset_pg(_empty_template_db)
    else:
        yield dbutil.copy_sqlite(Path(_empty_template_db), tmp_path / "empty.db")


class _GivenSettings(Settings):
    """Settings made of what a test passes and nothing else: neither the runner's
    SETTLEROOM_* variables nor a .env file reach a test's app. Reading those sources costs
    a walk over every field's annotations (about 7 ms a test, more than the validation);
    ``get_settings()``, which the CLI tests call with their own variables, still reads
    them."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, **_: object):  # noqa: ANN001, ANN206
        return (init_settings,)


def make_settings(data_dir: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "dev",
        "data_dir": data_dir,
        "database_url": database_url,
        "secret_key": "test-secret-key-0123456789abcdef0123456789",
        # Cheap Argon2 parameters for tests, passed explicitly.
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "argon2_parallelism": 1,
        # Tests read the audit log right after a call: each request's events are sequenced
        # before it answers (the background sequencer has tests of its own).
        "audit_sequencing": "on_commit",
        # Mail tests run the delivery worker themselves (``app.state.mailer.drain()``).
        "worker": "external",
    }
    values.update(overrides)
    return _GivenSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path, database_url: str, start: Template) -> Settings:
    return make_settings(copy_data_dir(start.data_dir, tmp_path / "data"), database_url)


@pytest.fixture(scope="session")
def _shared_app(tmp_path_factory: pytest.TempPathFactory, _template: Template):  # noqa: ANN202
    """One app for the whole run: building FastAPI's routes is the costly part, so each test
    re-binds this app to its own database and data directory (``configure``)."""
    base = tmp_path_factory.mktemp("boot")
    url = _template.db if dbutil.pg_server_url() else dbutil.sqlite_url(base / "boot.db")
    application = create_app(make_settings(base / "data", url))
    yield application
    application.state.engine.dispose()


@pytest.fixture
def app(_shared_app, settings: Settings):  # noqa: ANN001, ANN201
    configure(_shared_app, settings)
    dbutil.share_compiled_sql(_shared_app.state.engine)
    yield _shared_app
    _shared_app.state.engine.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app) as c:
        yield c


@pytest.fixture
def api(client: TestClient, app, start: Template) -> Api:  # noqa: ANN001
    return Api(client, app, seed=start.seed)
