"""Exactly one terminal transition under concurrency: 20 simultaneous accepts, and accepts
racing withdraws, each request on its own TestClient (its own connection and transaction).

PostgreSQL only: there the offer row lock (SELECT ... FOR UPDATE in
``offers.repository.lock_offer``) is what lets one transaction win, and without it several
accepts read "open" and all succeed. On SQLite every transaction is BEGIN IMMEDIATE, so
the whole request is serialised and the test would pass with or without the lock.
"""

from __future__ import annotations

import threading

import pytest

from tests import dbutil
from tests.api.offers.conftest import events_named
from tests.testclient import TestClient

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not dbutil.pg_server_url(), reason="only PostgreSQL can show a "
                       "missing row lock (SQLite serialises whole transactions)"),
]

THREADS = 20


def _race(app, calls):  # noqa: ANN001
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        method, path, headers, body = calls[i]
        client = TestClient(app)
        barrier.wait()
        results[i] = client.request(method, path, headers=headers, json=body)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_twenty_concurrent_accepts_one_wins(api, app):
    room = api.room()
    offer = api.offer(room)
    path = f"/api/v1/cases/{room.id}/offers/{offer['id']}/accept"
    headers = room.users["defense_counsel"].headers
    results = _race(app, [("POST", path, headers, {"terms_sha256": offer["terms_sha256"]})]
                    * THREADS)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [409] * (THREADS - 1), [r.text for r in results]
    assert {r.json()["code"] for r in results if r.status_code == 409} == {"offer_not_open"}
    assert len(events_named(app, "offer.accept")) == 1
    assert len(events_named(app, "offer.accept", "denied")) == THREADS - 1


def test_accepts_racing_withdraws_one_wins(api, app):
    room = api.room()
    offer = api.offer(room)
    base = f"/api/v1/cases/{room.id}/offers/{offer['id']}"
    accept = ("POST", base + "/accept", room.users["defense_counsel"].headers,
              {"terms_sha256": offer["terms_sha256"]})
    withdraw = ("POST", base + "/withdraw", room.users["plaintiff_counsel"].headers, None)
    results = _race(app, [accept, withdraw] * (THREADS // 2))
    winners = [r for r in results if r.status_code == 200]
    assert len(winners) == 1, [r.text for r in results]
    assert all(r.status_code == 409 for r in results if r.status_code != 200)
    final = winners[0].json()["status"]
    ok_events = events_named(app, "offer.accept") + events_named(app, "offer.withdraw")
    assert len(ok_events) == 1 and ok_events[0].action == {
        "accepted": "offer.accept", "withdrawn": "offer.withdraw"}[final]


def test_two_offers_of_one_pair_accepted_at_once_settle_it_once(api, app):
    """Without the pair's lock each acceptance holds only its own offer's row, both read
    "no settlement yet", and the pair settles twice."""
    for _ in range(5):
        room = api.room()
        mine = api.offer(room)
        theirs = api.offer(room, by="defense_counsel", from_party="defendant",
                           to_party="plaintiff", terms="A release of the counterclaim only.")
        base = f"/api/v1/cases/{room.id}/offers"
        calls = [("POST", f"{base}/{mine['id']}/accept", room.users["defense_counsel"].headers,
                  {"terms_sha256": mine["terms_sha256"]}),
                 ("POST", f"{base}/{theirs['id']}/accept",
                  room.users["plaintiff_counsel"].headers,
                  {"terms_sha256": theirs["terms_sha256"]})] * 4
        results = _race(app, calls)
        assert [r.status_code for r in results].count(200) == 1, [r.text for r in results]
        assert {r.json()["code"] for r in results if r.status_code != 200} <= {
            "offer_not_open", "thread_settled"}


def test_an_offer_racing_an_acceptance_never_lands_on_a_settled_pair(api, app):
    """Either the new offer commits first (and then stays open beside the settlement, never
    to be accepted), or it is refused with ``thread_settled``: never a new offer made after
    the acceptance committed."""
    for _ in range(5):
        room = api.room()
        offer = api.offer(room)
        base = f"/api/v1/cases/{room.id}/offers"
        accept = ("POST", f"{base}/{offer['id']}/accept", room.users["defense_counsel"].headers,
                  {"terms_sha256": offer["terms_sha256"]})
        make = ("POST", base, room.users["plaintiff_counsel"].headers, {
            "from_party_id": room.parties["plaintiff"],
            "to_party_id": room.parties["defendant"], "amount_cents": 1, "terms": "t"})
        results = _race(app, [accept, make, make, make])
        assert results[0].status_code == 200, results[0].text
        accepted_at = results[0].json()["closed_at"]
        for r in results[1:]:
            assert r.status_code in (201, 409), r.text
            if r.status_code == 409:
                assert r.json()["code"] == "thread_settled"
            else:
                assert r.json()["created_at"] <= accepted_at
