"""The inviter's answer is the same whether or not an account exists for the address, and
so is the work behind it: the same statements, none of which looks the address up. (No
wall-clock assertion: equal work is what keeps the timing equal, and it is what is
measured here.)"""

from __future__ import annotations

import re

from tests.api.seats.conftest import invite
from tests.sqlcount import statements

USERS = re.compile(r"\busers\b")


def _work(sql: list[str]) -> list[str]:
    """The statements but transaction control (the audit log's sequencing opens
    transactions of its own, whose statements sqlcount leaves out)."""
    return [s for s in sql if s.split()[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}]


def _headers(response) -> dict[str, str]:  # noqa: ANN001
    return {k: v for k, v in response.headers.items() if k.lower() != "x-request-id"}


def test_known_and_unknown_addresses_get_identical_answers_from_identical_work(api):
    room = api.room()
    engine = api.app.state.engine
    # Warm: the first invitation of the room's life pays for anything cached once.
    invite(api, room, "plaintiff_counsel", "warm-up@example.com", "client", "plaintiff")
    # Each caller's own row read by id (no account cache hit), so that read is compared too.
    api.app.state.accounts.clear()
    with statements(engine) as known_sql:
        known = invite(api, room, "plaintiff_counsel", room.users["outsider"].email,
                       "client", "plaintiff")
    api.app.state.accounts.clear()
    with statements(engine) as unknown_sql:
        unknown = invite(api, room, "plaintiff_counsel", "nobody-yet@example.com",
                         "client", "plaintiff")
    assert known.status_code == unknown.status_code == 202
    assert {**known.json(), "id": None} == {**unknown.json(), "id": None}
    assert len(known.json()["id"]) == len(unknown.json()["id"])
    assert _headers(known) == _headers(unknown)
    assert _work(known_sql) == _work(unknown_sql)
    touching_users = [s for s in _work(known_sql) if USERS.search(s)]
    assert len(touching_users) == len([s for s in _work(unknown_sql) if USERS.search(s)])
    # The only read of users is the caller's own row, by id; never a lookup by address.
    assert touching_users and all("users.id = " in s for s in touching_users)
    assert not any("users.email" in s.split("WHERE", 1)[-1] for s in _work(known_sql))
