"""Rule 68 pages: the 68(c) liability hearing (room admin), the costs-only export of an
unaccepted offer, and the FRCP 6 deadline calculator."""

from __future__ import annotations

import pytest

from tests.web.helpers import page_csrf, sign_in_as


@pytest.fixture(scope="module")
def offer(web_api, room):  # noqa: ANN001, ANN201
    return web_api.rule68_offer(room)


def test_room_admin_sets_and_clears_the_liability_hearing(client, room):
    sign_in_as(client, room.admin)
    page = client.get(f"/cases/{room.id}")
    assert f'action="/cases/{room.id}/liability-hearing"' in page.text
    r = client.post(f"/cases/{room.id}/liability-hearing", data={
        "csrf_token": page_csrf(client), "hearing_date": "2031-05-05"})
    assert r.status_code == 200 and "liability hearing saved" in r.text
    assert "Monday, May 5, 2031" in r.text and "Clear the liability hearing" in r.text
    sign_in_as(client, room.users["defense_counsel"])
    assert "Monday, May 5, 2031" in client.get(f"/cases/{room.id}/rule68").text
    sign_in_as(client, room.admin)
    r = client.post(f"/cases/{room.id}/liability-hearing", data={
        "csrf_token": page_csrf(client), "clear": "yes"})
    assert r.status_code == 200 and "liability hearing cleared" in r.text
    assert "Clear the liability hearing" not in r.text


def test_counsel_gets_no_hearing_form_and_is_refused(client, room):
    sign_in_as(client, room.users["defense_counsel"])
    page = client.get(f"/cases/{room.id}")
    assert "/liability-hearing" not in page.text
    r = client.post(f"/cases/{room.id}/liability-hearing", data={
        "csrf_token": page_csrf(client), "hearing_date": "2031-05-05"})
    assert r.status_code == 403 and "access policy" in r.text


def test_unaccepted_offer_exports_as_costs_only_pdf(client, room, offer):
    for who in ("plaintiff_counsel", "defense_counsel"):
        sign_in_as(client, room.users[who])
        page = client.get(f"/cases/{room.id}/rule68")
        assert f'/rule68/{offer["id"]}/export"' in page.text
        assert "Admissible only in a proceeding to determine costs - FRCP 68(b)" in page.text
        pdf = client.get(f"/cases/{room.id}/rule68/{offer['id']}/export")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("who", ["pro_se", "neutral", "room_admin"])
def test_others_cannot_export_the_offer(client, room, offer, who):
    sign_in_as(client, room.users[who])
    r = client.get(f"/cases/{room.id}/rule68/{offer['id']}/export")
    assert r.status_code in (403, 404) and "rule behind this" in r.text


def test_deadline_calculator_explains_each_rule(client, room):
    sign_in_as(client, room.users["plaintiff_client"])
    tab = client.get(f"/cases/{room.id}/rule68").text
    assert f"/deadlines?case={room.id}" in tab
    form = client.get(f"/deadlines?case={room.id}")
    assert form.status_code == 200 and 'name="trigger"' in form.text
    r = client.get("/deadlines", params={
        "trigger": "2030-12-11", "days": "14", "direction": "after", "state": "NY",
        "service_method": "mail", "court_timezone": "America/New_York", "case": room.id})
    assert r.status_code == 200 and "Deadline:" in r.text
    assert "How the deadline is computed" in r.text and "6(d)" in r.text
    bad = client.get("/deadlines", params={"trigger": "2030-12-11", "days": "0"})
    assert bad.status_code == 422 and "days" in bad.text


def test_deadline_calculator_needs_a_signed_in_user(client):
    client.cookies.clear()
    r = client.get("/deadlines", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")


def test_room_admin_edits_the_case_details(web_api, client):
    other = web_api.room()
    sign_in_as(client, other.admin)
    r = client.post(f"/cases/{other.id}/details", data={
        "csrf_token": page_csrf(client), "caption": "Doe v. Acme Corp. et al.",
        "court": "S.D.N.Y.", "court_state": "ny", "docket_number": "1:30-cv-00002",
        "trial_date": "", "court_timezone": "America/New_York"})
    assert r.status_code == 200 and "Case details saved" in r.text
    assert "Doe v. Acme Corp. et al." in r.text and "1:30-cv-00002" in r.text
    sign_in_as(client, other.users["plaintiff_counsel"])
    assert 'name="caption"' not in client.get(f"/cases/{other.id}").text
    r = client.post(f"/cases/{other.id}/details", data={
        "csrf_token": page_csrf(client), "caption": "Mine now"})
    assert r.status_code == 403
