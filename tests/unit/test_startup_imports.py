"""A restart does only what its first request needs (issue #12, item 5).

``settleroom serve`` on a database at head runs the admin bootstrap and ``create_app``; the
modules below are imported, and the service's schemas built, only by the first request
that uses them. A fresh interpreter does exactly that restart and reports what it loaded,
so a module-level import or an eager build that slips back in fails here (the time it
costs is measured in ``bench/bench_http.py``, not asserted).
"""

from __future__ import annotations
import __future__

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import _prepare
from app.kernel.schemas import Schema
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]

# Loaded where used: PDF papers, page templates, image decoding, PostgreSQL's dialect (the
# database here is SQLite), migrations (the database is at head), the witnesses' and
# trusted keys' HTTP client, amounts in words, the PDF viewer, arrays (marks, text
# windows), PDF page trees (exhibits, Bates numbers), access tokens (the first sign-in or
# token check).
LAZY = ("reportlab", "jinja2", "PIL", "sqlalchemy.dialects.postgresql", "alembic", "httpx",
        "num2words", "pypdfium2", "numpy", "pikepdf", "jose")

# Built at import: their JSON schemas are declared as the request bodies of routes that read
# the body themselves (``openapi_extra``), and a declaration needs the schema.
BUILT_AT_IMPORT = ["DraftText", "OrderText", "PublicTextCreate", "TraceText"]

# The restart, in a fresh interpreter: what ``cmd_serve`` does before uvicorn takes over.
PROBE = """
import json, sys
from pathlib import Path
from app.cli import _prepare
from app.config import Settings
from app.kernel.schemas import Schema
from app.main import create_app

settings = Settings(**json.loads(sys.argv[1]))
_prepare(settings)
create_app(settings)

def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)

from sqlalchemy.orm import DeclarativeBase, class_mapper

mapped = [c for c in subclasses(DeclarativeBase) if c.__module__.startswith("app.models.")
          and "__tablename__" in c.__dict__]
lazy = json.loads(sys.argv[2])
print(json.dumps({
    "loaded": sorted(m for m in sys.modules if any(m == n or m.startswith(n + ".") for n in lazy)),
    "schemas": len(set(subclasses(Schema))),
    "built": sorted({c.__qualname__ for c in subclasses(Schema) if c.__pydantic_complete__}),
    "models": len(mapped),
    "configured": sorted({c.__module__ for c in mapped
                          if class_mapper(c, configure=False).configured}),
}))
"""


def _all_schemas() -> set[type[Schema]]:
    found: set[type[Schema]] = set()
    todo = [Schema]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


# One restart for the module: its tests read different parts of the same report, and each
# restart is a migrated first start plus a fresh interpreter (seconds).
@pytest.fixture(scope="module")
def restart(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp_path = tmp_path_factory.mktemp("restart")
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path}/db.sqlite",
                             admin_email="admin@example.com",
                             admin_password="startup-probe-password-7")
    _prepare(settings)  # the first start: migrations (Alembic), keys, the admin's account
    values = {name: str(value) if isinstance(value, Path) else value
              for name, value in settings.model_dump(mode="json").items()
              if name in settings.model_fields_set}
    env = {k: v for k, v in os.environ.items() if not k.startswith("SETTLEROOM_")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(values), json.dumps(LAZY)],
        capture_output=True, text=True, timeout=180, cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_a_restart_loads_no_module_its_first_request_does_not_need(restart) -> None:  # noqa: ANN001
    assert restart["loaded"] == []


def test_a_restart_builds_no_schema_before_a_request_uses_it(restart) -> None:  # noqa: ANN001
    assert isinstance(restart["schemas"], int) and restart["schemas"] > 100  # all declared
    assert restart["built"] == BUILT_AT_IMPORT


def test_a_restart_configures_the_mappers_of_the_accounts_only(restart) -> None:  # noqa: ANN001
    # Its one ORM statement is the admin bootstrap's; every other aggregate's registry is
    # configured by its own first use (``app.models.base.Base``).
    assert isinstance(restart["models"], int) and restart["models"] > 60
    assert restart["configured"] == ["app.models.users"]


def test_every_schema_of_the_service_builds() -> None:
    # Deferred schemas are built by their first use; a mistake in one must still fail the
    # suite even if no test happens to use it.
    import app.main  # noqa: F401  (declares every schema)

    schemas = _all_schemas()
    assert len(schemas) > 100
    for schema in schemas:
        schema.model_rebuild(raise_errors=True)
        assert schema.__pydantic_complete__, schema.__qualname__


def test_the_command_loads_no_settings_before_serve_pauses_the_collector() -> None:
    # ``cmd_serve`` pauses the garbage collector before it loads anything; what the
    # ``settleroom`` module itself loads (the settings' pydantic, the key files'
    # cryptography) would be scanned by the collector's passes meanwhile.
    probe = ("import json, sys; import app.cli; print(json.dumps(sorted(m for m in sys.modules "
             "if m.split('.')[0] in ('pydantic', 'pydantic_settings', 'cryptography') "
             "or m in ('app.config', 'app.keyfiles'))))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SETTLEROOM_")}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout) == []


def test_declarative_modules_keep_their_annotations_evaluated() -> None:
    # With postponed annotations SQLAlchemy and pydantic parse each annotation's string back
    # into a type when a class is declared: some 550 columns and 1,000 fields at each start.
    from pydantic import BaseModel
    from sqlalchemy.orm import DeclarativeBase

    import app.main  # noqa: F401  (declares every model and schema)

    declaring: set[str] = set()
    todo: list[type] = [BaseModel, DeclarativeBase]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("app."):
                declaring.add(sub.__module__)
    assert len(declaring) > 25
    postponed = sorted(m for m in declaring
                       if getattr(sys.modules[m], "annotations", None) is __future__.annotations)
    assert postponed == []
