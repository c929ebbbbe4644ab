"""Declarative base: naming convention, UUID keys, timezone-aware UTC timestamps."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, TypeDecorator, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as UTC; always returned timezone-aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


METADATA = MetaData(naming_convention=NAMING_CONVENTION)
TYPE_ANNOTATION_MAP = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


class Base(DeclarativeBase):
    """Holds the one ``MetaData`` of every table (Alembic, backups and tests read
    ``Base.metadata``); no model derives from it.

    Each aggregate module maps its classes in a registry of its own: a ``DeclarativeBase``
    of its own with this metadata and type map. SQLAlchemy configures a registry's mappers
    at the first ORM statement that uses one of them, and all of them at once, so a
    restart's admin bootstrap configures the accounts' mappers, not all ~65 (about 20 ms),
    and each other aggregate is configured by its first use. No model declares a
    ``relationship()`` (models refer to each other by foreign keys only), so no registry
    needs another's classes."""

    metadata = METADATA
    type_annotation_map = TYPE_ANNOTATION_MAP


def new_id() -> uuid.UUID:
    return uuid.uuid4()


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)


class CreatedMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
