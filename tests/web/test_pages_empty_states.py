"""A case page with nothing on it yet says what to do next, in words fitting the reader's
role, instead of a bare "none"."""

from __future__ import annotations

import pytest

from tests.web.helpers import sign_in_as


@pytest.mark.parametrize(("who", "tab", "expected"), [
    ("plaintiff_counsel", "offers", "No settlement offer yet. Make one below"),
    ("plaintiff_client", "offers", "You will be told when one you may see arrives"),
    ("plaintiff_counsel", "documents", "No document yet. Upload one below"),
    ("plaintiff_client", "documents", "You will be told when one is shared with your party"),
    ("neutral", "ene", "No ENE session yet. Schedule one below"),
    ("plaintiff_counsel", "ene", "The neutral schedules it; you will be told"),
])
def test_an_empty_tab_says_what_comes_next(api, client, who, tab, expected):  # noqa: ANN001
    room = api.room()
    sign_in_as(client, room.users[who])
    page = client.get(f"/cases/{room.id}/{tab}")
    assert page.status_code == 200 and expected in page.text


def test_an_empty_parties_tab_tells_the_room_admin_what_to_do(api, client):  # noqa: ANN001
    owner = api.user()
    r = api.client.post("/api/v1/cases", headers=owner.headers, json={
        "caption": "Roe v. Doe", "docket_number": "1:26-cv-00001", "district": "nysd"})
    assert r.status_code == 201, r.text
    sign_in_as(client, owner)
    page = client.get(f"/cases/{r.json()['id']}/parties").text
    assert "No parties yet. Add each plaintiff and defendant below" in page


def test_document_sizes_are_shown_in_kb_and_mb(api, client):  # noqa: ANN001
    room = api.room()
    api.document(room, b"x" * 1536 + b"\n")
    sign_in_as(client, room.users["plaintiff_counsel"])
    page = client.get(f"/cases/{room.id}/documents").text
    assert "1.5 KB" in page and " bytes, version" not in page


@pytest.mark.parametrize(("who", "path", "expected"), [
    ("plaintiff_counsel", "/rule68", "No Rule 68 offer yet. Only a party defending a claim"),
    ("plaintiff_counsel", "/protective-order", "No protective order is recorded in this case "
                                               "yet. Once the court enters one"),
    ("auditor", "/audit?action=offer.nothing", "No event matches these filters. Widen them"),
    ("plaintiff_counsel", "/traces", "No trace yet. Give the suspect file"),
])
def test_more_empty_pages_say_what_comes_next(api, client, who, path, expected):  # noqa: ANN001
    room = api.room()
    sign_in_as(client, room.users[who])
    page = client.get(f"/cases/{room.id}{path}")
    assert page.status_code == 200 and expected in page.text


def test_an_empty_ccp998_tab_and_inbox_say_what_comes_next(api, client):  # noqa: ANN001
    room = api.http_room()
    r = api.client.patch(f"/api/v1/cases/{room.id}", headers=room.admin.headers,
                         json={"court_system": "ca_superior", "county": "Alameda"})
    assert r.status_code == 200, r.text
    fresh = api.user()
    sign_in_as(client, room.users["plaintiff_counsel"])
    assert "No section 998 offer yet. Any party may serve one" in client.get(
        f"/cases/{room.id}/ccp998").text
    sign_in_as(client, fresh)
    assert "Nothing yet. You are told here" in client.get("/notifications").text
