"""One Idempotency-Key sent with accepts of several offers at once: one accept wins and
keeps the key; every other is refused with a problem (409 ``idempotency_key_in_use``
while the winner is still running, 422 ``idempotency_key_reused`` once it has
committed), never a 500 from the key's unique index, and no other offer is accepted.

PostgreSQL only: each accept locks only its own offer, so the requests run at once and
meet at the unique index; SQLite serialises whole transactions, so the later requests
always find the stored key (the 422 path of ``test_offers.test_idempotent_accept``).

To make the race certain rather than likely, every accept waits at the point where it
stores its answer until all of them got there: each has found no stored key by then. The
offers are made by two different parties: accepts within one pair of parties queue on the
pair's lock (a pair settles once) and never meet at the index."""

from __future__ import annotations

import threading
from threading import BrokenBarrierError

import pytest

from app.kernel import idempotency
from tests import dbutil
from tests.api.offers.conftest import events_named
from tests.testclient import TestClient

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not dbutil.pg_server_url(), reason="only PostgreSQL runs the "
                       "accepts at once (SQLite serialises whole transactions)"),
]

OFFERS = 2  # one offer from each other party to the defendant: two pairs


def test_one_key_on_offers_accepted_at_once(api, app, monkeypatch):
    room = api.room()
    offers = [api.offer(room, amount_cents=1_000),
              api.offer(room, by="pro_se", from_party="defendant2", amount_cents=1_001)]
    headers = {**room.users["defense_counsel"].headers, "Idempotency-Key": "same-key-1"}
    barrier = threading.Barrier(OFFERS)
    storing = threading.Barrier(OFFERS)
    remember = idempotency.remember

    def remember_together(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            storing.wait(timeout=30)
        except BrokenBarrierError:
            pass
        return remember(*args, **kwargs)

    monkeypatch.setattr(idempotency, "remember", remember_together)
    results: list = [None] * OFFERS

    def accept(i: int) -> None:
        client = TestClient(app, raise_server_exceptions=False)
        barrier.wait()
        results[i] = client.post(
            f"/api/v1/cases/{room.id}/offers/{offers[i]['id']}/accept", headers=headers,
            json={"terms_sha256": offers[i]["terms_sha256"]})

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(OFFERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [409] * (OFFERS - 1), [r.text for r in results]
    assert {r.json()["code"] for r in results if r.status_code == 409} == {
        "idempotency_key_in_use"}
    listed = api.client.get(f"/api/v1/cases/{room.id}/offers",
                            headers=room.users["defense_counsel"].headers).json()
    assert sorted(o["status"] for o in listed) == ["accepted"] + ["open"] * (OFFERS - 1)
    assert len(events_named(app, "offer.accept")) == 1
    in_use = [e for e in events_named(app, "offer.accept", "denied")
              if e.details["reason"] == "idempotency_key_in_use"]
    assert len(in_use) == statuses.count(409)
