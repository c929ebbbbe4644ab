"""Every date, time and integer the service takes is bounded at the edge: out of range
is a 422 problem with a stable code, never a 500 from a conversion, a column or a
template further in. Booleans are not integers (``true`` is not one cent).

The shared bounds live in ``app/kernel/schemas.py``: instants in UTC years 1972-2198 (in
every time zone their local date stays inside the FRCP 6 calendar of 1971-2199), dates
1971-2199, integers as strict JSON integers, log positions inside BIGINT."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from app.models.cases import Case
from app.models.offers import SettlementOffer
from tests.factories import Api, Room
from tests.testclient import TestClient
from tests.web.helpers import csrf_of, sign_in_as

INT64_OVER = 2**63
FAR_OUT = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "2199-01-01T00:00:00Z",
           "1971-12-31T23:59:59Z"]


@pytest.fixture
def room(api: Api) -> Room:
    room = api.room()
    api.consent_all(room)
    return room


@pytest.fixture
def client(app) -> TestClient:  # noqa: ANN001
    """A client that answers a server error as the 500 it is, instead of raising it."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def post(client: TestClient, room: Room, who: str, path: str, body: dict):  # noqa: ANN201
    return client.post(f"/api/v1/cases/{room.id}{path}", headers=room.users[who].headers,
                       json=body)


def offer_body(room: Room, **fields: object) -> dict:
    return {"from_party_id": room.parties["plaintiff"], "to_party_id": room.parties["defendant"],
            "amount_cents": 100_000, "terms": "Mutual release", **fields}


def rule68_body(room: Room, **fields: object) -> dict:
    return {"offeror_party_id": room.parties["defendant"],
            "offeree_party_id": room.parties["plaintiff"], "amount_cents": 500_000,
            "costs": "included", "terms": "Judgment for the sum stated", **fields}


def refused(r, field: str, kind: str) -> None:  # noqa: ANN001
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "validation_error"
    assert [e["type"] for e in body["errors"] if e["loc"][-1] == field] == [kind], body


@pytest.mark.parametrize("value", FAR_OUT)
def test_an_offer_expiry_out_of_range_is_refused(client, room, value):
    r = post(client, room, "plaintiff_counsel", "/offers", offer_body(room, expires_at=value))
    refused(r, "expires_at", "datetime_out_of_range")


def test_an_offer_expiry_at_the_last_moment_is_taken(client, room):
    r = post(client, room, "plaintiff_counsel", "/offers",
             offer_body(room, expires_at="2198-12-31T23:59:59+00:00"))
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("value", FAR_OUT)
def test_a_rule68_service_time_out_of_range_is_refused(client, room, value):
    r = post(client, room, "defense_counsel", "/rule68-offers",
             rule68_body(room, service_method="mail", served_at=value))
    refused(r, "served_at", "datetime_out_of_range")


@pytest.mark.parametrize("value", FAR_OUT)
def test_an_ene_session_time_out_of_range_is_refused(client, room, value):
    r = post(client, room, "neutral", "/ene-sessions", {
        "evaluator_user_id": room.users["neutral"].id, "scheduled_at": value})
    refused(r, "scheduled_at", "datetime_out_of_range")


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1970-12-31", "2200-01-01"])
def test_dates_out_of_range_are_refused(client, room, value):
    r = client.patch(f"/api/v1/cases/{room.id}", headers=room.admin.headers,
                     json={"trial_date": value})
    refused(r, "trial_date", "date_out_of_range")
    r = client.post("/api/v1/cases", headers=room.admin.headers, json={
        "caption": "A v. B", "court": "N.D. Cal.", "court_state": "CA",
        "docket_number": "1", "trial_date": value})
    refused(r, "trial_date", "date_out_of_range")
    r = client.put(f"/api/v1/cases/{room.id}/liability-hearing", headers=room.admin.headers,
                   json={"hearing_date": value})
    refused(r, "hearing_date", "date_out_of_range")
    r = post(client, room, "neutral", "/ene-sessions", {
        "evaluator_user_id": room.users["neutral"].id,
        "scheduled_at": "2030-06-20T17:00:00Z", "statement_due": value})
    assert r.status_code == 422, r.text


def test_a_far_future_time_already_stored_is_shown_in_a_court_east_of_utc(api, app, room):
    """Rows written before the bounds existed may hold year 9999: Tokyo's local time of
    9999-12-31T23:00Z is in year 10000, which no datetime holds; the page still renders."""
    offer = api.offer(room)
    with app.state.sessionmaker.begin() as s:
        s.execute(update(SettlementOffer)
                  .where(SettlementOffer.id == uuid.UUID(offer["id"]))
                  .values(expires_at=datetime(9999, 12, 31, 23, tzinfo=UTC)))
        s.execute(update(Case).where(Case.id == uuid.UUID(room.id))
                  .values(court_timezone="Asia/Tokyo"))
    with TestClient(app, raise_server_exceptions=False) as web:
        sign_in_as(web, room.users["plaintiff_counsel"])
        page = web.get(f"/cases/{room.id}/offers")
        assert page.status_code == 200
        assert "9999-12-31 23:00 UTC" in page.text
        assert web.get("/").status_code == 200
        assert web.get(f"/cases/{room.id}").status_code == 200


