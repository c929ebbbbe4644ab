"""Rooms from before the offer-access choice and the evaluator's confirmation keep working
as they did (issue 14, item 6): every client seat still reads its party's offers, and every
existing ENE session counts as confirmed by each participating party for its evaluator."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
    inspect,
    text,
)

from app.db import make_engine
from app.migrate import alembic_config, upgrade
from app.models import Base
from tests import dbutil

REVISION = "0019"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def empty_db(tmp_path) -> Iterator[str]:
    if dbutil.pg_server_url():
        with dbutil.throwaway_pg_database("settleroom_seatmig") as url:
            yield url
    else:
        yield dbutil.sqlite_url(tmp_path / "empty.db")


def _filler(column: Any) -> Any:
    """A value for a required column the test does not care about."""
    kind = getattr(column.type, "impl", column.type)
    for types, value in ((Boolean, False), (Integer, 0), (DateTime, NOW),
                         (Date, date(2030, 6, 13)), (Uuid, uuid.uuid4()),
                         (LargeBinary, b"x"), (JSON, {}), (String, "x")):
        if isinstance(kind, types):
            return value
    return "x"


def _insert(conn, name: str, **values: Any) -> None:  # noqa: ANN001
    """A row of the table as it is at this revision, with the models' column types (so ids
    and times bind on either database) and without the models' defaults."""
    present = {c["name"] for c in inspect(conn).get_columns(name)}
    model = Base.metadata.tables[name]
    table = Table(name, MetaData(), *(Column(c.name, c.type) for c in model.columns
                                      if c.name in present))
    row = {c.name: _filler(c) for c in model.columns
           if c.name in present and not c.nullable and c.name not in values}
    conn.execute(table.insert().values(**row, **values))


def test_existing_seats_and_sessions_keep_todays_behaviour(empty_db):
    before = ScriptDirectory.from_config(alembic_config()).get_revision(REVISION).down_revision
    upgrade(empty_db, str(before))
    ids = {k: uuid.uuid4() for k in ("admin", "client", "neutral", "case", "p", "d", "session")}
    engine = make_engine(empty_db)
    with engine.begin() as conn:
        for user in ("admin", "client", "neutral"):
            _insert(conn, "users", id=ids[user], email=f"{user}@example.com")
        _insert(conn, "cases", id=ids["case"], created_by=ids["admin"])
        for party, side in (("p", "plaintiff"), ("d", "defendant")):
            _insert(conn, "parties", id=ids[party], case_id=ids["case"], side=side)
        _insert(conn, "members", id=uuid.uuid4(), case_id=ids["case"],
                user_id=ids["client"], role="client", party_id=ids["p"], party_key=str(ids["p"]))
        _insert(conn, "ene_sessions", id=ids["session"], case_id=ids["case"],
                evaluator_user_id=ids["neutral"], created_by=ids["admin"], created_at=NOW)
        for party in ("p", "d"):
            _insert(conn, "ene_participants", session_id=ids["session"],
                    party_id=ids[party])
    upgrade(empty_db)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT reads_offers FROM members")).scalars().all() == [True]
        rows = conn.execute(text(
            "SELECT evaluator_user_id, party_id, decision, decided_by "
            "FROM ene_evaluator_decisions")).all()
    engine.dispose()
    found = {(uuid.UUID(str(e)), uuid.UUID(str(p)), d, b) for e, p, d, b in rows}
    assert found == {(ids["neutral"], ids[party], "confirm", None) for party in ("p", "d")}
