"""The protective order page: the room admin records the order, a reader is stopped before
a designated document until signing Exhibit A on the page, challenges show their deadlines,
a clawback stops downloads and the recipient certifies; roles without a right get no form
and the server refuses them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.clock import Clock
from tests.web.helpers import page_csrf, sign_in_as

ORDER = "STIPULATED PROTECTIVE ORDER entered in Doe v. Acme Corp.\n"


def _page(client, room) -> str:  # noqa: ANN001
    r = client.get(f"/cases/{room.id}/protective-order")
    assert r.status_code == 200, r.text
    return r.text


def _post(client, room, suffix: str, data: dict):  # noqa: ANN001, ANN202
    token = page_csrf(client, f"/cases/{room.id}/protective-order")
    return client.post(f"/cases/{room.id}/protective-order{suffix}",
                       data={"csrf_token": token, **data})


def test_order_exhibit_a_challenge_and_clawback_through_the_pages(api, client, room):
    doc = api.document(room, b"Plaintiff's pricing memorandum.\n")
    sign_in_as(client, room.admin)
    page = _page(client, room)
    assert "No protective order is recorded" in page and "Record the order" in page
    r = _post(client, room, "", {
        "text": ORDER, "entered_on": "2026-10-15",
        "confidential_name": "CONFIDENTIAL",
        "confidential_audience": ["outside_counsel", "parties"],
        "aeo_name": "HIGHLY CONFIDENTIAL - ATTORNEYS' EYES ONLY",
        "aeo_audience": ["outside_counsel", "parties"]})
    assert r.status_code == 200 and "Protective order recorded" in r.text
    assert "HIGHLY CONFIDENTIAL - ATTORNEYS&#39; EYES ONLY" in r.text
    # The AEO tier lists the parties; the room still shows counsel alone.
    row = re.search(r"ATTORNEYS&#39; EYES ONLY</th>.*?</tr>", r.text, re.S).group(0)
    assert row.endswith("<td>counsel</td></tr>")
    assert "never sees attorneys'-eyes-only material of another party" in r.text

    sign_in_as(client, room.users["defense_counsel"])
    r = client.get(f"/cases/{room.id}/documents/{doc['id']}/download")
    assert r.status_code == 409 and "Exhibit A" in r.text
    page = _page(client, room)
    assert 'name="typed_name"' in page
    sha = re.search(r'name="order_sha256" value="([0-9a-f]{64})"', page).group(1)
    r = _post(client, room, "/acknowledgments", {"typed_name": "Dana Defense",
                                                 "order_sha256": sha})
    assert r.status_code == 200 and "Exhibit A signed" in r.text and "Dana Defense" in r.text
    assert client.get(f"/cases/{room.id}/documents/{doc['id']}/download").status_code == 200
    pdf = re.search(r'href="(/cases/[^"]+\.pdf)"', r.text).group(1)
    got = client.get(pdf)
    assert got.status_code == 200 and got.content.startswith(b"%PDF")

    r = _post(client, room, "/challenges", {"document_id": doc["id"],
                                            "reason": "Public in the annual report."})
    assert r.status_code == 200 and "Notice of the challenge given" in r.text
    assert "Public in the annual report." in r.text

    sign_in_as(client, room.users["plaintiff_counsel"])
    page = _page(client, room)
    assert "Public in the annual report." in page
    r = _post(client, room, "/clawbacks", {"document_id": doc["id"],
                                           "basis": "Attorney-client privilege."})
    assert r.status_code == 200 and "Document clawed back" in r.text

    sign_in_as(client, room.users["defense_counsel"])
    r = client.get(f"/cases/{room.id}/documents/{doc['id']}/download")
    assert r.status_code == 409 and "26(b)(5)(B)" in r.text
    page = _page(client, room)
    assert "/clawbacks/" in page and "I certify that every copy I held is" in page
    r = _post(client, room, f"/clawbacks/{doc['id']}/certify", {"action": "destroyed"})
    assert r.status_code == 200 and "Certification recorded" in r.text
    assert "destroyed on" in r.text and "I certify that every copy" not in r.text


def test_a_client_gets_no_form_and_is_refused(api, client, room):
    sign_in_as(client, room.users["plaintiff_client"])
    page = _page(client, room)
    assert "Record the order" not in page and "Give notice of the challenge" not in page
    assert "Claw back: stop every download now" not in page
    r = _post(client, room, "", {"text": ORDER, "entered_on": "2026-10-15",
                                 "confidential_name": "CONFIDENTIAL",
                                 "confidential_audience": ["outside_counsel"]})
    assert r.status_code == 403
    doc = api.document(room, b"Another exhibit.\n")
    r = _post(client, room, "/clawbacks", {"document_id": doc["id"], "basis": "Privilege."})
    assert r.status_code == 403


@pytest.fixture
def fresh(web_api):  # noqa: ANN001, ANN201
    """A room of its own, with an order: these tests look at what only they add."""
    room = web_api.room()
    r = web_api.client.put(f"/api/v1/cases/{room.id}/protective-order",
                           headers=room.admin.headers, json={
                               "text": ORDER, "entered_on": "2026-10-15", "tiers": [
                                   {"name": "CONFIDENTIAL", "designation": "CONFIDENTIAL",
                                    "audience": ["outside_counsel", "parties"]}]})
    assert r.status_code == 200, r.text
    return room


@pytest.fixture
def clock(web_app):  # noqa: ANN001, ANN201
    """The services' clock, given back to the module's other tests afterwards."""
    before = web_app.state.services.clock
    yield Clock(web_app, datetime(2026, 11, 2, 15, 0, tzinfo=UTC))
    web_app.state.services.clock = before


def test_the_upload_form_says_what_an_order_means_for_aeo(api, client, fresh):
    sign_in_as(client, fresh.users["plaintiff_counsel"])
    r = client.get(f"/cases/{fresh.id}/documents")
    assert r.status_code == 200
    assert ("a pro se party who is not an attorney never sees another party's AEO document"
            in r.text.replace("&#39;", "'"))


def test_a_lapsed_motion_deadline_shows_the_designation_may_be_treated_as_withdrawn(
        api, client, fresh, clock):
    doc = api.document(fresh, b"Plaintiff's pricing memorandum.\n")
    r = api.client.post(f"/api/v1/cases/{fresh.id}/documents/{doc['id']}/challenges",
                        headers=fresh.users["defense_counsel"].headers,
                        json={"reason": "Public in the annual report."})
    assert r.status_code == 201, r.text
    sign_in_as(client, fresh.users["defense_counsel"])
    assert "may be treated as withdrawn" not in _page(client, fresh)
    clock.set(datetime(2026, 11, 20, 15, 0, tzinfo=UTC))  # before the 21st day
    sign_in_as(client, fresh.users["defense_counsel"])
    assert "may be treated as withdrawn" not in _page(client, fresh)
    clock.set(datetime(2026, 11, 25, 15, 0, tzinfo=UTC))  # the motion day has passed
    sign_in_as(client, fresh.users["defense_counsel"])  # browser sessions end meanwhile
    page = _page(client, fresh)
    assert "the designation may be treated as withdrawn" in page
    assert "(the room does not change it)" in page


def test_public_text_is_registered_and_removed_on_the_page(api, client, fresh):
    sign_in_as(client, fresh.users["plaintiff_counsel"])
    page = _page(client, fresh)
    assert "No public text registered." in page and 'name="citation"' in page
    r = _post(client, fresh, "/public-texts", {
        "title": "Opinion on sanctions", "citation": "Smith v. Jones, 123 F.3d 456",
        "text": "District courts may impose sanctions as part of their inherent powers."})
    assert r.status_code == 200 and "Public text registered" in r.text
    assert "Smith v. Jones, 123 F.3d 456" in r.text and "Remove</button>" in r.text
    listed = api.client.get(f"/api/v1/cases/{fresh.id}/public-texts",
                            headers=fresh.admin.headers).json()
    assert [t["title"] for t in listed] == ["Opinion on sanctions"]
    # Another party's counsel sees it, may not remove it, and has its own form.
    sign_in_as(client, fresh.users["defense_counsel"])
    page = _page(client, fresh)
    assert "Opinion on sanctions" in page and "Remove</button>" not in page
    r = _post(client, fresh, f"/public-texts/{listed[0]['id']}/remove", {})
    assert r.status_code == 403
    # A client gets no form and is refused.
    sign_in_as(client, fresh.users["plaintiff_client"])
    assert 'name="citation"' not in _page(client, fresh)
    r = _post(client, fresh, "/public-texts", {"title": "T", "citation": "C",
                                               "text": "one two three four five six"})
    assert r.status_code == 403
    sign_in_as(client, fresh.users["plaintiff_counsel"])
    r = _post(client, fresh, f"/public-texts/{listed[0]['id']}/remove", {})
    assert r.status_code == 200 and "Public text removed" in r.text
    assert "No public text registered." in r.text
