"""``settleroom backup`` / ``restore`` / ``backup-forget``: the drill, on real processes.

A populated instance (two rooms with offers and uploaded documents, an audit log) is
served by ``settleroom serve``; a backup is taken while it runs; then one room is
destroyed, the server stopped and its database, data directory and blobs thrown away. Only
the backup and the master key (kept in escrow, never in a backup) survive. The backup is
restored into a fresh database and a fresh blob store: ``audit verify`` passes, every
document of the surviving room decrypts to the bytes it held and downloads through a new
server, and the room destroyed after the backup stays destroyed because its certificate is
given to ``restore --destroyed`` (or was given to ``backup-forget`` beforehand). Once on
SQLite with local blobs, once on PostgreSQL with an S3 bucket (moto server).
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.documents.storage import open_version
from app.errors import AppError
from app.keyfiles import AUDIT_KEY_FILE, JWT_KEY_FILE
from app.migrate import alembic_config, upgrade
from app.models.cases import Case, CaseDestruction
from app.models.documents import DocumentVersion
from app.runtime import build_services
from crypto.errors import KeyDestroyed
from tests import dbutil
from tests.api.documents.helpers import MARKER, text_doc
from tests.factories import Api, Room
from tests.s3server import S3Server
from tests.serveproc import ServeProcess, admin_api, base_env

# What does not depend on the database or the blob store is checked on SQLite only.
ONCE = pytest.mark.parametrize("drill", ["sqlite-local"], indirect=True)


def settleroom(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "app.cli", *args], env=env, cwd=Path.cwd(),
        capture_output=True, text=True, timeout=600)


def settings_of(env: dict[str, str]) -> Settings:
    return Settings(**{k.removeprefix("SETTLEROOM_").lower(): v  # type: ignore[arg-type]
                       for k, v in env.items() if k.startswith("SETTLEROOM_")})


def plaintexts(settings: Settings) -> dict[str, bytes | str]:
    """Every document version's decrypted bytes, or the problem code it fails with."""
    services = build_services(settings)
    engine = make_engine(settings.resolved_database_url)
    out: dict[str, bytes | str] = {}
    try:
        with make_sessionmaker(engine)() as session:
            for row in session.execute(select(DocumentVersion)).scalars():
                try:
                    out[str(row.id)] = open_version(services.key_provider,
                                                    services.blob_store, row)
                except AppError as exc:
                    out[str(row.id)] = exc.code
    finally:
        engine.dispose()
    return out


def destroy(api: Api, room: Room) -> str:
    """Destroy the room's case; its destruction certificate (the API's answer)."""
    caption = api.client.get(f"/api/v1/cases/{room.id}",
                             headers=room.admin.headers).json()["caption"]
    r = api.client.post(f"/api/v1/cases/{room.id}/destroy", headers=room.admin.headers,
                        json={"confirm_caption": caption})
    assert r.status_code == 200, r.text
    return str(r.text)


@dataclass
class Drill:
    root: Path
    backend: str
    backup: Path
    keys: Path
    certificate: Path
    early: Room  # destroyed before the backup
    kept: Room
    gone: Room
    kept_doc: str
    before: dict[str, bytes | str]
    kek: dict[str, dict[int, bytes]]
    secrets: list[bytes]
    s3: S3Server | None  # restores use new buckets; the live one is abandoned
    stack: ExitStack  # what the module's drill tears down (servers, databases)

    def target(self, name: str) -> dict[str, str]:
        """The environment of a fresh instance: new data directory, database and bucket,
        the same master key (from escrow)."""
        extra: dict[str, object] = {"master_key_file": self.root / "escrow" / "master.key"}
        url = None
        if self.s3 is not None:
            extra.update(self.s3.settings(self.s3.new_bucket()))
        if self.backend == "postgres-s3":
            url = self.stack.enter_context(dbutil.throwaway_pg_database())
        return base_env(self.root / name / "data", url, **extra)


