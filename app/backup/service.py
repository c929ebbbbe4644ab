"""Taking a backup, restoring one, and forgetting destroyed cases' keys in one.

Order of a backup: the database dump (one snapshot), then the key material of the cases
live in that snapshot, then the blobs its document versions name; the manifests last. A
case destroyed meanwhile makes the backup fail (run it again) rather than leave a live
case without keys or blobs.

Order of a restore: both manifests and every digest, the certificates, the master key on
every case key file, and the emptiness of the target database, blob store and key store
are all checked before anything is written. Then the instance keys, the blobs, the
database (one transaction) and the key store (one atomic write); if a step fails, what the
earlier ones wrote is removed again, so a failed restore leaves the target as it found it.

Destroyed cases. A backup taken before a case was destroyed holds that case's keys (sealed
under the master key). The case stays destroyed in a restore when its destruction
certificate is given to ``restore --destroyed``, or was given earlier to ``backup-forget``,
which deletes the case's key file from the backup; the restore then re-applies the
destruction (content erased, no blob copied, no key restored, the certificate kept and a
``case.destroy`` event logged) and never brings the case back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from app.backup import dump, keymaterial
from app.backup.manifest import (
    BackupError,
    chunks,
    listing,
    private_writer,
    read_manifest,
    verify,
    write_manifest,
)
from app.blobs import BlobKey, BlobStore
from app.config import Settings
from app.db import BEGIN_OPTION, make_engine
from app.keyfiles import AUDIT_KEY_FILE
from app.models.base import utcnow

DATA, KEYS = "settleroom-backup-data", "settleroom-backup-keys"
DB_DIR, BLOB_DIR = "database", "blobs"


def default_keys_dir(data_dir: Path) -> Path:
    return data_dir / "keys"


def _empty_folder(folder: Path) -> None:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty; back up into a new folder")


def backup(settings: Settings, provider: Any, store: BlobStore, hmac_key: bytes,
           master_key: bytes | None, to: Path, keys_to: Path) -> dict[str, Any]:
    from app.models.cases import Case
    from app.models.documents import DocumentVersion

    if keys_to == to or to.is_relative_to(keys_to):
        raise BackupError("--keys-to must be a folder of its own, not the data folder or "
                          "one that holds it")
    _empty_folder(to)
    _empty_folder(keys_to)
    backup_id, created = str(uuid.uuid4()), utcnow().isoformat()
    engine = make_engine(settings.resolved_database_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            else:
                conn = conn.execution_options(**{BEGIN_OPTION: "DEFERRED"})
            with conn.begin():
                revisions = sorted(conn.execute(
                    text("SELECT version_num FROM alembic_version")).scalars())
                files, rows = {}, 0
                for n, table in enumerate(dump.tables()):
                    name = f"{DB_DIR}/{n:03d}-{table.name}.jsonl"
                    rows += dump.dump_table(conn, table, to / name)
                    files[table.name] = name
                counters = dump.read_counters(conn)
                cases = conn.execute(select(Case.id, Case.destroyed_at)).all()
                versions = conn.execute(
                    select(DocumentVersion.case_id, DocumentVersion.id)
                    .join(Case, Case.id == DocumentVersion.case_id)
                    .where(Case.destroyed_at.is_(None))).all()
    finally:
        engine.dispose()
    live = {str(c) for c, gone in cases if gone is None}
    destroyed = {str(c) for c, gone in cases if gone is not None}
    key_doc = keymaterial.export_cases(provider, master_key, keys_to, live=live,
                                       destroyed=destroyed)
    key_doc.update(keymaterial.export_instance(settings, keys_to, hmac_key))
    blobs = 0
    for case_id, version_id in versions:
        _copy_blob_out(store, provider, BlobKey(case_id, str(version_id)), to)
        blobs += 1
    exclude = keys_to if keys_to.is_relative_to(to) else None
    write_manifest(keys_to, {"kind": KEYS, "backup_id": backup_id, "created_at": created,
                             "files": listing(keys_to), "forgotten": {}, **key_doc})
    write_manifest(to, {"kind": DATA, "backup_id": backup_id, "created_at": created,
                        "alembic_revisions": revisions, "dialect": engine.dialect.name,
                        "tables": files, "counters": counters,
                        "files": listing(to, exclude=exclude)})
    return {"rows": rows, "blobs": blobs, "cases": len(live), "destroyed": len(destroyed)}


def _copy_blob_out(store: BlobStore, provider: Any, key: BlobKey, to: Path) -> None:
    try:
        with store.reader(key) as src, private_writer(
                to / BLOB_DIR / str(key.case_id) / key.name) as dst:
            for chunk in chunks(src):
                dst.write(chunk)
    except FileNotFoundError:
        if not provider.has_keys(str(key.case_id)):
            raise BackupError(f"case {key.case_id} was destroyed while the backup ran; "
                              "run the backup again") from None
        raise BackupError(f"the blob of document version {key.name} (case {key.case_id}) "
                          "is missing from the store; the instance is damaged") from None


def certificates(paths: Iterable[Path], audit_pem: bytes) -> dict[str, dict[str, Any]]:
    """Destruction certificates checked against the backup's own audit key, by case id."""
    from app.cases.certificate import CertificateError, verify_certificate
    from crypto import signing

    public = signing.public_key_to_pem(signing.load_private_key_pem(audit_pem).public_key())
    found = {}
    for path in paths:
        try:
            data = path.read_bytes()
            payload = verify_certificate(data, public)
        except (CertificateError, OSError) as exc:
            raise BackupError(f"{path}: not a destruction certificate of this instance "
                              f"({exc})") from None
        doc = json.loads(data)
        found[str(payload["case_id"])] = {"certificate": doc.get("certificate", doc),
                                          "payload": payload}
    return found


