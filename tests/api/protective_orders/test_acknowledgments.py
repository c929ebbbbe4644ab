"""POST .../protective-order/acknowledgments (Exhibit A) per endpoint, its audit event (ids
and hash, never the typed name) and its PDF for the court."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.api.offers.conftest import events_named
from tests.api.protective_orders.conftest import ORDER_SHA, acknowledge, base, enter

pytestmark = pytest.mark.usefixtures("clock")


def _post(api, room, who, body):  # noqa: ANN001, ANN202
    headers = room.users[who].headers if who else {}
    return api.client.post(f"{base(room)}/protective-order/acknowledgments", headers=headers,
                           json=body)


def test_who_signs(api, room):
    body = {"typed_name": "Dana Defense", "order_sha256": ORDER_SHA}
    r = _post(api, room, "defense_counsel", body)
    assert r.status_code == 404 and r.json()["code"] == "protective_order_not_found"
    enter(api, room)
    assert _post(api, room, None, body).status_code == 401
    assert _post(api, room, "outsider", body).status_code == 404
    for who in ("auditor", "room_admin"):
        assert _post(api, room, who, body).status_code == 403, who
    r = _post(api, room, "defense_counsel", body)
    assert r.status_code == 201 and r.json()["typed_name"] == "Dana Defense"
    r = _post(api, room, "defense_counsel", body)
    assert r.status_code == 409 and r.json()["code"] == "already_acknowledged"
    for bad in ({"typed_name": "  ", "order_sha256": ORDER_SHA},
                {"typed_name": "12345", "order_sha256": ORDER_SHA},
                {"typed_name": "Dana", "order_sha256": "nothex"},
                {"typed_name": "Dana", "order_sha256": ORDER_SHA, "extra": True}):
        assert _post(api, room, "pro_se", bad).status_code == 422, bad


def test_the_audit_names_user_and_hash_not_the_typed_name(api, app, room):
    enter(api, room)
    signed = acknowledge(api, room, "pro_se")
    (event,) = events_named(app, "protective_order.acknowledge")
    assert event.details["order_sha256"] == ORDER_SHA
    assert event.details["user_id"] == room.users["pro_se"].id
    assert event.object_id == signed["id"]
    assert "Signer" not in str(event.details)


def test_exhibit_a_as_a_pdf_for_the_court(api, app, room):
    enter(api, room)
    signed = acknowledge(api, room, "defense_client")
    path = f"{base(room)}/protective-order/acknowledgments/{signed['id']}.pdf"
    assert api.client.get(path, headers=room.users["outsider"].headers).status_code == 404
    r = api.client.get(path, headers=room.admin.headers)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    text = " ".join(text.split())
    assert "Signer defense_client" in text and ORDER_SHA in text
    assert "Doe v. Acme Corp." in text and "Case No. 3:25-cv-01234" in text
    # Signed at 15:00 UTC: 7:00 AM in the court's zone (Pacific standard time).
    assert "November 2, 2026, 7:00 AM PST (America/Los_Angeles)" in text
    assert "October 15, 2026" in text  # the day the order was entered
    unknown = f"{base(room)}/protective-order/acknowledgments/{room.id}.pdf"
    r = api.client.get(unknown, headers=room.admin.headers)
    assert r.status_code == 404 and r.json()["code"] == "acknowledgment_not_found"
    assert events_named(app, "protective_order.acknowledgment.export")
