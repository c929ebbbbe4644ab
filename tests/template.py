"""The standard room, built once per session into the template database and its data dir.

Most API tests start from the same room: a platform admin, a case with three parties and
one account per role (``Api.room``). Building it through HTTP took about thirty requests
per test. Here it is built once, through the same service functions the routers call, so
its rows, its case key and its audit events are the ones the HTTP path leaves; every test
then copies the template (SQLite) or gets its rows back after the truncation that ends
the previous test (PostgreSQL, ``dbutil.reset_pg``).

The data directory travels with the database: the case key lives in its key file and the
audit tree heads are signed with its Ed25519 key, so a test's data dir starts as a copy.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import delete

from app.auth.service import bootstrap_admin, create_user, login
from app.authz.permissions import Role
from app.authz.policy import Membership
from app.cases.schemas import CaseCreate, PartyCreate
from app.cases.service import add_party, create_case
from app.config import Settings
from app.context import CaseContext, Principal
from app.db import transaction
from app.keyfiles import default_master_key_path
from app.main import configure
from app.models.notifications import MailOutbox, Notification
from app.seats.schemas import SeatCreate
from app.seats.service import seat_member
from tests import dbutil

PASSWORD = "correct horse battery staple"
ADMIN_EMAIL = "admin@example.com"
# What TestClient reports as the client address; the HTTP path records it.
CLIENT_ADDRESS = "testclient"
CASE = {"caption": "Doe v. Acme Corp.", "court": "N.D. Cal.", "court_state": "CA",
        "docket_number": "3:25-cv-01234"}
PARTIES = [("plaintiff", "Jane Doe", "plaintiff", True),
           ("defendant", "Acme Corp.", "defendant", True),
           ("defendant2", "Rich Roe", "defendant", False)]
# (label, role, party label): the members after the room admin, in the order they join.
MEMBERS = [
    ("plaintiff_counsel", Role.COUNSEL, "plaintiff"),
    ("plaintiff_client", Role.CLIENT, "plaintiff"),
    ("defense_counsel", Role.COUNSEL, "defendant"),
    ("defense_client", Role.CLIENT, "defendant"),
    ("pro_se", Role.PRO_SE, "defendant2"),
    ("neutral", Role.NEUTRAL, None),
    ("auditor", Role.AUDITOR, None),
]


@dataclass(frozen=True)
class SeedUser:
    id: str
    email: str
    refresh_token: str
    generation: int = 0


@dataclass
class Seed:
    """Ids and credentials of what the template holds; access tokens are minted per test."""

    platform_admin: SeedUser
    room_id: str
    parties: dict[str, str] = field(default_factory=dict)
    users: dict[str, SeedUser] = field(default_factory=dict)


@dataclass(frozen=True)
class Template:
    """A migrated database holding the standard room, and the data dir that goes with it.

    ``db`` is a SQLite file path or a PostgreSQL URL (the fixtures' ``_template_db``)."""

    db: str
    data_dir: Path
    seed: Seed

    @property
    def url(self) -> str:
        """``db`` as an engine's URL (a SQLite file as ``sqlite:///...``)."""
        return self.db if "://" in self.db else dbutil.sqlite_url(Path(self.db))


def copy_data_dir(source: Path, dest: Path) -> Path:
    """A private copy of ``source`` (modes kept: the key file must stay 0600), with the
    master key kept beside it (outside the data dir, where the embedded default keeps it)."""
    shutil.copytree(source, dest, dirs_exist_ok=True)
    master = default_master_key_path(source)
    if master.exists():
        shutil.copy2(master, default_master_key_path(dest))
    return dest


def build_standard_room(settings: Settings) -> Seed:
    """Create, in the database and data dir of ``settings``, what ``Api.room`` used to
    create through HTTP, in the same order and through the same services, one transaction
    per request as the HTTP path had."""
    app = FastAPI()
    configure(app, settings)
    svc, factory = app.state.services, app.state.sessionmaker
    app.state.sequencer.start()  # as the app's lifespan does: events reach the log
    try:
        with transaction(factory) as session:
            admin = bootstrap_admin(session, svc.passwords, email=ADMIN_EMAIL,
                                    name="Platform Admin", password=PASSWORD)
        assert admin is not None, "the template database must start empty"
        admin_principal = Principal(admin.id, admin.email, admin.name, True, CLIENT_ADDRESS)

        def signed_in(user_id: uuid.UUID, email: str) -> SeedUser:
            with transaction(factory) as session:
                pair = login(session, svc, email=email, password=PASSWORD, otp=None,
                             client_address=CLIENT_ADDRESS)
            return SeedUser(str(user_id), email, pair.refresh_token)

        def account(label: str) -> tuple[Principal, SeedUser]:
            # Addresses and names shaped like those of Api.user; pages show them. Like
            # the accounts Api.user makes, their owners have chosen their own password.
            slug = label.replace("_", "-")
            with transaction(factory) as session:
                made = create_user(session, admin_principal, svc.passwords,
                                   email=f"{slug}-0-seeded@example.com", name=slug.title(),
                                   password=PASSWORD, must_change_password=False)
            principal = Principal(made.id, made.email, made.name, False, CLIENT_ADDRESS)
            return principal, signed_in(made.id, made.email)

        seed_admin = signed_in(admin.id, admin.email)
        owner, owner_seed = account("room_admin")
        with transaction(factory) as session:
            case = create_case(session, owner, svc.key_provider, data=CaseCreate(**CASE))
        seed = Seed(platform_admin=seed_admin, room_id=str(case.id))
        seed.users["room_admin"] = owner_seed
        ctx = CaseContext(owner, case.id, frozenset({Membership(Role.ROOM_ADMIN, None)}))
        for label, name, side, represented in PARTIES:
            with transaction(factory) as session:
                party = add_party(session, ctx, data=PartyCreate(
                    name=name, side=side, represented=represented))
            seed.parties[label] = str(party.id)
        for label, role, party_label in MEMBERS:
            principal, user_seed = account(label)
            party_id = uuid.UUID(seed.parties[party_label]) if party_label else None
            # Seated by the platform admin (the operator's bootstrap), as the conflict
            # rules allow; invitations are what rooms use after that (tests/api/seats).
            with transaction(factory) as session:
                seat_member(session, admin_principal, svc, case_id=case.id, data=SeatCreate(
                    user_id=principal.user_id, role=role, party_id=party_id))
            seed.users[label] = user_seed
        seed.users["outsider"] = account("outsider")[1]
        with transaction(factory) as session:
            # The seating notices of the bootstrap are left out of the template: tests
            # count the notices and mails of what they do themselves.
            session.execute(delete(MailOutbox))
            session.execute(delete(Notification))
        return seed
    finally:
        app.state.sequencer.stop()
        app.state.engine.dispose()