@pytest.fixture(scope="module", params=["sqlite-local", "postgres-s3"])
def drill(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drill]:
    backend = request.param
    if backend == "postgres-s3" and not dbutil.pg_server_url():
        pytest.skip("needs PostgreSQL (SETTLEROOM_TEST_DATABASE_URL)")
    if backend == "sqlite-local" and dbutil.pg_server_url():
        pytest.skip("the SQLite drill runs in the SQLite pass")
    root = tmp_path_factory.mktemp(f"backup-{backend}")
    with ExitStack() as stack:
        s3 = None
        extra: dict[str, object] = {"master_key_file": root / "escrow" / "master.key"}
        url = None
        if backend == "postgres-s3":
            s3 = S3Server()
            s3.start()
            stack.callback(s3.stop)
            extra.update(s3.settings(s3.new_bucket()))
            url = stack.enter_context(dbutil.throwaway_pg_database())
        env = base_env(root / "live" / "data", url, **extra)
        proc = ServeProcess(env, "live")
        stack.callback(proc.stop)
        api = admin_api(proc)
        early, kept, gone = api.http_room(), api.http_room(), api.http_room()
        api.document(early, text_doc("EARLY-GONE-MARKER"))
        destroy(api, early)  # before the backup: nothing of its content may be in it
        kept_doc = api.document(kept, text_doc())["id"]
        api.document(kept, text_doc("SECOND-DOCUMENT") * 20, filename="exhibit.txt")
        api.offer(kept)
        api.document(gone, text_doc("GONE-ROOM-MARKER"))
        api.offer(gone)
        backup, keys = root / "backup", root / "backup-keys"
        done = settleroom(env, "backup", "--to", str(backup), "--keys-to", str(keys))
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("ok: "), done.stdout
        live = settings_of(env)
        before = plaintexts(live)
        kek, _ = build_services(live).key_provider.export_state()  # type: ignore[attr-defined]
        data_dir = root / "live" / "data"
        secrets = [(data_dir / n).read_bytes() for n in (JWT_KEY_FILE, AUDIT_KEY_FILE)]
        certificate = root / "certificate.json"
        certificate.write_text(destroy(api, gone))
        api.client.close()
        proc.stop()
        # The disaster: the instance is gone but for the backup and the escrowed master key.
        shutil.rmtree(root / "live")
        yield Drill(root, backend, backup, keys, certificate, early, kept, gone, kept_doc,
                    before, kek, secrets, s3, stack)


def restored(drill: Drill, name: str, *args: str) -> dict[str, str]:
    env = drill.target(name)
    done = settleroom(env, "restore", "--from", str(drill.backup), *args)
    assert done.returncode == 0, done.stderr
    return env


def test_the_drill_restores_everything_and_the_room_destroyed_since_stays_destroyed(
        drill: Drill) -> None:
    env = restored(drill, "restored", "--keys-from", str(drill.keys),
                   "--destroyed", str(drill.certificate))
    verify = settleroom(env, "audit", "verify", "--deep")
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.startswith("ok: "), verify.stdout

    settings = settings_of(env)
    after = plaintexts(settings)
    engine = make_engine(settings.resolved_database_url)
    with make_sessionmaker(engine)() as session:
        version_case = dict(session.execute(select(DocumentVersion.id, DocumentVersion.case_id)
                                            ).all())
        destroyed = session.execute(select(Case.destroyed_at).where(
            Case.id == uuid.UUID(drill.gone.id))).scalar_one()
        certificate = session.get(CaseDestruction, uuid.UUID(drill.gone.id))
        logged = session.execute(text(
            "SELECT count(*) FROM audit_events WHERE action = 'case.destroy'")).scalar_one()
    engine.dispose()
    kept = {v for v, c in version_case.items() if str(c) == drill.kept.id}
    assert len(kept) == 2
    for version in kept:
        assert after[str(version)] == drill.before[str(version)]
        assert isinstance(after[str(version)], bytes)
    gone = [str(v) for v, c in version_case.items() if str(c) == drill.gone.id]
    assert gone and all(isinstance(drill.before[v], bytes) for v in gone)
    assert all(after[v] in ("case_destroyed", "integrity_failure") for v in gone)
    # The live log's destruction of the early room, and the re-applied one of the other.
    assert destroyed is not None and certificate is not None and logged == 2
    provider = build_services(settings).key_provider
    assert provider.has_keys(drill.kept.id)
    for room in (drill.early, drill.gone):
        assert not provider.has_keys(room.id)
        with pytest.raises(KeyDestroyed):  # a tombstone, not a case never heard of
            provider.versions(room.id)
    assert {str(e.key.case_id) for e in build_services(settings).blob_store.entries()} == {
        drill.kept.id}

    proc = ServeProcess(env, "restored")
    try:
        api = admin_api(proc)
        r = api.download(drill.kept, drill.kept_doc, "defense_counsel")  # its old token
        assert r.status_code == 200, r.text
        assert MARKER.encode() in r.content
        r = api.client.get(f"/api/v1/cases/{drill.gone.id}/documents",
                           headers=drill.gone.users["plaintiff_counsel"].headers)
        assert r.status_code in (404, 410), r.text
        api.client.close()
    finally:
        proc.stop()


