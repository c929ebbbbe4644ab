"""Run the Alembic migrations programmatically (``settleroom serve``, tests).

A restart usually finds the database at head. Importing Alembic and loading every revision
script to learn that is most of a restart's time, so ``upgrade`` to head first compares the
database's version with the heads read from the version files' text, and runs Alembic only
when they differ or when any file is not in the plain ``revision = '...'`` /
``down_revision = ...`` form (Alembic then decides, as always).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from app.db import BEGIN_OPTION, make_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_REVISION = re.compile(r"^revision\s*(?::[^=\n]*)?=\s*['\"]([^'\"]+)['\"]\s*$", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=\n]*)?=\s*(.+)$", re.M)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _run(url: str, action: str, target: str) -> None:
    from alembic import command

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            getattr(command, action)(cfg, target)
    finally:
        engine.dispose()


def script_heads(versions: Path = MIGRATIONS_DIR / "versions") -> frozenset[str] | None:
    """The head revisions named by the version files, or None if any file is unusual."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(source), _DOWN_REVISION.findall(source)
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        parents.update(_QUOTED.findall(down[0]))
    if not revisions or not parents <= revisions:
        return None
    return frozenset(revisions - parents)


def database_revisions(url: str) -> frozenset[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(**{BEGIN_OPTION: "DEFERRED"})
            if not inspect(conn).has_table("alembic_version"):
                return frozenset()
            rows = conn.execute(text("SELECT version_num FROM alembic_version"))
            return frozenset(row[0] for row in rows)
    finally:
        engine.dispose()


def upgrade(url: str, target: str = "head") -> None:
    if target == "head":
        heads = script_heads()
        if heads is not None and database_revisions(url) == heads:
            return
    _run(url, "upgrade", target)


def downgrade(url: str, target: str = "base") -> None:
    _run(url, "downgrade", target)
