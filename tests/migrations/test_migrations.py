"""upgrade head -> downgrade base -> upgrade head on an empty database, and the models
agree with the migrations (nothing left for autogenerate to do)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from app.db import make_engine
from app.migrate import downgrade, upgrade
from app.models import Base
from tests import dbutil


@pytest.fixture
def empty_db(tmp_path) -> Iterator[str]:
    if dbutil.pg_server_url():
        with dbutil.throwaway_pg_database("settleroom_mig") as url:
            yield url
    else:
        yield dbutil.sqlite_url(tmp_path / "empty.db")


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _diff(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(ctx, Base.metadata))
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_and_models_agree(empty_db):
    assert _tables(empty_db) == set()
    upgrade(empty_db)
    assert _tables(empty_db) == set(Base.metadata.tables)
    assert _diff(empty_db) == []
    downgrade(empty_db)
    assert _tables(empty_db) == set()
    upgrade(empty_db)
    assert _diff(empty_db) == []
    engine = make_engine(empty_db)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT tree_size FROM audit_log_state")).scalar_one() == 0
    engine.dispose()
