"""PUT/GET /cases/{id}/protective-order: who records it (401/404/403/200), its hash, its
tiers as the room reads them, the PDF variant, and refusals of bad input."""

from __future__ import annotations

import hashlib

import pytest

from tests.api.documents.helpers import pdf_doc, text_doc
from tests.api.protective_orders.conftest import ORDER_SHA, ORDER_TEXT, TIERS, base, enter

pytestmark = pytest.mark.usefixtures("clock")


def _put(api, room, who: str | None, **kw):  # noqa: ANN001, ANN202
    headers = room.users[who].headers if who else {}
    return api.client.put(f"{base(room)}/protective-order", headers=headers, **kw)


def test_only_the_room_admin_records_the_order(api, room):
    body = {"text": ORDER_TEXT, "tiers": TIERS, "entered_on": "2026-10-15"}
    assert _put(api, room, None, json=body).status_code == 401
    r = _put(api, room, "outsider", json=body)
    assert r.status_code == 404 and r.json()["code"] == "case_not_found"
    for who in ("plaintiff_counsel", "pro_se", "neutral", "auditor"):
        r = _put(api, room, who, json=body)
        assert r.status_code == 403, who
    r = _put(api, room, "room_admin", json=body)
    assert r.status_code == 200, r.text
    order = r.json()
    assert order["sha256"] == ORDER_SHA and order["entered_on"] == "2026-10-15"
    assert [t["name"] for t in order["tiers"]] == [t["name"] for t in TIERS]
    # The model order's periods are the defaults.
    assert (order["meet_confer_days"], order["motion_days"],
            order["motion_days_after_impasse"]) == (14, 21, 14)


def test_every_member_reads_the_order_and_its_text(api, room):
    assert api.client.get(f"{base(room)}/protective-order",
                          headers=room.users["pro_se"].headers).status_code == 404
    enter(api, room)
    for who in ("plaintiff_client", "pro_se", "neutral", "auditor", "room_admin"):
        r = api.client.get(f"{base(room)}/protective-order", headers=room.users[who].headers)
        assert r.status_code == 200 and r.json()["sha256"] == ORDER_SHA, who
        content = api.client.get(f"{base(room)}/protective-order/content",
                                 headers=room.users[who].headers)
        assert content.status_code == 200 and content.text == ORDER_TEXT
    r = api.client.get(f"{base(room)}/protective-order",
                       headers=room.users["outsider"].headers)
    assert r.status_code == 404


def test_an_aeo_tier_never_reaches_parties_whatever_it_lists(api, room):
    tiers = [{"name": "HIGHLY CONFIDENTIAL - AEO", "designation": "AEO",
              "audience": ["outside_counsel", "parties"]},
             {"name": "CONFIDENTIAL", "designation": "CONFIDENTIAL", "audience": ["parties"]}]
    order = enter(api, room, tiers=tiers)
    roles = {t["designation"]: t["room_roles"] for t in order["tiers"]}
    assert roles == {"AEO": ["counsel"], "CONFIDENTIAL": ["client", "pro_se"]}


def test_the_order_as_a_pdf(api, room):
    pdf = pdf_doc()
    data = {"tiers": '[{"name": "CONFIDENTIAL", "designation": "CONFIDENTIAL", '
                     '"audience": ["outside_counsel"]}]',
            "entered_on": "2026-10-15", "clawback_days": "7"}
    r = _put(api, room, "room_admin", data=data,
             files={"file": ("order.pdf", pdf, "application/pdf")})
    assert r.status_code == 200, r.text
    assert r.json()["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert r.json()["media_type"] == "application/pdf" and r.json()["clawback_days"] == 7
    content = api.client.get(f"{base(room)}/protective-order/content",
                             headers=room.users["defense_client"].headers)
    assert content.content == pdf and content.headers["content-type"] == "application/pdf"
    # Anything but a PDF is refused, and nothing is recorded.
    r = _put(api, room, "room_admin", data=data,
             files={"file": ("order.txt", text_doc(), "text/plain")})
    assert r.status_code == 415 and r.json()["code"] == "order_must_be_pdf"
    got = api.client.get(f"{base(room)}/protective-order", headers=room.admin.headers)
    assert got.json()["sha256"] == hashlib.sha256(pdf).hexdigest()


@pytest.mark.parametrize("change", [
    {"tiers": []},
    {"tiers": [TIERS[0], TIERS[0]]},
    {"tiers": [{**TIERS[0], "designation": "ENE"}]},
    {"tiers": [{**TIERS[0], "audience": ["janitors"]}]},
    {"entered_on": "not a date"},
    {"motion_days": 0},
    {"motion_days": "21"},
    {"text": ""},
    {"surprise": 1},
])
def test_bad_orders_are_422_and_change_nothing(api, room, change):
    body = {"text": ORDER_TEXT, "tiers": TIERS, "entered_on": "2026-10-15", **change}
    r = _put(api, room, "room_admin", json=body)
    assert r.status_code == 422 and r.json()["code"] == "validation_error", r.text
    r = api.client.get(f"{base(room)}/protective-order", headers=room.admin.headers)
    assert r.status_code == 404 and r.json()["code"] == "protective_order_not_found"


def test_a_malformed_json_body_is_422(api, room):
    r = api.client.put(f"{base(room)}/protective-order", content=b"{not json",
                       headers={**room.admin.headers, "content-type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "validation_error"


def test_the_audit_records_the_hash_never_the_text(api, app, room):
    from tests.api.offers.conftest import events_named
    enter(api, room)
    (event,) = events_named(app, "protective_order.enter")
    assert event.details["order_sha256"] == ORDER_SHA
    assert "PROTECTIVE" not in str(event.details)
