"""Fixtures of the ENE tests: a three-party room (plaintiff, represented defendant, pro se
defendant2) with every role, one session, and content seeded in every channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.factories import Api, Room, User

ROLES = ["room_admin", "plaintiff_counsel", "plaintiff_client", "defense_counsel",
         "defense_client", "pro_se", "neutral", "auditor"]
# The parties each labelled user acts for (counsel, client or pro se).
ACTS_FOR = {"plaintiff_counsel": {"plaintiff"}, "plaintiff_client": {"plaintiff"},
            "defense_counsel": {"defendant"}, "defense_client": {"defendant"},
            "pro_se": {"defendant2"}}
SPEAKER = {"plaintiff": "plaintiff_counsel", "defendant": "defense_counsel",
           "defendant2": "pro_se"}
PARTIES = ["plaintiff", "defendant", "defendant2"]
CHANNELS = ["joint", *PARTIES]  # a party label stands for that party's caucus


@dataclass
class Ene:
    api: Api
    room: Room
    session: dict[str, Any]
    messages: dict[str, str] = field(default_factory=dict)  # channel label -> message id
    statements: dict[str, str] = field(default_factory=dict)  # party label -> statement id
    markers: list[str] = field(default_factory=list)

    @property
    def sid(self) -> str:
        return self.session["id"]

    def url(self, path: str = "") -> str:
        return f"/api/v1/cases/{self.room.id}/ene-sessions/{self.sid}{path}"

    def user(self, label: str) -> User:
        return self.room.users[label]

    def party(self, label: str) -> str:
        return self.room.parties[label]

    def channel(self, label: str) -> str:
        return "joint" if label == "joint" else f"caucus:{self.party(label)}"

    def get(self, label: str, path: str = "", **params: Any) -> Any:
        return self.api.client.get(self.url(path), headers=self.user(label).headers,
                                   params=params)

    def post(self, label: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.api.client.post(self.url(path), headers=self.user(label).headers,
                                    json=body or {})

    def say(self, label: str, channel: str, body: str) -> str:
        r = self.post(label, "/messages", {"channel": self.channel(channel), "body": body})
        assert r.status_code == 201, r.text
        self.markers.append(body)
        return r.json()["id"]

    def state(self, label: str, party: str, body: str, shared: bool = False) -> str:
        r = self.post(label, "/statements", {"party_id": self.party(party), "body": body,
                                             "share_with_parties": shared})
        assert r.status_code == 201, r.text
        self.markers.append(body)
        return r.json()["id"]


@pytest.fixture
def ene(api: Api) -> Ene:
    room = api.room()
    return Ene(api=api, room=room, session=api.ene_session(room))


@pytest.fixture
def seeded(ene: Ene) -> Ene:
    """One message per channel (by its party's speaker; the joint one by the evaluator),
    statements of every party (only the defendant's shared), an evaluation shared with the
    plaintiff only."""
    ene.messages["joint"] = ene.say("neutral", "joint", "SECRET-joint-opening")
    for party in PARTIES:
        ene.messages[party] = ene.say(SPEAKER[party], party, f"SECRET-caucus-{party}")
    for party in PARTIES:
        ene.statements[party] = ene.state(SPEAKER[party], party, f"SECRET-statement-{party}",
                                          shared=party == "defendant")
    r = ene.post("neutral", "/evaluation", {"body": "SECRET-evaluation",
                                            "share_with_party_ids": [ene.party("plaintiff")]})
    assert r.status_code == 201, r.text
    ene.markers.append("SECRET-evaluation")
    return ene


def sees_channel(role: str, channel: str) -> bool:
    """POLICY.md: joint for the evaluator and every party role; a caucus for the evaluator
    and that party's counsel, pro se and client."""
    if role == "neutral":
        return True
    mine = ACTS_FOR.get(role, set())
    return bool(mine) if channel == "joint" else channel in mine
