"""ENE pages without a browser: the change feed the page script polls (JSON, no content, no
move of the session's idle clock), who released an item from which party, and the
evaluation page telling a party left out "not shared with you" without any of its text."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from app.auth import web_sessions as web_session
from app.models.base import utcnow
from tests.web.helpers import sign_in_as

SECRET = "SECRET-EVALUATION-TEXT"


@pytest.fixture
def moved_clock(web_app):  # noqa: ANN001, ANN201
    """Moves the module app's clock; gives it back afterwards."""
    clock = web_app.state.services.clock
    start = utcnow()

    def move(delta: timedelta) -> None:
        web_app.state.services.clock = lambda: start + delta

    yield move
    web_app.state.services.clock = clock


@pytest.fixture(scope="module")
def ene(web_api, room):  # noqa: ANN001, ANN201
    return web_api.ene_session(room)


def _api(web_api, room, who: str, path: str, body: dict):  # noqa: ANN001, ANN202
    r = web_api.client.post(f"/api/v1/cases/{room.id}/ene-sessions/{path}",
                            headers=room.users[who].headers, json=body)
    assert r.status_code in (200, 201), r.text
    return r.json()


def test_the_page_feed_is_json_and_moves_with_what_the_viewer_sees(client, web_api, room, ene):  # noqa: ANN001
    sign_in_as(client, room.users["defense_counsel"])
    page = client.get(f"/cases/{room.id}/ene/{ene['id']}")
    cursor = page.text.split('data-live-cursor="', 1)[1].split('"', 1)[0]
    feed = f"/cases/{room.id}/ene/{ene['id']}/changes"
    r = client.get(feed, params={"since": cursor})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.headers["cache-control"] == "no-store"
    assert r.json()["changed"] is False and r.json()["cursor"] == cursor
    _api(web_api, room, "plaintiff_counsel", f"{ene['id']}/messages",
         {"channel": f"caucus:{room.parties['plaintiff']}", "body": "SECRET-caucus"})
    assert client.get(feed, params={"since": cursor}).json()["changed"] is False
    _api(web_api, room, "plaintiff_counsel", f"{ene['id']}/messages",
         {"channel": "joint", "body": "SECRET-joint"})
    moved = client.get(feed, params={"since": cursor}).json()
    assert moved["changed"] is True and moved["messages"] == 1
    assert "SECRET" not in client.get(feed).text


def test_polling_does_not_keep_a_session_alive(client, room, ene, moved_clock):  # noqa: ANN001
    sign_in_as(client, room.users["pro_se"])
    feed = f"/cases/{room.id}/ene/{ene['id']}/changes"
    page = f"/cases/{room.id}/ene/{ene['id']}"
    live = {"X-Settleroom-Live": "1"}
    for minutes in (5, 15, 25, web_session.IDLE_TIMEOUT.total_seconds() / 60 - 1):
        moved_clock(timedelta(minutes=minutes))
        assert client.get(feed).status_code == 200
        assert client.get(page, headers=live).status_code == 200  # the page's own refetch
    moved_clock(web_session.IDLE_TIMEOUT + timedelta(minutes=1))
    r = client.get(feed, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")


def test_a_release_says_who_released_it_from_which_party(client, web_api, room, ene):  # noqa: ANN001
    msg = _api(web_api, room, "plaintiff_counsel", f"{ene['id']}/messages",
               {"channel": f"caucus:{room.parties['plaintiff']}", "body": "We could accept 40."})
    _api(web_api, room, "plaintiff_counsel", f"{ene['id']}/messages/{msg['id']}/release",
         {"to_party_id": room.parties["defendant"]})
    who = room.users["plaintiff_counsel"].email.split("@")[0]
    for label, words in (("defense_counsel", "Released to you (Acme Corp.) by"),
                         ("plaintiff_client", "Released to Acme Corp. by"),
                         ("neutral", "Released to Acme Corp. by")):
        sign_in_as(client, room.users[label])
        text = re.sub(r"\s+", " ", html.unescape(
            client.get(f"/cases/{room.id}/ene/{ene['id']}").text))
        line = text.split(words, 1)[1].split("</li>", 1)[0]
        assert "from Jane Doe's caucus" in line, (label, line)
        assert "Plaintiff-Counsel" in line or who in line, (label, line)
    # A party the item was not released to learns neither the item nor the release.
    sign_in_as(client, room.users["pro_se"])
    text = client.get(f"/cases/{room.id}/ene/{ene['id']}").text
    assert "We could accept 40." not in text and "Released" not in text


def _evaluation_page(client, room, ene, label: str) -> str:  # noqa: ANN001
    sign_in_as(client, room.users[label])
    r = client.get(f"/cases/{room.id}/ene/{ene['id']}/evaluation")
    assert r.status_code == 200, r.text
    return html.unescape(r.text)


def test_a_party_left_out_is_told_not_shared_with_you(client, web_api, room):  # noqa: ANN001
    ene = web_api.ene_session(room)
    # Before any share, written or not, every party reads the same words.
    before = _evaluation_page(client, room, ene, "defense_counsel")
    assert "has not shared an evaluation with any party yet" in before
    _api(web_api, room, "neutral", f"{ene['id']}/evaluation",
         {"body": SECRET, "share_with_party_ids": []})
    drafted = _evaluation_page(client, room, ene, "defense_counsel")
    assert "has not shared an evaluation with any party yet" in drafted
    assert SECRET not in drafted
    _api(web_api, room, "neutral", f"{ene['id']}/evaluation/share",
         {"party_ids": [room.parties["plaintiff"]]})
    for label in ("defense_counsel", "defense_client", "pro_se"):
        text = _evaluation_page(client, room, ene, label)
        assert "Not shared with you." in text, label
        assert SECRET not in text and "Version" not in text and "Jane Doe" not in text.split(
            'id="evaluation-state"', 1)[1].split("</p>", 1)[0]
    assert SECRET in _evaluation_page(client, room, ene, "plaintiff_client")
    for label in ("auditor", "room_admin"):
        text = _evaluation_page(client, room, ene, label)
        assert "for the evaluator and the parties it is shared with" in text
        assert "Not shared with you" not in text and SECRET not in text
