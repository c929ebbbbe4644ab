"""Print a PostgreSQL URL for the test suite if a local server answers; print nothing
otherwise. Used by ``make test``."""

from __future__ import annotations

import sys

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

CANDIDATES = ("postgresql+psycopg://postgres@127.0.0.1:5432/postgres",)


def main() -> int:
    for url in CANDIDATES:
        engine = create_engine(url, connect_args={"connect_timeout": 2})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            continue
        finally:
            engine.dispose()
        print(url)
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
