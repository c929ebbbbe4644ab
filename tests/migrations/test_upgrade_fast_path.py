"""``upgrade`` skips Alembic only when the database is provably at the scripts' heads."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from app import migrate


def test_heads_read_from_the_files_are_alembics_heads():
    alembic_heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()
    assert migrate.script_heads() == frozenset(alembic_heads)


@pytest.mark.parametrize("source", [
    "revision = 'b'\n",  # no down_revision
    "revision = 'b'\nrevision = 'c'\ndown_revision = 'a'\n",  # two revisions
    "revision = compute()\ndown_revision = 'a'\n",  # not a plain literal
    "revision = 'b'\ndown_revision = 'missing'\n",  # a parent no file names
])
def test_an_unusual_version_file_leaves_the_decision_to_alembic(tmp_path: Path, source: str):
    (tmp_path / "a.py").write_text("revision = 'a'\ndown_revision = None\n")
    (tmp_path / "b.py").write_text(source)
    assert migrate.script_heads(tmp_path) is None


def test_merges_and_branches_give_every_head(tmp_path: Path):
    (tmp_path / "a.py").write_text("revision = 'a'\ndown_revision = None\n")
    (tmp_path / "b.py").write_text("revision: str = 'b'\ndown_revision: str | None = 'a'\n")
    (tmp_path / "c.py").write_text("revision = 'c'\ndown_revision = 'a'\n")
    assert migrate.script_heads(tmp_path) == {"b", "c"}
    (tmp_path / "d.py").write_text("revision = 'd'\ndown_revision = ('b', 'c')\n")
    assert migrate.script_heads(tmp_path) == {"d"}


def test_upgrade_runs_alembic_unless_at_head(database_url: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch):
    runs: list[str] = []
    monkeypatch.setattr(migrate, "_run", lambda url, action, target: runs.append(url))
    migrate.upgrade(database_url)  # the test database is migrated to head
    assert runs == []
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    migrate.upgrade(empty)
    assert runs == [empty]