@pytest.mark.parametrize("amount", ["1e30", "1e-30", "99999999999999999999999999999.99",
                                    "10000000000001", "NaN", "-1"])
def test_a_web_amount_out_of_range_is_a_form_error(app, room, amount):
    with TestClient(app, raise_server_exceptions=False) as web:
        sign_in_as(web, room.users["plaintiff_counsel"])
        token = csrf_of(web.get(f"/cases/{room.id}/offers").text)
        r = web.post(f"/cases/{room.id}/offers", data={
            "csrf_token": token, "from_party_id": room.parties["plaintiff"],
            "to_party_id": room.parties["defendant"], "amount": amount, "terms": "Release"})
        assert r.status_code == 422, (amount, r.status_code)
        assert "amount" in r.text


def test_the_largest_web_amount_is_taken(app, room):
    with TestClient(app, raise_server_exceptions=False) as web:
        sign_in_as(web, room.users["plaintiff_counsel"])
        token = csrf_of(web.get(f"/cases/{room.id}/offers").text)
        form = {"csrf_token": token, "from_party_id": room.parties["plaintiff"],
                "to_party_id": room.parties["defendant"], "amount": "10000000000000.00",
                "terms": "Release"}
        review = web.post(f"/cases/{room.id}/offers", data=form, follow_redirects=False)
        assert review.status_code == 200 and "Ten trillion dollars" in review.text
        r = web.post(f"/cases/{room.id}/offers", data={**form, "step": "send"},
                     follow_redirects=False)
        assert r.status_code == 303, r.text


@pytest.mark.parametrize("query", [f"after={INT64_OVER}", f"after={10**30}",
                                   f"limit={INT64_OVER}"])
def test_audit_positions_past_bigint_are_refused(client, room, query):
    r = client.get(f"/api/v1/audit/events?case_id={room.id}&{query}",
                   headers=room.users["auditor"].headers)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "validation_error"


def test_audit_positions_at_bigint_are_answered(client, room):
    auditor = room.users["auditor"].headers
    r = client.get(f"/api/v1/audit/events?case_id={room.id}&after={INT64_OVER - 1}",
                   headers=auditor)
    assert r.status_code == 200 and r.json() == []
    for path in (f"/api/v1/audit/consistency-proof?first=1&second={INT64_OVER}",
                 f"/api/v1/audit/events/1/inclusion-proof?tree_size={INT64_OVER}"):
        r = client.get(path, headers=auditor)
        assert r.status_code < 500 and r.status_code != 200, (path, r.text)


def test_the_audit_page_refuses_a_position_past_bigint(app, room):
    with TestClient(app, raise_server_exceptions=False) as web:
        sign_in_as(web, room.users["auditor"])
        assert web.get(f"/cases/{room.id}/audit?after={INT64_OVER}").status_code == 422
        assert web.get(f"/cases/{room.id}/audit?after={INT64_OVER - 1}").status_code == 200


# --- booleans, floats and strings are not integers ------------------------------------


@pytest.mark.parametrize("value", [True, False, 1.0, "100"])
def test_an_amount_must_be_an_integer(client, room, value):
    r = post(client, room, "plaintiff_counsel", "/offers", offer_body(room, amount_cents=value))
    refused(r, "amount_cents", "int_type")
    r = post(client, room, "defense_counsel", "/rule68-offers",
             rule68_body(room, amount_cents=value))
    refused(r, "amount_cents", "int_type")


@pytest.mark.parametrize("field", ["judgment_amount_cents", "pre_offer_costs_cents"])
def test_costs_must_be_integers(api, client, room, field):
    offer = api.rule68_offer(room)
    body = {"judgment_amount_cents": 100, "pre_offer_costs_cents": 100, field: True}
    r = post(client, room, "plaintiff_counsel",
             f"/rule68-offers/{offer['id']}/cost-comparison", body)
    refused(r, field, "int_type")


def test_days_must_be_an_integer(client, room):
    r = post(client, room, "neutral", "/ene-sessions", {
        "evaluator_user_id": room.users["neutral"].id, "scheduled_at": "2030-06-20T17:00:00Z",
        "statement_due": {"days_before": True}})
    assert r.status_code == 422, r.text
    assert "int_type" in {e["type"] for e in r.json()["errors"]}
