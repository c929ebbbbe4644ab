"""A settable clock, the standard room, and helpers to record an order and sign it."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.clock import Clock
from tests.factories import Api, Room

ORDER_TEXT = ("STIPULATED PROTECTIVE ORDER. Protected Material designated CONFIDENTIAL or "
              "HIGHLY CONFIDENTIAL - ATTORNEYS' EYES ONLY may be disclosed only as this "
              "Order provides.\n")
ORDER_SHA = hashlib.sha256(ORDER_TEXT.encode()).hexdigest()
TIERS = [
    {"name": "CONFIDENTIAL", "designation": "CONFIDENTIAL",
     "audience": ["outside_counsel", "in_house_counsel", "parties", "experts"]},
    {"name": "HIGHLY CONFIDENTIAL - ATTORNEYS' EYES ONLY", "designation": "AEO",
     "audience": ["outside_counsel", "experts"]},
]



@pytest.fixture
def clock(app) -> Clock:  # noqa: ANN001
    # Monday, November 2, 2026, 7 am in San Francisco.
    return Clock(app, datetime(2026, 11, 2, 15, 0, tzinfo=UTC))


@pytest.fixture
def room(api: Api) -> Room:
    return api.room()


def base(room: Room) -> str:
    return f"/api/v1/cases/{room.id}"


def enter(api: Api, room: Room, text: str = ORDER_TEXT, tiers: list | None = None,
          **fields: object) -> dict:
    body = {"text": text, "tiers": TIERS if tiers is None else tiers,
            "entered_on": "2026-10-15", **fields}
    r = api.client.put(f"{base(room)}/protective-order", headers=room.admin.headers, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def acknowledge(api: Api, room: Room, who: str, sha: str = ORDER_SHA) -> dict:
    r = api.client.post(f"{base(room)}/protective-order/acknowledgments",
                        headers=room.users[who].headers,
                        json={"typed_name": f"Signer {who}", "order_sha256": sha})
    assert r.status_code == 201, r.text
    return r.json()


def mails(app) -> str:  # noqa: ANN001
    """Every mail delivered so far (the outbox folder of the embedded default)."""
    app.state.mailer.drain()
    folder = Path(app.state.settings.data_dir) / "outbox"
    return "\n".join(p.read_text("utf-8", "replace") for p in sorted(folder.glob("*.eml")))