@ONCE
def test_forgetting_the_destroyed_room_in_the_backup_keeps_it_destroyed_in_any_restore(
        drill: Drill) -> None:
    keys = drill.root / "forgotten-keys"
    shutil.copytree(drill.keys, keys)
    done = settleroom(drill.target("forget"), "backup-forget", "--keys", str(keys),
                      str(drill.certificate))
    assert done.returncode == 0, done.stderr
    assert not (keys / "cases" / f"{drill.gone.id}.key").exists()
    assert (keys / "cases" / f"{drill.kept.id}.key").exists()
    gone_keys = drill.kek[drill.gone.id].values()
    for path in keys.rglob("*"):
        if path.is_file():
            assert not any(k in path.read_bytes() for k in gone_keys)

    env = restored(drill, "after-forget", "--keys-from", str(keys))  # no certificate given
    after = plaintexts(settings_of(env))
    assert sorted(v for v in after.values() if isinstance(v, bytes)) == sorted(
        v for k, v in drill.before.items() if isinstance(v, bytes) and b"GONE-ROOM" not in v)
    assert settleroom(env, "audit", "verify").returncode == 0


@ONCE
def test_without_the_certificate_a_restore_brings_the_destroyed_room_back(
        drill: Drill) -> None:
    """What the README warns: the backup holds the room's keys until they are forgotten."""
    env = restored(drill, "unwarned", "--keys-from", str(drill.keys))
    after = plaintexts(settings_of(env))
    assert after == drill.before


def test_a_case_destroyed_before_the_backup_is_not_in_it(drill: Drill) -> None:
    assert not (drill.backup / "blobs" / drill.early.id).exists()
    assert not (drill.keys / "cases" / f"{drill.early.id}.key").exists()
    manifest = json.loads((drill.keys / "manifest.json").read_text())
    assert drill.early.id in manifest["destroyed"] and drill.early.id not in manifest["cases"]
    assert not any(b"EARLY-GONE" in p.read_bytes() for p in drill.backup.rglob("*")
                   if p.is_file())