def check_certificates(certs: dict[str, dict[str, Any]], key_doc: dict[str, Any]) -> None:
    for case_id, cert in certs.items():
        meta = key_doc["cases"].get(case_id)
        if meta is None:
            if case_id in key_doc["forgotten"] or case_id in key_doc["destroyed"]:
                continue
            raise BackupError(f"case {case_id} is not a live case of this backup")
        if "fingerprints" in meta and not set(meta["fingerprints"]) <= set(
                cert["payload"]["key_fingerprints"]):
            raise BackupError(f"the certificate of case {case_id} names other keys than "
                              "the backup holds")


def forget(keys_dir: Path, paths: list[Path]) -> list[str]:
    """Delete destroyed cases' key files from a backup's key folder, keeping each
    certificate in its manifest (so a restore re-applies the destruction)."""
    key_doc = read_manifest(keys_dir, KEYS)
    verify(keys_dir, key_doc["files"])
    certs = certificates(paths, (keys_dir / keymaterial.INSTANCE / AUDIT_KEY_FILE).read_bytes())
    check_certificates(certs, key_doc)
    done = []
    for case_id, cert in sorted(certs.items()):
        if case_id not in key_doc["cases"]:
            continue
        key_doc["cases"].pop(case_id)
        name = keymaterial.case_key_file(case_id)
        keymaterial.scrub(keys_dir / name)
        key_doc["files"].pop(name, None)
        key_doc["forgotten"][case_id] = cert["certificate"]
        done.append(case_id)
    write_manifest(keys_dir, key_doc)
    return done


def load_backup(from_dir: Path, keys_from: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    data_doc = read_manifest(from_dir, DATA)
    key_doc = read_manifest(keys_from, KEYS)
    if data_doc["backup_id"] != key_doc["backup_id"]:
        raise BackupError("the key folder belongs to another backup than the data folder")
    verify(from_dir, data_doc["files"],
           exclude=keys_from if keys_from.is_relative_to(from_dir) else None)
    verify(keys_from, key_doc["files"])
    return data_doc, key_doc


def cases_in_dump(data_doc: dict[str, Any], from_dir: Path) -> tuple[set[str], set[str]]:
    """Live and destroyed case ids, read from the dump of ``cases``."""
    path = from_dir / data_doc["tables"]["cases"]
    live, gone = set(), set()
    with path.open("rb") as f:
        names = json.loads(f.readline())["columns"]
        i, d = names.index("id"), names.index("destroyed_at")
        for line in f:
            row = json.loads(line)
            (live if row[d] is None else gone).add(str(uuid.UUID(row[i])))
    return live, gone
