"""After a case is destroyed, every reader of it answers without a server error: content
answers 410 ``case_destroyed`` (problem+json from the API, a page that says the content
is gone from the web), metadata stays readable and says the case was destroyed.

The readers are found, not listed: every GET route of the app (API and pages) under a
case, plus the home page and the case list, is called as every member of the case, with
every path id pinned to an object that existed before the destruction."""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.sealing import CaseDestroyed, IntegrityFailure, open_bytes
from tests.api.documents.helpers import text_doc
from tests.factories import Api, Room
from tests.routes import api_routes
from tests.testclient import TestClient
from tests.web.helpers import sign_in_as

MEMBERS = ["room_admin", "plaintiff_counsel", "plaintiff_client", "defense_counsel",
           "defense_client", "pro_se", "neutral", "auditor"]
PARAM = re.compile(r"{([a-z_]+)}")
# ENE content is read under case membership and narrowed per object: after destruction
# every member gets 410, whatever it could see before.
ENE_CONTENT = ["/messages", "/messages/{message_id}", "/statements",
               "/statements/{statement_id}", "/evaluation"]


def get_paths(routes: list) -> list[str]:
    """Every GET path of the app, API and pages."""
    return [route.path for route in api_routes(routes) if "GET" in route.methods]


def seed_everything(api: Api, room: Room) -> dict[str, str]:
    """An object behind every path id: offers, Rule 68, ENE content, a document."""
    api.consent_all(room)
    ene = api.ene_session(room)
    base = f"/api/v1/cases/{room.id}/ene-sessions/{ene['id']}"

    def post(path: str, by: str, body: dict[str, Any]) -> str:
        r = api.client.post(base + path, headers=room.users[by].headers, json=body)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    ids = {
        "case_id": room.id,
        "session_id": ene["id"],
        "sid": ene["id"],
        "message_id": post("/messages", "neutral", {"channel": "joint", "body": "Opening"}),
        "statement_id": post("/statements", "plaintiff_counsel", {
            "party_id": room.parties["plaintiff"], "body": "Position",
            "share_with_parties": True}),
        "offer_id": api.offer(room)["id"],
        "rule68_offer_id": api.rule68_offer(room)["id"],
        "doc_id": api.document(room, text_doc())["id"],
    }
    post("/evaluation", "neutral", {"body": "Liability likely",
                                    "share_with_party_ids": [room.parties["plaintiff"]]})
    ids["acknowledgment_id"] = _signed_order(api, room)
    produced = api.client.post(f"/api/v1/cases/{room.id}/productions",
                               headers=room.users["plaintiff_counsel"].headers,
                               json={"document_ids": [ids["doc_id"]], "prefix": "DOE"})
    assert produced.status_code == 201, produced.text
    ids["production_id"] = str(produced.json()["id"])
    traced = api.client.post("/api/v1/traces", headers=room.admin.headers,
                             json={"text": "A copy found outside the room."})
    assert traced.status_code == 200, traced.text
    ids["trace_id"] = str(traced.json()["trace_id"])
    return ids


