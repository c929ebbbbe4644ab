"""The in-process worker yields to requests: while any is in flight it works in small
batches and rests after each step in proportion to the step (a duty cycle); with none in
flight it runs on. Checked by what it asks to wait for, never by timing."""

from __future__ import annotations

import pytest

from app.notifications import service as notifications
from app.notifications.schemas import UnreadCount
from app.notifications.worker import YIELD_BATCH, DeliveryWorker
from tests.factories import Api, Room


class Requests:
    def __init__(self, busy: bool) -> None:
        self.in_flight = busy

    def busy(self) -> bool:
        return self.in_flight


@pytest.fixture
def room(api: Api) -> Room:
    return api.room()


def _yielding_worker(app, requests: Requests, rests: list[float]) -> DeliveryWorker:  # noqa: ANN001
    worker = DeliveryWorker(app.state.sessionmaker, app.state.settings, requests=requests)
    worker._yielding = True  # as in the thread of ``start``, without the thread
    worker._stopping.wait = lambda timeout=None: rests.append(timeout or 0.0) or False  # type: ignore[method-assign]
    return worker


def test_while_requests_run_it_takes_small_batches_and_rests_after_each_step(api, app, room,
                                                                              inbox):
    for _ in range(7):
        api.offer(room)  # two recipients each: fourteen mails
    rests: list[float] = []
    requests = Requests(busy=True)
    worker = _yielding_worker(app, requests, rests)
    assert worker.run_once() == YIELD_BATCH
    # One rest after the claim, one after each mail, each a multiple of the step's time.
    assert len(rests) == YIELD_BATCH + 1 and all(r > 0 for r in rests)
    rests.clear()
    requests.in_flight = False
    assert worker.run_once() == 14 - YIELD_BATCH
    assert rests == []  # no request in flight: no rest
    assert len(inbox.received) == 14


def test_drain_and_a_worker_process_never_rest(api, app, room, inbox):
    api.offer(room)
    rests: list[float] = []
    worker = _yielding_worker(app, Requests(busy=True), rests)
    worker._yielding = False  # ``drain`` outside the thread, ``settleroom worker``
    assert worker.drain() == 2 and rests == []


def test_requests_in_flight_are_counted(api, app, room, monkeypatch):
    seen: list[bool] = []

    def counting(session, principal):  # noqa: ANN001, ANN202
        seen.append(app.state.in_flight.busy())
        return UnreadCount(unread=0)

    monkeypatch.setattr(notifications, "unread_count", counting)
    r = api.client.get("/api/v1/notifications/unread-count",
                       headers=room.users["defense_counsel"].headers)
    assert r.status_code == 200 and seen == [True]
    assert app.state.in_flight.busy() is False
