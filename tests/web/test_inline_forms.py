"""The server's side of forms sent by the page script: a success is a 204 naming where to
go (one request, cookies kept), a refusal is the error box without developer codes, and an
ended session answers 401 with the sign-in address that brings the user back to the form's
page and says that the session ended. A forged page header cannot send anyone elsewhere."""

from __future__ import annotations

import re

from tests.web.helpers import page_csrf, sign_in_as

INLINE = {"X-Settleroom-Form": "1"}


def _form(room, **extra: str) -> dict[str, str]:  # noqa: ANN001
    return {"from_party_id": room.parties["plaintiff"], "to_party_id": room.parties["defendant"],
            "amount": "1000", "terms": "Mutual release.", **extra}


def test_a_success_is_a_204_with_the_target(api, client):  # noqa: ANN001
    room = api.room()
    sign_in_as(client, room.users["plaintiff_counsel"])
    token = page_csrf(client, f"/cases/{room.id}/offers")
    r = client.post(f"/cases/{room.id}/offers", headers=INLINE, follow_redirects=False,
                    data={"csrf_token": token, "step": "send", **_form(room)})
    assert r.status_code == 204 and r.content == b""
    assert r.headers["x-redirect-to"] == f"/cases/{room.id}/offers?notice=offer_made"
    assert "location" not in r.headers


def test_a_refusal_is_the_error_box_without_codes(api, client):  # noqa: ANN001
    room = api.room()
    sign_in_as(client, room.users["plaintiff_counsel"])
    token = page_csrf(client, f"/cases/{room.id}/offers")
    r = client.post(f"/cases/{room.id}/offers", headers=INLINE, data={
        "csrf_token": token, **_form(room, expires_at="2020-01-01T10:00")})
    assert r.status_code == 422
    assert re.search(r'class="error-box"[^>]*data-code="expiry_in_past"', r.text)
    assert "Reference:" not in r.text and "(status 422)" not in r.text


def test_an_ended_session_answers_401_with_the_way_back(api, client):  # noqa: ANN001
    room = api.room()
    sign_in_as(client, room.users["plaintiff_counsel"])
    token = page_csrf(client, f"/cases/{room.id}/offers")
    assert api.client.post("/api/v1/auth/logout",
                           headers=room.users["plaintiff_counsel"].headers).status_code == 204
    page = f"/cases/{room.id}/offers"
    r = client.post(f"/cases/{room.id}/offers", headers={**INLINE, "X-Settleroom-Page": page},
                    data={"csrf_token": token, **_form(room)}, follow_redirects=False)
    assert r.status_code == 401
    assert r.headers["x-sign-in"] == f"/signin?next=%2Fcases%2F{room.id}%2Foffers&expired=1"
    signin = client.get(r.headers["x-sign-in"])
    assert "Your session has ended" in signin.text
    # Without the script: a redirect to the sign-in page, saying the same.
    plain = client.post(f"/cases/{room.id}/offers", data={"csrf_token": token, **_form(room)},
                        follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"].endswith("&expired=1")


def test_a_forged_page_header_cannot_point_elsewhere(client):  # noqa: ANN001
    for forged in ("https://evil.example/x", "//evil.example/x", "javascript:alert(1)"):
        r = client.post("/signout", headers={**INLINE, "X-Settleroom-Page": forged},
                        follow_redirects=False)
        assert r.status_code == 401
        assert r.headers["x-sign-in"] == "/signin?next=%2F"
    assert "Your session has ended" not in client.get("/signin?next=%2F").text