def _signed_order(api: Api, room: Room) -> str:
    """A protective order and one member's Exhibit A."""
    order = api.client.put(f"/api/v1/cases/{room.id}/protective-order",
                           headers=room.admin.headers, json={
        "text": "Stipulated protective order.", "entered_on": "2026-10-15",
        "tiers": [{"name": "CONFIDENTIAL", "designation": "CONFIDENTIAL",
                   "audience": ["outside_counsel", "parties"]}]})
    assert order.status_code == 200, order.text
    r = api.client.post(f"/api/v1/cases/{room.id}/protective-order/acknowledgments",
                        headers=room.users["defense_counsel"].headers,
                        json={"typed_name": "Dana Defense",
                              "order_sha256": order.json()["sha256"]})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def fill(path: str, ids: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "offer_id" and "/rule68" in path:
            return ids["rule68_offer_id"]
        return ids[name]

    return PARAM.sub(one, path)


def destroy(api: Api, room: Room) -> None:
    r = api.client.post(f"/api/v1/cases/{room.id}/destroy", headers=room.admin.headers,
                        json={"confirm_caption": "Doe v. Acme Corp."})
    assert r.status_code == 200, r.text


@pytest.fixture
def destroyed(api: Api) -> tuple[Room, dict[str, str]]:
    room = api.room()
    ids = seed_everything(api, room)
    destroy(api, room)
    return room, ids


def signed_in(api: Api, room: Room, who: str) -> TestClient:
    web = TestClient(api.app)
    sign_in_as(web, room.users[who])
    return web


def test_no_reader_of_a_destroyed_case_answers_a_server_error(api, destroyed):
    room, ids = destroyed
    paths = [p for p in get_paths(api.app.router.routes)
             if "{case_id}" in p or p in ("/", "/api/v1/cases")]
    assert len(paths) > 40
    answers: list[tuple[int, str, str]] = []
    for who in MEMBERS:
        web = signed_in(api, room, who)
        for path in map(lambda p: fill(p, ids), paths):
            if path.startswith("/api/"):
                r = api.client.get(path, headers=room.users[who].headers)
                if r.status_code >= 400:
                    assert r.headers["content-type"].startswith("application/problem+json")
            else:
                r = web.get(path)
            answers.append((r.status_code, who, path))
    assert [a for a in answers if a[0] >= 500] == []
    gone = {(who, path) for status, who, path in answers if status == 410}
    ene = f"/api/v1/cases/{room.id}/ene-sessions/{ids['session_id']}"
    for who in MEMBERS:
        for suffix in ENE_CONTENT:
            assert (who, fill(ene + suffix, ids)) in gone


@pytest.mark.parametrize("who", MEMBERS)
def test_ene_content_of_a_destroyed_case_answers_410(api, destroyed, who):
    room, ids = destroyed
    base = f"/api/v1/cases/{room.id}/ene-sessions/{ids['session_id']}"
    for suffix in ENE_CONTENT:
        r = api.client.get(fill(base + suffix, ids), headers=room.users[who].headers)
        assert r.status_code == 410, (suffix, r.text)
        assert r.json()["code"] == "case_destroyed"
    # Session metadata holds no content: it stays.
    assert api.client.get(base + "/report", headers=room.users[who].headers).status_code == 200
    web = signed_in(api, room, who)
    for page in ("", "/evaluation"):
        r = web.get(f"/cases/{room.id}/ene/{ids['session_id']}{page}")
        assert r.status_code == 410 and "case keys were destroyed" in r.text, page


@pytest.mark.parametrize("who", MEMBERS)
def test_pages_show_the_case_as_destroyed(api, destroyed, who):
    room, _ = destroyed
    web = signed_in(api, room, who)
    home = web.get("/")
    assert home.status_code == 200
    row = home.text.split(f'href="/cases/{room.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Destroyed" in row
    for page in ("", "/parties", "/members", "/ene"):
        r = web.get(f"/cases/{room.id}{page}")
        assert r.status_code == 200 and "The keys of this case were destroyed" in r.text, page
    case = api.client.get(f"/api/v1/cases/{room.id}", headers=room.users[who].headers).json()
    assert case["destroyed_at"] is not None
    listed = api.client.get("/api/v1/cases", headers=room.users[who].headers).json()
    assert [c["destroyed_at"] is not None for c in listed if c["id"] == room.id] == [True]


def test_a_live_case_is_not_shown_as_destroyed(api):
    room = api.room()
    case = api.client.get(f"/api/v1/cases/{room.id}", headers=room.admin.headers).json()
    assert case["destroyed_at"] is None
    web = signed_in(api, room, "room_admin")
    assert "were destroyed" not in web.get(f"/cases/{room.id}").text


def test_an_erased_value_of_a_destroyed_case_is_gone_not_corrupt(api, app):
    """Destruction overwrites sealed columns with empty values: opening one is 410, never
    an integrity failure (500), whatever reader opens it."""
    room = api.room()
    provider = app.state.services.key_provider
    binding = {"case_id": room.id, "object_type": "ene_message", "object_id": "x"}
    with pytest.raises(IntegrityFailure):
        open_bytes(provider, b"", **binding)  # a live case: an empty value is corrupt
    destroy(api, room)
    with pytest.raises(CaseDestroyed):
        open_bytes(provider, b"", **binding)
