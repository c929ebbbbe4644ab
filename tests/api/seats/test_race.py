"""One token accepted twice at once: exactly one acceptance wins.

PostgreSQL only: the invitation row lock (``seats.repository.lock_invitation_by_token``)
is what serialises the two; SQLite serialises whole transactions, with or without it.
"""

from __future__ import annotations

import threading

import pytest

from tests import dbutil
from tests.api.seats.conftest import events_named, invite, token_for
from tests.testclient import TestClient

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not dbutil.pg_server_url(), reason="only PostgreSQL can show a "
                       "missing row lock (SQLite serialises whole transactions)"),
]

THREADS = 8


def _race(app, calls):  # noqa: ANN001, ANN202
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        path, headers, body = calls[i]
        client = TestClient(app)
        barrier.wait()
        results[i] = client.post(path, headers=headers, json=body)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_one_token_accepted_at_once_by_an_existing_account(api, app):
    room = api.room()
    outsider = room.users["outsider"]
    invite(api, room, "plaintiff_counsel", outsider.email, "client", "plaintiff")
    path = f"/api/v1/invitations/{token_for(app, outsider.email)}/accept"
    results = _race(app, [(path, outsider.headers, None)] * THREADS)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [409] * (THREADS - 1), [r.text for r in results]
    assert len(events_named(app, "invitation.accept")) == 1


def test_one_token_accepted_at_once_creating_the_account(api, app):
    room = api.room()
    invite(api, room, "plaintiff_counsel", "racer@example.com", "client", "plaintiff")
    path = f"/api/v1/invitations/{token_for(app, 'racer@example.com')}/accept"
    body = {"name": "Racer", "password": "a racing long passphrase"}
    results = _race(app, [(path, {}, body)] * THREADS)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [409] * (THREADS - 1), [r.text for r in results]
