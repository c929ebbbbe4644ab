"""Property-based requests generated from the OpenAPI document, sent in-process: no answer
may be a 5xx, and every error is problem+json.

The caller is a member of the case in every role the policy allows at once (room admin,
counsel of each represented party, client of each party, pro se of the unrepresented one,
neutral, auditor) and the evaluator of its ENE session; account administration is called
as the platform admin. Most calls have their path ids pinned to objects that exist (the case, an
offer, a Rule 68 offer, an ENE session with a message and a statement, a document, a
member, an audit leaf), and the ids in their bodies to the case's parties and users, so
calls get past the guard and the lookups into the code behind them. The rest keep the
generated values, which exercise the 404/422 paths.
"""

from __future__ import annotations

import tempfile
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis import GenerationMode

from app.authz.permissions import PARTY_ROLES, Role
from app.authz.policy import validate_member_role, validate_party_role
from app.config import Settings
from app.db import transaction
from app.main import configure, create_app
from app.models.cases import Member
from tests import dbutil, lazy_schemathesis
from tests.api.documents.helpers import text_doc
from tests.conftest import build_template, fresh_database, make_settings
from tests.factories import Api, Room, User
from tests.template import PARTIES, Template, copy_data_dir
from tests.testclient import TestClient

pytestmark = pytest.mark.slow  # about 1,500 generated calls

# Generated calls per operation: 20 on SQLite; 6 on PostgreSQL, where the same code paths
# run again and what differs is the database's own refusals (NUL bytes in text, integer
# ranges), which schemathesis's coverage phase sends as boundary values on both passes
# whatever this number. (All 144 operations on both passes at 20 cost about 8 minutes.)
MAX_EXAMPLES = 6 if dbutil.pg_server_url() else 20
# One call in PIN_EVERY keeps its generated ids (and meets 404s and 422s); the rest are pinned.
PIN_EVERY = 4


def _spec() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(make_settings(Path(tmp), f"sqlite:///{tmp}/spec.db"))
        spec = app.openapi()
        app.state.engine.dispose()
    return spec


schema = schemathesis.openapi.from_dict(_spec())
if dbutil.pg_server_url():
    # On PostgreSQL the coverage phase sends its positive cases only (934 calls): the
    # boundary values that pass request validation (minimum, maximum and near-boundary
    # numbers and lengths, nulls where allowed, every required/optional combination) and
    # so reach the queries, which is where the two databases differ. Its negative cases
    # (4,256 calls: wrong types, missing or unexpected properties, values outside the
    # declared bounds, unsupported methods, malformed content types) are refused by
    # routing and request validation before any query, or pass it as values of the
    # positive space (a number given as a string, an ignored extra property); the SQLite
    # pass sends every one of them. The generated calls keep both modes on both passes.
    schema.config.phases.coverage.generation.modes = [GenerationMode.POSITIVE]
# Each operation's cases are built where its test runs, not in every worker's collection.
lazy_schemathesis.defer_operation_tests()


@pytest.fixture(autouse=True)
def _operation_test(request: pytest.FixtureRequest) -> None:
    lazy_schemathesis.build(request.node)


@dataclass
class World:
    """The objects path and body ids are pinned to, and the all-roles caller (the ENE
    session's evaluator too). Account administration is the platform admin's."""

    me: User
    platform_admin: User
    room: Room
    ids: dict[str, str]
    reads: set[str] = field(default_factory=set)

    def caller(self, path: str) -> User:
        return self.platform_admin if path.startswith("/api/v1/users") else self.me

    def path_id(self, name: str, path: str) -> str | None:
        if name == "offer_id":
            return self.ids["rule68_offer_id" if "/rule68-offers/" in path else "offer_id"]
        return self.ids.get(name)


def every_role(room: Room) -> list[tuple[Role, str | None]]:
    """Each (role, party) the policy lets one member hold, read from the policy itself."""
    represented = {label: r for label, _, _, r in PARTIES}
    held: list[tuple[Role, str | None]] = []
    for role in Role:
        if role not in PARTY_ROLES:
            assert validate_member_role(role, None)
            held.append((role, None))
            continue
        held += [(role, label) for label in room.parties
                 if validate_party_role(role, represented[label])]
    return held


def build_world(api: Api) -> dict[str, str]:
    """The ids the calls are pinned to, created through HTTP in ``api``'s database."""
    room = api.room()
    api.consent_all(room)
    me = room.admin
    # One member holding every role is what no seat rule allows any more (it sits for
    # adverse parties and is their neutral): written as a room from before the rules,
    # which the migration keeps, so that every endpoint is reachable by one caller.
    with transaction(api.app.state.sessionmaker) as session:
        for role, party in every_role(room):
            if role != Role.ROOM_ADMIN:
                party_id = uuid.UUID(room.parties[party]) if party else None
                session.add(Member(case_id=uuid.UUID(room.id), user_id=uuid.UUID(me.id),
                                   role=role.value, party_id=party_id,
                                   party_key=str(party_id) if party_id else "-"))
    roles = {(m["role"], m["party_id"]) for m in api.client.get(
        f"/api/v1/cases/{room.id}/members", headers=me.headers).json() if m["user_id"] == me.id}
    assert len(roles) == len(every_role(room)) > len(Role)  # one member, every role
    session = api.ene_session(room, host=me, evaluator_user_id=me.id)
    base = f"/api/v1/cases/{room.id}/ene-sessions/{session['id']}"

    def post(path: str, by: str, body: dict[str, Any]) -> str:
        r = api.client.post(base + path, headers=room.users[by].headers, json=body)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    auditor = next(m for m in api.client.get(f"/api/v1/cases/{room.id}/members",
                                             headers=me.headers).json()
                   if m["user_id"] == room.users["auditor"].id)
    ids = {
        "case_id": room.id,
        "session_id": session["id"],
        "message_id": post("/messages", "room_admin", {"channel": "joint", "body": "Opening"}),
        "statement_id": post("/statements", "plaintiff_counsel", {
            "party_id": room.parties["plaintiff"], "body": "Position",
            "share_with_parties": False}),
        "offer_id": api.offer(room)["id"],
        "rule68_offer_id": api.rule68_offer(room)["id"],
        "doc_id": api.document(room, text_doc())["id"],
        "member_id": auditor["id"],
        "leaf_index": "1",
    }
    return ids


