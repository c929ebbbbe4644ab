"""The ciphertext of document versions in the blob store (``app.blobs``), named
``<case_id>/<version_id>``.

Invariants: only ciphertext is ever written (``seal_stream`` into the store's writer);
a version row is inserted after its blob is stored whole. A request that fails after the
blob was stored leaves an orphan blob, never a row without a blob; ``sweep_orphans``
removes such blobs (and stale temp files) once they are older than a grace period, so it
never races an upload still in flight. A store that cannot be reached refuses with 503
``blob_store_unavailable`` before any row is written.
"""

from __future__ import annotations

import time
import uuid
from io import BytesIO
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.blobs import BlobEntry, BlobKey, BlobStore
from app.kernel.originals import Originals
from app.models.cases import Case
from app.models.documents import CONTENT_OBJECT_TYPE, DocumentVersion
from app.observability import BLOB_ERRORS
from app.sealing import CaseDestroyed, IntegrityFailure
from app.watermark import Prepared
from crypto import envelope
from crypto.errors import InvalidCiphertext, KeyDestroyed
from crypto.keys import KeyProvider

SWEEP_GRACE_SECONDS = 3600


def blob_key(case_id: uuid.UUID, version_id: uuid.UUID) -> BlobKey:
    return BlobKey(case_id, str(version_id))


def seal_file(provider: KeyProvider, store: BlobStore, plaintext: Path, *,
              case_id: uuid.UUID, version_id: uuid.UUID) -> bytes:
    """Encrypt ``plaintext`` into the version's blob; return the stream header. When this
    returns, the blob is stored whole (raises ``BlobStoreUnavailable`` otherwise)."""
    try:
        with store.writer(blob_key(case_id, version_id)) as dst, plaintext.open("rb") as src:
            return envelope.seal_stream(
                provider, src, dst, case_id=str(case_id), object_type=CONTENT_OBJECT_TYPE,
                object_id=str(version_id), content_version=1)
    except KeyDestroyed:
        raise CaseDestroyed() from None


def open_version(provider: KeyProvider, store: BlobStore, row: DocumentVersion) -> bytes:
    """The authenticated plaintext of a version (raises on any tampering or loss). The
    ciphertext is read from the store segment by segment."""
    out = BytesIO()
    try:
        with store.reader(blob_key(row.case_id, row.id)) as src:
            envelope.open_stream_into(
                provider, row.stream_header, src, out, case_id=str(row.case_id),
                object_type=CONTENT_OBJECT_TYPE, object_id=str(row.id), content_version=1)
    except KeyDestroyed:
        raise CaseDestroyed() from None
    except (InvalidCiphertext, FileNotFoundError):
        BLOB_ERRORS.labels("read").inc()
        raise IntegrityFailure("Stored content failed its integrity check.") from None
    return out.getvalue()


def open_prepared(originals: Originals, provider: KeyProvider, store: BlobStore,
                  row: DocumentVersion) -> Prepared:
    """The version's original from the services' cache, decrypted by open_version on a miss.
    Call it only once the request is authorised for the version (the cache checks nothing)."""
    return originals.get(row.id, row.case_id, row.media_type,
                         lambda: open_version(provider, store, row))


def sweep_orphans(session: Session, store: BlobStore, *, now: float | None = None,
                  grace_seconds: int = SWEEP_GRACE_SECONDS) -> list[BlobEntry]:
    """Delete the blobs no version row names, and stale temp files, once they are older
    than ``grace_seconds`` (by the store's modification time: an upload in flight is
    younger). Blobs of a destroyed case go whatever their age: its keys are gone, so
    they are unreadable and no upload to it can succeed."""
    now = time.time() if now is None else now
    known = {str(v) for v in session.execute(select(DocumentVersion.id)).scalars()}
    destroyed = set(session.execute(
        select(Case.id).where(Case.destroyed_at.is_not(None))).scalars())
    removed = []
    for entry in list(store.entries()):
        if entry.key.case_id not in destroyed and (
                entry.key.name in known or now - entry.modified_at < grace_seconds):
            continue
        store.delete(entry.key)
        removed.append(entry)
    return removed
