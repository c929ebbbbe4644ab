"""ENE and document events reach exactly the members the ENE and document policies let see
the item, but the one who acted: a caucus message only its own party and the evaluator, a
release only the party it is released to, an AEO document never a client."""

from __future__ import annotations

import pytest

from tests.factories import Api, Room
from tests.mailserver import Inbox

SECRET = "ZEBRA-caucus-word"


@pytest.fixture
def room(api: Api) -> Room:
    return api.room()


def _told(app, room: Room, inbox: Inbox) -> dict[str, list[str]]:  # noqa: ANN001
    """Who got which headline since the last call."""
    app.state.mailer.drain()
    labels = {u.email: label for label, u in room.users.items()}
    told: dict[str, list[str]] = {}
    for mail in inbox.received:
        assert SECRET not in mail.text and "order.txt" not in mail.text
        for address in mail.to:
            subject = " ".join(str(mail.message["Subject"]).split())
            told.setdefault(labels[address], []).append(subject.split(" in Doe v.")[0])
    inbox.received.clear()
    return told


def test_ene_events_reach_exactly_whom_the_ene_policy_lets_see_them(api, app, room, inbox):
    session = api.ene_session(room)
    sid, base = session["id"], f"/api/v1/cases/{room.id}/ene-sessions/{session['id']}"
    scheduled = "An Early Neutral Evaluation session was scheduled"
    assert _told(app, room, inbox) == {label: [scheduled] for label in (
        "plaintiff_counsel", "plaintiff_client", "defense_counsel", "defense_client", "pro_se")}

    def post(label: str, path: str, body: dict) -> dict:
        r = api.client.post(base + path, headers=room.users[label].headers, json=body)
        assert r.status_code in (200, 201), r.text
        return r.json()

    caucus = f"caucus:{room.parties['plaintiff']}"
    message = post("plaintiff_counsel", "/messages", {"channel": caucus, "body": SECRET})
    new = "A new message was posted in an ENE channel you read"
    assert _told(app, room, inbox) == {"plaintiff_client": [new], "neutral": [new]}
    post("neutral", "/messages", {"channel": "joint", "body": SECRET})
    assert set(_told(app, room, inbox)) == {"plaintiff_counsel", "plaintiff_client",
                                            "defense_counsel", "defense_client", "pro_se"}
    post("plaintiff_counsel", f"/messages/{message['id']}/release",
         {"to_party_id": room.parties["defendant"]})
    released = "An ENE message or statement was released to your side"
    assert _told(app, room, inbox) == {"defense_counsel": [released],
                                       "defense_client": [released]}
    post("neutral", "/evaluation", {"body": SECRET,
                                    "share_with_party_ids": [room.parties["defendant2"]]})
    assert _told(app, room, inbox) == {
        "pro_se": ["The evaluator shared the evaluation with your side"]}
    post("neutral", "/evaluation/share", {"party_ids": [room.parties["defendant2"]]})
    assert _told(app, room, inbox) == {}  # already shared: nothing new to say
    assert sid


def test_a_document_is_announced_to_whom_may_see_it_never_by_name(api, app, room, inbox):
    api.document(room, b"Confidential exhibit.\n")  # by the plaintiff's counsel, to all
    shared = "A document was shared with your side"
    assert _told(app, room, inbox) == {label: [shared] for label in (
        "defense_counsel", "defense_client", "pro_se")}
    api.document(room, b"Eyes only.\n", designation="AEO",
                 audience=room.parties["defendant"])
    assert _told(app, room, inbox) == {"defense_counsel": [shared]}


def test_a_moved_session_is_announced_to_the_evaluator_and_the_parties(api, app, room, inbox):
    session = api.ene_session(room, participating_party_ids=[room.parties["plaintiff"],
                                                             room.parties["defendant2"]])
    _told(app, room, inbox)
    r = api.client.patch(f"/api/v1/cases/{room.id}/ene-sessions/{session['id']}",
                         headers=room.admin.headers,
                         json={"scheduled_at": "2030-07-18T17:00:00Z"})
    assert r.status_code == 200, r.text
    moved = "An Early Neutral Evaluation session was moved"
    # Not the room admin who moved it, the auditor, nor Acme's side, which takes no part.
    assert _told(app, room, inbox) == {label: [moved] for label in (
        "neutral", "plaintiff_counsel", "plaintiff_client", "pro_se")}
    listed = api.client.get("/api/v1/notifications", headers=room.users["pro_se"].headers)
    [note] = [n for n in listed.json() if n["kind"] == "ene.session_moved"]
    assert note["due_at"].startswith("2030-07-18T17:00:00")
    r = api.client.patch(f"/api/v1/cases/{room.id}/ene-sessions/{session['id']}",
                         headers=room.users["neutral"].headers,
                         json={"scheduled_at": "2030-07-19T17:00:00Z"})
    assert r.status_code == 200, r.text
    app.state.mailer.drain()
    [mail] = inbox.to(room.users["plaintiff_counsel"].email)
    assert ("The session now begins at 10:00 am Pacific Daylight Time, Friday, July 19, "
            "2030") in " ".join(mail.text.split())
