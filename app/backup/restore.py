"""Restoring a backup into a fresh instance (see ``app.backup.service`` for the order and
the promise about destroyed cases)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from app.backup import dump, keymaterial
from app.backup.manifest import BackupError, chunks
from app.backup.service import (
    BLOB_DIR,
    cases_in_dump,
    certificates,
    check_certificates,
    load_backup,
)
from app.blobs import BlobKey, BlobStore, blob_store_from_settings
from app.blobs.base import TEMP_PREFIX
from app.config import Settings
from app.db import make_engine, make_sessionmaker
from app.keyfiles import AUDIT_KEY_FILE, ensure_data_dir
from app.migrate import database_revisions, script_heads, upgrade
from crypto.errors import KeyProviderError
from crypto.keys import KeyProvider, LocalKeyProvider
from crypto.providers import provider_from_settings


@dataclass
class _Written:
    """What a failed restore must take back."""

    files: list[Path] = field(default_factory=list)
    blobs: list[BlobKey] = field(default_factory=list)
    key_file: Path | None = None

    def undo(self, store: BlobStore) -> None:
        for key in self.blobs:
            store.delete(key)
        for path in [*self.files, *([self.key_file] if self.key_file else [])]:
            keymaterial.scrub(path)


def _provider(settings: Settings, key_doc: dict[str, Any]) -> tuple[KeyProvider, bytes | None]:
    if key_doc["provider"] != settings.key_provider:
        raise BackupError(f"the backup's keys are for the {key_doc['provider']} key provider; "
                          f"this instance uses {settings.key_provider}")
    master = keymaterial.target_master_key(settings) if settings.key_provider == "local" else None
    try:
        provider = provider_from_settings(
            settings.key_provider, settings.data_dir, master_key=master,
            key_file=settings.key_store_file, pkcs11_library=settings.pkcs11_library,
            pkcs11_token_label=settings.pkcs11_token_label, pkcs11_pin=settings.pkcs11_pin)
    except KeyProviderError as exc:
        raise BackupError(f"the key store: {exc}") from None
    return provider, master


def _key_file(settings: Settings) -> Path:
    return settings.key_store_file or settings.data_dir / "keys" / "kek.json"


def _reapply(session: Session, destroyed: dict[str, dict[str, Any]]) -> None:
    """The destruction of each case, as ``app.cases.destruction`` did it on the live
    instance: sealed values erased, the case marked, the certificate kept, the event logged."""
    from app.audit.service import record
    from app.models.cases import Case, CaseDestruction
    from app.sealing import KEYED_TABLES, SEALED_COLUMNS

    for case_id, cert in sorted(destroyed.items()):
        cid = uuid.UUID(case_id)
        payload = cert["payload"]
        when = datetime.fromisoformat(payload["destroyed_at"].replace("Z", "+00:00"))
        for col in SEALED_COLUMNS:
            session.execute(update(col.model).where(col.model.case_id == cid)
                            .values({col.column: b""}))
        for model in KEYED_TABLES:
            session.execute(delete(model).where(model.case_id == cid))
        session.execute(update(Case).where(Case.id == cid).values(destroyed_at=when))
        session.add(CaseDestruction(case_id=cid, destroyed_at=when,
                                    certificate=cert["certificate"]))
        record(session, None, "case.destroy", "case", cid,
               {"fingerprints": sorted(payload["key_fingerprints"])}, case_id=cid)


def restore(settings: Settings, from_dir: Path, keys_from: Path,
            destroyed_certs: list[Path]) -> dict[str, Any]:
    import app.models  # noqa: F401 - every table, and every sealed column, registered
    from app.audit.log import LogSigner
    from app.audit.sequencer import head_covering_all
    from crypto import signing

    data_doc, key_doc = load_backup(from_dir, keys_from)
    audit_pem = (keys_from / keymaterial.INSTANCE / AUDIT_KEY_FILE).read_bytes()
    given = certificates(destroyed_certs, audit_pem)
    check_certificates(given, key_doc)
    live, _gone = cases_in_dump(data_doc, from_dir)
    forgotten = _certificates_from_manifest(key_doc, audit_pem)
    reapply = {c: cert for c, cert in {**forgotten, **given}.items() if c in live}
    for case_id in sorted(live - set(reapply)):
        if case_id not in key_doc["cases"]:
            raise BackupError(f"case {case_id} has no key material in this backup and no "
                              "destruction certificate; the backup is incomplete")
    ensure_data_dir(settings.data_dir)
    provider, master = _provider(settings, key_doc)
    cases = _check_key_store(provider, master, keys_from, key_doc, set(reapply))
    env_hmac = settings.secret_key.get_secret_value().encode() if settings.secret_key else None
    instance = keymaterial.check_instance_target(settings, keys_from, key_doc, env_hmac)
    store = blob_store_from_settings(settings)
    if any(not e.key.name.startswith(TEMP_PREFIX) for e in store.entries()):
        raise BackupError("the target blob store is not empty; restore into a new bucket "
                          "or data directory")
    url = settings.resolved_database_url
    revisions = frozenset(data_doc["alembic_revisions"])
    heads = script_heads()
    if heads is not None and revisions != heads:
        raise BackupError(f"the backup is of schema revision {', '.join(sorted(revisions))}, "
                          f"this settleroom's is {', '.join(sorted(heads))}: restore it with "
                          "the settleroom version that took it, then upgrade")
    present = database_revisions(url)
    if present and present != revisions:
        raise BackupError(f"the target database is at revision {', '.join(sorted(present))}, "
                          f"the backup at {', '.join(sorted(revisions))}; restore into a new, "
                          "empty database")
    if not present:
        upgrade(url)
    written = _Written()
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            dump.check_empty(session.connection())
            keymaterial.write_instance(instance)
            written.files = [path for path, _ in instance]
            blobs = _restore_blobs(store, from_dir, set(reapply), written)
            rows = dump.load(session.connection(), from_dir, data_doc["tables"])
            dump.restore_counters(session.connection(), data_doc["counters"])
            if reapply:
                _reapply(session, reapply)
                signer = LogSigner(signing.load_private_key_pem(audit_pem),
                                   settings.log_origin, settings.tree_head_interval_seconds)
                head_covering_all(session, signer)
            _install_keys(provider, settings, key_doc, cases, reapply, written)
    except BaseException:
        written.undo(store)
        raise
    finally:
        engine.dispose()
    return {"rows": rows, "blobs": blobs, "cases": len(live - set(reapply)),
            "reapplied": sorted(reapply)}


def _certificates_from_manifest(key_doc: dict[str, Any],
                                audit_pem: bytes) -> dict[str, dict[str, Any]]:
    """The certificates ``backup-forget`` recorded, checked again (the manifest is only
    protected by its digests)."""
    import json

    from app.cases.certificate import CertificateError, verify_certificate
    from crypto import signing

    public = signing.public_key_to_pem(signing.load_private_key_pem(audit_pem).public_key())
    found = {}
    for case_id, cert in key_doc["forgotten"].items():
        try:
            payload = verify_certificate(json.dumps(cert).encode(), public)
        except CertificateError:
            raise BackupError(f"the recorded certificate of case {case_id} does not "
                              "verify") from None
        if payload["case_id"] != case_id:
            raise BackupError(f"the recorded certificate of case {case_id} names another case")
        found[case_id] = {"certificate": cert, "payload": payload}
    return found


def _check_key_store(provider: KeyProvider, master: bytes | None, keys_from: Path,
                     key_doc: dict[str, Any], skip: set[str]) -> dict[str, dict[int, bytes]]:
    if isinstance(provider, LocalKeyProvider):
        assert master is not None
        cases = keymaterial.open_cases(keys_from, key_doc, master, skip)
        held, tombstones = provider.export_state()
        if held or tombstones:
            raise BackupError("the target key store is not empty; restore into a fresh one")
        return cases
    for case_id, meta in key_doc["cases"].items():
        if case_id in skip:
            continue
        if not provider.has_keys(case_id) or not set(meta["versions"]) <= set(
                provider.versions(case_id)):
            raise BackupError(f"the PKCS#11 token lacks key versions of case {case_id}; "
                              "restore against the token the instance used")
    return {}


def _install_keys(provider: KeyProvider, settings: Settings, key_doc: dict[str, Any],
                  cases: dict[str, dict[int, bytes]], reapply: dict[str, dict[str, Any]],
                  written: _Written) -> None:
    if isinstance(provider, LocalKeyProvider):
        tombstones = dict(key_doc["destroyed"])
        tombstones.update({c: sorted(cert["payload"]["key_fingerprints"])
                           for c, cert in reapply.items()})
        written.key_file = _key_file(settings)
        provider.import_state(cases, tombstones)
        return
    for case_id in reapply:  # the token is the live one: normally already destroyed there
        if provider.has_keys(case_id):
            provider.destroy_case(case_id)


def _restore_blobs(store: BlobStore, from_dir: Path, skip: set[str],
                   written: _Written) -> int:
    count = 0
    root = from_dir / BLOB_DIR
    for path in sorted(root.glob("*/*")) if root.exists() else ():
        if path.parent.name in skip:
            continue
        key = BlobKey(uuid.UUID(path.parent.name), path.name)
        with path.open("rb") as src, store.writer(key) as dst:
            for chunk in chunks(src):
                dst.write(chunk)
        written.blobs.append(key)
        count += 1
    return count
