"""Builders for users, cases, parties and members through the HTTP API (the admin
bootstrap goes through the same service the CLI uses). The standard room of ``Api.room``
comes from the session's template (``tests.template``) the first time a test asks for it;
a second room in the same test is built through HTTP."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from sqlalchemy import update

from app.auth.service import bootstrap_admin
from app.db import transaction
from app.models.base import utcnow
from app.models.users import User as UserRow
from tests.template import PASSWORD, Seed, SeedUser
from tests.testclient import TestClient

# The password an account owner chooses in place of the one the platform admin gave.
OWN_PASSWORD = "a passphrase of my own choosing"

_counter = itertools.count(1)
# Who speaks for each party of the standard room (``Api.room``).
SPEAKERS = {"plaintiff": "plaintiff_counsel", "defendant": "defense_counsel",
            "defendant2": "pro_se"}


@dataclass
class User:
    id: str
    email: str
    token: str
    refresh_token: str
    password: str = PASSWORD

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Room:
    """A case with parties and one user per role, as the tests need it."""

    id: str
    admin: User
    parties: dict[str, str] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


class Api:
    """``seed``: what the test's database already holds (its copy of the template); without
    one, the database is taken to be empty."""

    def __init__(self, client: TestClient, app: FastAPI, seed: Seed | None = None) -> None:
        self.client = client
        self.app = app
        self._admin: User | None = None
        self._seed = seed
        self._seed_room_taken = False

    # accounts -------------------------------------------------------------------------
    def login(self, email: str, password: str = PASSWORD, **form: str) -> Any:
        return self.client.post("/api/v1/auth/token",
                                data={"username": email, "password": password, **form})

    def _signed_in(self, user_id: str, email: str, password: str = PASSWORD) -> User:
        r = self.login(email, password)
        assert r.status_code == 200, r.text
        body = r.json()
        return User(user_id, email, body["access_token"], body["refresh_token"], password)

    def _from_seed(self, user: SeedUser) -> User:
        """A seeded account with a fresh access token (what signing in would have given)."""
        token, _ = self.app.state.services.access_tokens.issue(
            uuid.UUID(user.id), user.generation, utcnow())
        return User(user.id, user.email, token, user.refresh_token)

    @property
    def admin(self) -> User:
        if self._admin is None and self._seed is not None:
            self._admin = self._from_seed(self._seed.platform_admin)
        if self._admin is None:
            svc = self.app.state.services
            with transaction(self.app.state.sessionmaker) as session:
                created = bootstrap_admin(session, svc.passwords, email="admin@example.com",
                                          name="Platform Admin", password=PASSWORD)
            assert created is not None
            self._admin = self._signed_in(str(created.id), created.email)
        return self._admin

    def user(self, label: str = "user", *, first_password_chosen: bool = True) -> User:
        """An account made by the platform admin. Its owner must replace the password the
        admin chose at first sign-in (tests/api/auth/test_first_password.py walks that);
        unless ``first_password_chosen`` is False, the account is taken as past that step,
        so that tests of everything else start from an ordinary account."""
        email = f"{label}-{next(_counter)}-{uuid.uuid4().hex[:6]}@example.com"
        r = self.client.post("/api/v1/users", headers=self.admin.headers,
                             json={"email": email, "name": label.title(), "password": PASSWORD})
        assert r.status_code == 201, r.text
        if first_password_chosen and self.app is None:
            # A server in another process: its owner replaces the password, as a person does.
            given = self._signed_in(r.json()["id"], email)
            changed = self.client.post("/api/v1/me/password", headers=given.headers, json={
                "current_password": PASSWORD, "new_password": OWN_PASSWORD})
            assert changed.status_code == 204, changed.text
            return self._signed_in(r.json()["id"], email, OWN_PASSWORD)
        if first_password_chosen:
            with transaction(self.app.state.sessionmaker) as session:
                session.execute(update(UserRow).where(UserRow.id == uuid.UUID(r.json()["id"]))
                                .values(must_change_password=False))
        return self._signed_in(r.json()["id"], email)

    # cases ----------------------------------------------------------------------------
    def case(self, owner: User | None = None, **fields: Any) -> str:
        owner = owner or self.user("room-admin")
        body = {"caption": "Doe v. Acme Corp.", "court": "N.D. Cal.", "court_state": "CA",
                "docket_number": "3:25-cv-01234", **fields}
        r = self.client.post("/api/v1/cases", headers=owner.headers, json=body)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def party(self, case_id: str, owner: User, name: str, side: str,
              represented: bool = True) -> str:
        r = self.client.post(f"/api/v1/cases/{case_id}/parties", headers=owner.headers,
                             json={"name": name, "side": side, "represented": represented})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def member(self, case_id: str, owner: User | None, user: User, role: str,
               party_id: str | None = None) -> str:
        """Seat ``user`` directly, as the platform admin does (``owner`` is kept for the
        callers' readability: a room admin no longer seats anyone without an invitation)."""
        body: dict[str, Any] = {"user_id": user.id, "role": role}
        if party_id:
            body["party_id"] = party_id
        r = self.client.post(f"/api/v1/cases/{case_id}/members", headers=self.admin.headers,
                             json=body)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def room(self) -> Room:
        """Plaintiff (represented) v. two defendants (one pro se), with every role, and an
        outsider. The first one is the template's; later ones are built through HTTP."""
        if self._seed is not None and not self._seed_room_taken:
            self._seed_room_taken = True
            users = {label: self._from_seed(u) for label, u in self._seed.users.items()}
            return Room(id=self._seed.room_id, admin=users["room_admin"],
                        parties=dict(self._seed.parties), users=users)
        return self.http_room()

    def http_room(self) -> Room:
        """The same room built through thirty-odd HTTP requests."""
        admin = self.user("room-admin")
        case_id = self.case(admin)
        room = Room(id=case_id, admin=admin)
        room.parties = {
            "plaintiff": self.party(case_id, admin, "Jane Doe", "plaintiff"),
            "defendant": self.party(case_id, admin, "Acme Corp.", "defendant"),
            "defendant2": self.party(case_id, admin, "Rich Roe", "defendant", represented=False),
        }
        room.users["room_admin"] = admin
        spec = [
            ("plaintiff_counsel", "counsel", "plaintiff"),
            ("plaintiff_client", "client", "plaintiff"),
            ("defense_counsel", "counsel", "defendant"),
            ("defense_client", "client", "defendant"),
            ("pro_se", "pro_se", "defendant2"),
            ("neutral", "neutral", None),
            ("auditor", "auditor", None),
        ]
        for label, role, party in spec:
            user = self.user(label.replace("_", "-"))
            self.member(case_id, admin, user, role, room.parties[party] if party else None)
            room.users[label] = user
        room.users["outsider"] = self.user("outsider")
        return room

    # early neutral evaluation -----------------------------------------------------------
    def ene_session(self, room: Room, host: User | None = None, *, confirmed: bool = True,
                    **fields: Any) -> dict:
        """An ENE session of ``room`` hosted by its neutral, every party participating;
        ``confirmed``: every participating party has confirmed the evaluator."""
        body = {"evaluator_user_id": room.users["neutral"].id,
                "scheduled_at": "2030-06-20T17:00:00Z", **fields}
        r = self.client.post(f"/api/v1/cases/{room.id}/ene-sessions",
                             headers=(host or room.users["neutral"]).headers, json=body)
        assert r.status_code == 201, r.text
        if confirmed:
            self.confirm_evaluator(room, r.json())
        return r.json()

    def confirm_evaluator(self, room: Room, session: dict, decision: str = "confirm") -> None:
        """Each participating party's speaker (counsel, or the party pro se) answers."""
        label_of = {party_id: label for label, party_id in room.parties.items()}
        for party_id in session["participating_party_ids"]:
            speaker = room.users[SPEAKERS[label_of[party_id]]]
            r = self.client.post(
                f"/api/v1/cases/{room.id}/ene-sessions/{session['id']}/evaluator-confirmation",
                headers=speaker.headers, json={"decision": decision, "party_id": party_id})
            assert r.status_code == 200, r.text

    # negotiation ------------------------------------------------------------------------
    def consent_all(self, room: Room) -> None:
        """Every party of ``room`` records its consent to electronic service."""
        for party, speaker in (("plaintiff", "plaintiff_counsel"),
                               ("defendant", "defense_counsel"), ("defendant2", "pro_se")):
            r = self.client.post(f"/api/v1/cases/{room.id}/service-consents",
                                 headers=room.users[speaker].headers,
                                 json={"party_id": room.parties[party]})
            assert r.status_code == 201, r.text

    def offer(self, room: Room, by: str = "plaintiff_counsel", from_party: str = "plaintiff",
              to_party: str = "defendant", **fields: Any) -> dict:
        body = {"from_party_id": room.parties[from_party], "to_party_id": room.parties[to_party],
                "amount_cents": 1_234_567, "terms": "Mutual release; dismissal with prejudice",
                **fields}
        r = self.client.post(f"/api/v1/cases/{room.id}/offers", headers=room.users[by].headers,
                             json=body)
        assert r.status_code == 201, r.text
        return r.json()

    def rule68_offer(self, room: Room, by: str = "defense_counsel", offeror: str = "defendant",
                     offeree: str = "plaintiff", **fields: Any) -> dict:
        body = {"offeror_party_id": room.parties[offeror],
                "offeree_party_id": room.parties[offeree], "amount_cents": 7_654_321,
                "costs": "plus_accrued", "terms": "Judgment against Acme for the sum stated",
                **fields}
        r = self.client.post(f"/api/v1/cases/{room.id}/rule68-offers",
                             headers=room.users[by].headers, json=body)
        assert r.status_code == 201, r.text
        return r.json()

    # documents --------------------------------------------------------------------------
    def upload(self, room: Room, content: bytes, filename: str = "order.txt",
               by: str = "plaintiff_counsel", designation: str = "CONFIDENTIAL",
               audience: str = "all", **fields: str) -> Any:
        """POST a document; returns the raw response (tests check refusals too)."""
        data = {"designation": designation, "audience": audience, **fields}
        return self.client.post(f"/api/v1/cases/{room.id}/documents",
                                headers=room.users[by].headers, data=data,
                                files={"file": (filename, content, "application/octet-stream")})

    def document(self, room: Room, content: bytes, **kw: Any) -> dict:
        r = self.upload(room, content, **kw)
        assert r.status_code == 201, r.text
        return r.json()

    def download(self, room: Room, doc_id: str, by: str) -> Any:
        return self.client.get(f"/api/v1/cases/{room.id}/documents/{doc_id}/content",
                               headers=room.users[by].headers)
