"""Account caches learn of every account change only through the ORM hooks of
``app.account_changes``: SQL written by hand against ``users`` would change an account
behind every cache's back, so the code base must hold none."""

from __future__ import annotations

import re
from pathlib import Path

from app.account_changes import parse
from app.models.users import User

ROOT = Path(__file__).resolve().parents[2]
RAW_WRITE = re.compile(r"\b(UPDATE|DELETE\s+FROM|INSERT\s+INTO)\s+\"?users\b", re.IGNORECASE)
CORE_WRITE = re.compile(r"User\.__table__|\b(update|delete)\(\s*users\b")


def test_no_hand_written_sql_changes_accounts():
    found = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        source = path.read_text()
        for pattern in (RAW_WRITE, CORE_WRITE):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(source)]
    assert found == []
    assert User.__tablename__ == "users"  # what the patterns name


def test_the_scan_sees_what_it_looks_for():
    assert RAW_WRITE.search('text("update users set is_active = false")')
    assert RAW_WRITE.search("DELETE FROM \"users\" WHERE id = :id")
    assert CORE_WRITE.search("conn.execute(User.__table__.update())")
    assert not RAW_WRITE.search("SELECT id FROM users")


def test_a_payload_names_accounts_or_everyone():
    one, two = "5f0c1d9e-8a4b-4c2e-9f11-0a1b2c3d4e5f", "00000000-0000-4000-8000-000000000001"
    assert {str(u) for u in parse([one, two])} == {one, two}  # type: ignore[union-attr]
    assert parse(["*"]) is None
    assert parse([one, "not-an-id"]) is None  # unknown: forget everything
