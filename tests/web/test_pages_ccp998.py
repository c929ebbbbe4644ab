"""Section 998 pages in a California superior court case: the tab replaces Rule 68's, the
serving form, the plain words with the last moment to accept, the signed acceptance, the
revocation and the refusals shown as pages."""

from __future__ import annotations

import pytest

from tests.web.helpers import page_csrf, sign_in_as


@pytest.fixture(scope="module")
def ca_room(web_api):  # noqa: ANN001, ANN201
    room = web_api.http_room()
    r = web_api.client.patch(f"/api/v1/cases/{room.id}", headers=room.admin.headers,
                             json={"court_system": "ca_superior", "county": "Alameda"})
    assert r.status_code == 200, r.text
    return room


def _serve(client, room, amount="1,250.00"):  # noqa: ANN001, ANN202
    page = client.get(f"/cases/{room.id}/ccp998")
    pair = f"{room.parties['defendant']}:{room.parties['plaintiff']}"
    assert f'value="{pair}"' in page.text
    return client.post(f"/cases/{room.id}/ccp998", data={
        "csrf_token": page_csrf(client), "pair": pair, "amount": amount,
        "terms": "Dismissal with prejudice", "service_method": "personal"})


def test_tabs_follow_the_court(client, room, ca_room):
    sign_in_as(client, ca_room.users["defense_counsel"])
    page = client.get(f"/cases/{ca_room.id}").text
    assert f"/cases/{ca_room.id}/ccp998" in page and f"/cases/{ca_room.id}/rule68\"" not in page
    sign_in_as(client, room.users["defense_counsel"])
    page = client.get(f"/cases/{room.id}").text
    assert f"/cases/{room.id}/rule68" in page and "/ccp998" not in page


def test_serve_accept_with_plain_words(client, ca_room):
    sign_in_as(client, ca_room.users["defense_counsel"])
    r = _serve(client, ca_room)
    assert r.status_code == 200 and "Section 998 offer served" in r.text
    assert "Last moment to accept: by 11:59 pm Pacific" in r.text
    assert "any party to the case may make a section 998 offer" in r.text
    assert "Revoke the offer" in r.text and "Sign and accept" not in r.text
    sign_in_as(client, ca_room.users["plaintiff_client"])
    assert "talk to your lawyer" in client.get(f"/cases/{ca_room.id}/ccp998").text
    sign_in_as(client, ca_room.users["plaintiff_counsel"])
    page = client.get(f"/cases/{ca_room.id}/ccp998")
    assert "Sign and accept" in page.text
    offer = web_offer_id(page.text, ca_room.id)
    r = client.post(f"/cases/{ca_room.id}/ccp998/{offer}/accept", data={
        "csrf_token": page_csrf(client), "signed_by_name": "Pat Counsel"})
    assert r.status_code == 200 and "accepted with your signed statement" in r.text
    assert "signed by Pat Counsel" in r.text


def test_revoke_and_federal_refusals(client, room, ca_room):
    sign_in_as(client, ca_room.users["defense_counsel"])
    page = _serve(client, ca_room, amount="99.00")
    offer = web_offer_id(page.text, ca_room.id, last=True)
    r = client.post(f"/cases/{ca_room.id}/ccp998/{offer}/revoke",
                    data={"csrf_token": page_csrf(client)})
    assert r.status_code == 200 and "revoked; it can no longer be accepted" in r.text
    r = client.post(f"/cases/{ca_room.id}/ccp998/{offer}/revoke",
                    data={"csrf_token": page_csrf(client)})
    assert r.status_code == 409
    sign_in_as(client, room.users["defense_counsel"])
    r = client.post(f"/cases/{room.id}/ccp998", data={
        "csrf_token": page_csrf(client),
        "pair": f"{room.parties['defendant']}:{room.parties['plaintiff']}",
        "amount": "1.00", "terms": "x", "service_method": "personal"})
    assert r.status_code == 422


def web_offer_id(html: str, case_id: str, last: bool = False) -> str:
    marker = f"/cases/{case_id}/ccp998/"
    found = [html[i + len(marker):i + len(marker) + 36]
             for i in range(len(html)) if html.startswith(marker, i)]
    return found[-1] if last else found[0]