def _pinned(case: Any) -> bool:
    seed = zlib.crc32(repr((case.method, case.path, case.path_parameters, case.query)).encode())
    return seed % PIN_EVERY != 0


def _read_again(case: Any, world: World) -> bool:
    """Whether ``case`` is a GET this operation's test already sent, byte for byte: pinning
    sends three generated calls in four to the same ids, so that most of a read's
    generated calls (872 of the module's 7,822, on SQLite) repeated one already answered.
    An operation's test sends that operation only, so a GET meets the rows the first one
    met, plus what reads append (audit events, download records), by the same code: it is
    answered once. Every generated case is still drawn (phases and examples per operation
    as configured); calls that write are sent however often they repeat, since the
    second one meets what the first one changed."""
    if case.method != "GET":
        return False
    request = repr((case.path, case.path_parameters, case.query, case.headers, case.cookies))
    if request in world.reads:
        return True
    world.reads.add(request)
    return False


def pin(case: Any, world: World) -> None:
    for name in list(case.path_parameters or {}):
        value = world.path_id(name, case.path)
        if value is not None:
            case.path_parameters[name] = value
    if isinstance(case.body, dict):
        parties = world.room.parties
        for key in case.body:
            if key.endswith("party_id"):
                case.body[key] = parties["defendant" if "to_" in key or "offeree" in key
                                         else "plaintiff"]
            elif key.endswith("party_ids"):
                case.body[key] = [parties["defendant"]]
            elif key in ("user_id", "evaluator_user_id"):
                case.body[key] = world.room.users["neutral"].id


@pytest.fixture(scope="module")
def fuzz_template(_shared_app, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN001, ANN201
    """The standard room plus the world, built once for the module; each operation (each
    test) gets a fresh copy, so no operation sees what another one changed."""
    ids: dict[str, str] = {}

    def extend(template: Template) -> None:
        configure(_shared_app, make_settings(template.data_dir, template.url))
        with TestClient(_shared_app) as client:
            ids.update(build_world(Api(client, _shared_app, seed=template.seed)))
        _shared_app.state.engine.dispose()

    with build_template(tmp_path_factory.mktemp("fuzz"), extend) as template:
        yield template, ids


@pytest.fixture
def database_url(fuzz_template, tmp_path: Path) -> Iterator[str]:  # noqa: ANN001
    yield from fresh_database(fuzz_template[0], tmp_path)


@pytest.fixture
def settings(tmp_path: Path, database_url: str, fuzz_template) -> Settings:  # noqa: ANN001
    return make_settings(copy_data_dir(fuzz_template[0].data_dir, tmp_path / "data"),
                         database_url)


@pytest.fixture
def api(client: TestClient, app, fuzz_template) -> Api:  # noqa: ANN001
    return Api(client, app, seed=fuzz_template[0].seed)


@pytest.fixture
def world(api: Api, fuzz_template) -> World:  # noqa: ANN001
    room = api.room()
    return World(me=room.admin, platform_admin=api.admin, room=room, ids=fuzz_template[1])


def test_the_caller_holds_every_role_and_the_ids_exist(api, world):
    r = api.client.get(f"/api/v1/cases/{world.room.id}", headers=world.me.headers)
    assert set(r.json()["my_roles"]) == {role.value for role in Role}
    base = f"/api/v1/cases/{world.room.id}"
    for path in (f"/offers/{world.ids['offer_id']}",
                 f"/rule68-offers/{world.ids['rule68_offer_id']}",
                 f"/documents/{world.ids['doc_id']}",
                 f"/ene-sessions/{world.ids['session_id']}",
                 f"/ene-sessions/{world.ids['session_id']}/messages/{world.ids['message_id']}",
                 f"/ene-sessions/{world.ids['session_id']}/statements/"
                 f"{world.ids['statement_id']}"):
        r = api.client.get(base + path, headers=world.me.headers)
        assert r.status_code == 200, (path, r.text)


@schema.parametrize()
@hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, api, world):
    if _pinned(case):
        pin(case, world)
    if _read_again(case, world):
        return
    response = case.call(app=api.app, headers=world.caller(case.path).headers)
    assert response.status_code < 500, (case.method, case.path, response.text)
    if response.status_code >= 400:
        ctype = response.headers["content-type"]
        ctype = ctype[0] if isinstance(ctype, list) else ctype
        assert ctype.startswith("application/problem+json"), (
            case.method, case.path, response.status_code)


def test_only_a_read_already_sent_is_left_out() -> None:
    """``_read_again``: the first GET goes, the same GET again does not, a GET differing in
    its query does, and a write repeated byte for byte is sent each time."""
    world = World(me=None, platform_admin=None, room=None, ids={})  # type: ignore[arg-type]

    def case(method: str, query: dict[str, str] | None = None) -> SimpleNamespace:
        return SimpleNamespace(method=method, path="/api/v1/cases/{case_id}",
                               path_parameters={"case_id": "c"}, query=query, headers=None,
                               cookies=None)

    assert [_read_again(c, world) for c in (case("GET"), case("GET"), case("GET", {"a": "1"}),
                                            case("POST"), case("POST"))] == [
        False, True, False, False, False]