def test_key_material_is_never_in_a_data_file(drill: Drill) -> None:
    data_files = [p for p in drill.backup.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".jsonl") for p in data_files)
    needles = [k for keys in drill.kek.values() for k in keys.values()]
    needles += [base64.b64encode(k) for k in needles]
    needles += drill.secrets
    needles += [s.split(b"\n")[1] for s in drill.secrets]  # a PEM's first base64 line
    for path in data_files:
        content = path.read_bytes()
        assert not any(n in content for n in needles), path
    manifest = json.loads((drill.backup / "manifest.json").read_text())
    assert all(not name.startswith("keys") for name in manifest["files"])
    sealed = [p.read_bytes() for p in (drill.keys / "cases").iterdir()]
    assert len(sealed) == 2
    assert not any(k in s for k in needles[:len(needles) // 2] for s in sealed)


def _damaged(drill: Drill, name: str, damage) -> Path:  # noqa: ANN001
    copy = drill.root / name
    shutil.copytree(drill.backup, copy)
    damage(copy)
    return copy


def _nothing_written(env: dict[str, str]) -> None:
    settings = settings_of(env)
    data_dir = settings.data_dir
    if settings.database_url is None and not (data_dir / "settleroom.db").exists():
        return  # refused before even the data directory was made
    assert not (data_dir / "blobs").exists() or not any((data_dir / "blobs").rglob("*"))
    assert not (data_dir / "keys" / "kek.json").exists()
    assert not (data_dir / JWT_KEY_FILE).exists()
    engine = make_engine(settings.resolved_database_url)
    with engine.connect() as conn:
        tables = set(conn.dialect.get_table_names(conn))
        if "users" in tables:
            assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == 0
    engine.dispose()


def _flip_blob(root: Path) -> None:
    blob = next(p for p in (root / "blobs").rglob("*") if p.is_file())
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 1
    blob.write_bytes(bytes(data))


def _truncate_dump(root: Path) -> None:
    dump = next(p for p in (root / "database").iterdir() if "audit_events" in p.name)
    dump.write_bytes(dump.read_bytes()[:-40])


@ONCE
@pytest.mark.parametrize("damage", [_flip_blob, _truncate_dump,
                                    lambda root: (root / "manifest.json").unlink()],
                         ids=["flipped-blob-byte", "truncated-dump", "no-manifest"])
def test_a_damaged_backup_is_refused_and_nothing_is_restored(drill: Drill, damage) -> None:  # noqa: ANN001
    copy = _damaged(drill, f"damaged-{damage.__name__}", damage)
    env = drill.target(f"refused-{damage.__name__}")
    done = settleroom(env, "restore", "--from", str(copy), "--keys-from", str(drill.keys))
    assert done.returncode == 1
    assert "nothing was restored" in done.stderr
    _nothing_written(env)


@ONCE
def test_another_master_key_is_refused_before_anything_is_written(drill: Drill) -> None:
    env = drill.target("wrong-master")
    other = drill.root / "other-escrow" / "master.key"
    other.parent.mkdir(mode=0o700)
    other.write_bytes(base64.b64encode(b"\x01" * 32) + b"\n")
    other.chmod(0o600)
    env["SETTLEROOM_MASTER_KEY_FILE"] = str(other)
    done = settleroom(env, "restore", "--from", str(drill.backup), "--keys-from",
                      str(drill.keys))
    assert done.returncode == 1 and "master key" in done.stderr, done.stderr
    _nothing_written(env)
    env["SETTLEROOM_MASTER_KEY_FILE"] = str(drill.root / "nowhere" / "master.key")
    done = settleroom(env, "restore", "--from", str(drill.backup), "--keys-from",
                      str(drill.keys))
    assert done.returncode == 1 and "escrow" in done.stderr, done.stderr
    assert not (drill.root / "nowhere").exists()


@ONCE
def test_a_target_that_is_not_empty_is_refused(drill: Drill) -> None:
    env = restored(drill, "twice", "--keys-from", str(drill.keys))
    done = settleroom(env, "restore", "--from", str(drill.backup), "--keys-from",
                      str(drill.keys))
    assert done.returncode == 1 and "not empty" in done.stderr, done.stderr
    assert settleroom(env, "audit", "verify").returncode == 0


@ONCE
def test_a_forged_certificate_is_refused(drill: Drill, tmp_path: Path) -> None:
    forged = json.loads(drill.certificate.read_text())
    forged["certificate"]["case_id"] = drill.kept.id
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    done = settleroom(drill.target("forged"), "restore", "--from", str(drill.backup),
                      "--keys-from", str(drill.keys), "--destroyed", str(path))
    assert done.returncode == 1 and "not a destruction certificate" in done.stderr


@ONCE
def test_a_target_database_at_another_revision_is_refused(drill: Drill) -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    previous = script.get_revision(script.get_current_head()).down_revision
    env = drill.target("old-schema")
    settings = settings_of(env)
    settings.data_dir.mkdir(parents=True, mode=0o700)
    upgrade(settings.resolved_database_url, str(previous))
    done = settleroom(env, "restore", "--from", str(drill.backup), "--keys-from",
                      str(drill.keys))
    assert done.returncode == 1 and "the target database is at revision" in done.stderr, (
        done.stderr)
    _nothing_written(env)


@ONCE
def test_a_backup_of_another_schema_revision_is_refused(drill: Drill) -> None:
    def older(root: Path) -> None:
        manifest = json.loads((root / "manifest.json").read_text())
        manifest["alembic_revisions"] = ["0001"]
        (root / "manifest.json").write_text(json.dumps(manifest))

    copy = _damaged(drill, "older-schema", older)
    env = drill.target("newer-code")
    done = settleroom(env, "restore", "--from", str(copy), "--keys-from", str(drill.keys))
    assert done.returncode == 1 and "the backup is of schema revision 0001" in done.stderr
    _nothing_written(env)


@ONCE
def test_key_material_in_the_data_folder_itself_is_refused(drill: Drill) -> None:
    folder = drill.root / "one-folder"
    done = settleroom(drill.target("one-folder-instance"), "backup", "--to", str(folder),
                      "--keys-to", str(folder))
    assert done.returncode == 1 and "a folder of its own" in done.stderr, done.stderr
    assert not folder.exists() or not any(folder.iterdir())
