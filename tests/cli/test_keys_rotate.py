"""``settleroom keys rotate``: a new KEK version, every sealed value rewrapped without
re-encryption, and a run killed midway resumes to completion."""

from __future__ import annotations

import contextlib
import uuid

import pytest
from sqlalchemy import LargeBinary, String, Uuid, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app import keys_rotation
from app.sealing import SEALED_COLUMNS, SealedColumn, open_bytes, seal_bytes
from crypto import envelope
from tests.conftest import make_settings


class _Base(DeclarativeBase):
    pass


class Probe(_Base):
    """A stand-in for any table with a sealed column."""

    __tablename__ = "test_rotation_probes"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    label: Mapped[str] = mapped_column(String(20))
    blob: Mapped[bytes] = mapped_column(LargeBinary)


PROBE = SealedColumn(Probe, "blob", "probe", lambda r: r.case_id, lambda r: r.id, lambda r: 1)


@pytest.fixture
def probes(api, app):
    _Base.metadata.create_all(app.state.engine)
    SEALED_COLUMNS.append(PROBE)
    provider = app.state.services.key_provider
    case_id = uuid.UUID(api.case())
    with app.state.sessionmaker.begin() as session:
        for i in range(7):
            pid = uuid.uuid4()
            session.add(Probe(id=pid, case_id=case_id, label=f"p{i}", blob=seal_bytes(
                provider, case_id=case_id, object_type="probe", object_id=pid,
                plaintext=f"secret {i}".encode())))
    yield case_id
    SEALED_COLUMNS.remove(PROBE)
    with app.state.engine.begin() as conn:
        _Base.metadata.drop_all(conn)


@contextlib.contextmanager
def quiet(total, label):
    class Bar:
        def update(self, n):
            pass
    yield Bar()


def rows(app):
    with app.state.sessionmaker() as s:
        return list(s.execute(select(Probe).order_by(Probe.label)).scalars())


def settings_of(app):
    s = app.state.settings
    return make_settings(s.data_dir, s.database_url)


def test_rotation_rewraps_every_value_without_reencrypting(app, probes):
    before = {r.id: r.blob for r in rows(app)}
    done = keys_rotation.rotate(settings_of(app), app.state.sessionmaker,
                                case_id=str(probes), progress=quiet)
    assert done == 1
    provider = app.state.services.key_provider
    assert provider.current_version(str(probes)) == 2
    for r in rows(app):
        info = envelope.header_info(r.blob)
        assert (info.content_kek_version, info.wrap_kek_version) == (1, 2)
        # The content part is untouched: only the header's wrapped key changed.
        tail = len("secret 0") + 12 + 16  # nonce, ciphertext, tag
        assert r.blob[-tail:] == before[r.id][-tail:]
        assert r.blob[:-tail] != before[r.id][:-tail]
        assert open_bytes(provider, r.blob, case_id=probes, object_type="probe",
                          object_id=r.id) == f"secret {r.label[1:]}".encode()


def test_a_killed_rotation_resumes_with_the_same_target(app, probes, monkeypatch):
    monkeypatch.setattr(keys_rotation, "BATCH", 3)
    real = envelope.rewrap
    calls = {"n": 0}

    def dying(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt  # killed in the middle of the second batch
        return real(*args, **kwargs)

    monkeypatch.setattr(envelope, "rewrap", dying)
    with pytest.raises(KeyboardInterrupt):
        keys_rotation.rotate(settings_of(app), app.state.sessionmaker, case_id=str(probes),
                             progress=quiet)
    versions = sorted(envelope.header_info(r.blob).wrap_kek_version for r in rows(app))
    assert versions == [1, 1, 1, 1, 2, 2, 2]  # the first batch committed, the second not
    monkeypatch.setattr(envelope, "rewrap", real)
    keys_rotation.rotate(settings_of(app), app.state.sessionmaker, case_id=str(probes),
                         progress=quiet)
    provider = app.state.services.key_provider
    assert provider.current_version(str(probes)) == 2  # resumed, not rotated again
    assert {envelope.header_info(r.blob).wrap_kek_version for r in rows(app)} == {2}
