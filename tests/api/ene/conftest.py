"""Fixtures of the ENE tests: a three-party room (plaintiff, represented defendant, pro se
defendant2) with every role, one session, and content seeded in every channel.

The session (``ene``), and the session with its content (``seeded``), are built once per
run, each into a template database of its own, through the same HTTP requests the fixtures
used to send before every test (about twelve; they were most of these tests' time, on both
databases). A test that asks for either gets its copy of that template (SQLite), or that
database with its rows put back after the previous test (PostgreSQL), as every API test
gets the standard room; the other ENE tests start from the standard room as before."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from app.main import create_app
from tests.conftest import build_template, make_settings
from tests.factories import Api, Room, User
from tests.template import Template
from tests.testclient import TestClient

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


def _open_session(api: Api) -> Ene:
    room = api.room()
    return Ene(api=api, room=room, session=api.ene_session(room))


def _seed_content(ene: Ene) -> None:
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


KINDS = ("seeded", "ene")  # the fixtures that start from a template of their own


@pytest.fixture(scope="session")
def _ene_templates(tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[dict[str, tuple[Template, Ene]]]:
    """Per kind, its template and what was built in it (ids, markers; the users' tokens are
    minted per test)."""
    built: dict[str, Ene] = {}

    def extend(kind: str) -> Callable[[Template], None]:
        def build(template: Template) -> None:
            app = create_app(make_settings(template.data_dir, template.url))
            with TestClient(app) as client:
                ene = _open_session(Api(client, app, seed=template.seed))
                if kind == "seeded":
                    _seed_content(ene)
            app.state.engine.dispose()
            built[kind] = ene
        return build

    with ExitStack() as stack:
        templates = {kind: stack.enter_context(build_template(
            tmp_path_factory.mktemp(f"ene-{kind}"), extend(kind))) for kind in KINDS}
        yield {kind: (templates[kind], built[kind]) for kind in KINDS}


def _kind(request: pytest.FixtureRequest) -> str | None:
    return next((kind for kind in KINDS if kind in request.fixturenames), None)


@pytest.fixture
def start(request: pytest.FixtureRequest,
          _ene_templates: dict[str, tuple[Template, Ene]], _template: Template) -> Template:
    """The seeded session's template, the session's, or (a test that builds its own
    session) the standard room's."""
    kind = _kind(request)
    return _template if kind is None else _ene_templates[kind][0]


def _from_template(request: pytest.FixtureRequest, api: Api,
                   templates: dict[str, tuple[Template, Ene]]) -> Ene:
    """The template's session as this test's: the room's users with fresh tokens, the ids
    and markers of what was built (lists and maps copied: a test may add to them)."""
    kind = _kind(request)
    assert kind is not None
    built = templates[kind][1]
    return replace(built, api=api, room=api.room(), messages=dict(built.messages),
                   statements=dict(built.statements), markers=list(built.markers))


@pytest.fixture
def ene(request: pytest.FixtureRequest, api: Api,
        _ene_templates: dict[str, tuple[Template, Ene]]) -> Ene:
    return _from_template(request, api, _ene_templates)


@pytest.fixture
def seeded(request: pytest.FixtureRequest, api: Api,
           _ene_templates: dict[str, tuple[Template, Ene]]) -> Ene:
    return _from_template(request, api, _ene_templates)


def sees_channel(role: str, channel: str) -> bool:
    """POLICY.md: joint for the evaluator and every party role; a caucus for the evaluator
    and that party's counsel, pro se and client."""
    if role == "neutral":
        return True
    mine = ACTS_FOR.get(role, set())
    return bool(mine) if channel == "joint" else channel in mine
