"""The baseline of ``bench_http.py``: a bare FastAPI app on the same uvicorn.

``GET /json`` answers a constant dict (the TechEmpower JSON test); ``GET /db/{id}`` reads one
row by primary key through a fresh ORM session, as the shortest FastAPI + SQLAlchemy read
would. Served with ``uvicorn bench.bare_app:app``; the database URL comes from
``BARE_DATABASE_URL`` (the table is created and one row inserted on start-up).
"""

from __future__ import annotations

import os
import uuid

from fastapi import FastAPI
from sqlalchemy import String, Uuid, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ROW_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "bare_rows"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    caption: Mapped[str] = mapped_column(String(200))
    court: Mapped[str] = mapped_column(String(20))


_url = os.environ.get("BARE_DATABASE_URL", "sqlite:///./bare.db")
engine = create_engine(
    _url, connect_args={"check_same_thread": False} if _url.startswith("sqlite") else {}
)
Base.metadata.create_all(engine)
with Session(engine) as _s:
    if _s.get(Row, ROW_ID) is None:
        _s.add(Row(id=ROW_ID, caption="Doe v. Roe", court="cand"))
        _s.commit()

app = FastAPI()


@app.get("/json")
async def json_endpoint() -> dict[str, str]:
    return {"message": "Hello, World!"}


@app.get("/db/{row_id}")
def db_endpoint(row_id: uuid.UUID) -> dict[str, str]:
    with Session(engine) as session:
        row = session.get(Row, row_id)
        assert row is not None
        return {"id": str(row.id), "caption": row.caption, "court": row.court}
