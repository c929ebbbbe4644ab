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
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.blobs import BlobEntry, BlobKey, BlobStore, BlobStoreUnavailable
from app.blobs.base import anonymous_file
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


def _decrypt_into(provider: KeyProvider, store: BlobStore, row: DocumentVersion,
                  dst: BinaryIO) -> None:
    """Write the version's plaintext to ``dst``, one authenticated segment at a time (raises
    on any tampering or loss; ``dst`` then holds a prefix, for the caller to discard)."""
    try:
        with store.reader(blob_key(row.case_id, row.id)) as src:
            envelope.open_stream_into(
                provider, row.stream_header, src, dst, case_id=str(row.case_id),
                object_type=CONTENT_OBJECT_TYPE, object_id=str(row.id), content_version=1)
    except KeyDestroyed:
        raise CaseDestroyed() from None
    except (InvalidCiphertext, FileNotFoundError):
        BLOB_ERRORS.labels("read").inc()
        raise IntegrityFailure("Stored content failed its integrity check.") from None
    except OSError:  # writing ``dst``: a full or failing spool disk
        BLOB_ERRORS.labels("write").inc()
        raise BlobStoreUnavailable() from None


def open_version(provider: KeyProvider, store: BlobStore, row: DocumentVersion) -> bytes:
    """The authenticated plaintext of a version (raises on any tampering or loss). The
    ciphertext is read from the store segment by segment."""
    out = BytesIO()
    _decrypt_into(provider, store, row, out)
    return out.getvalue()


def spool_file(store: BlobStore, case_id: uuid.UUID) -> BinaryIO:
    """A private file with no name in the case's local spool, for plaintext as long as a
    request needs it (``app.blobs.base.anonymous_file``: closing it deletes it). Destroying
    the case removes the spool folder; a file still open then is freed when it is closed."""
    try:
        return anonymous_file(store.spool_dir(case_id))
    except OSError:
        BLOB_ERRORS.labels("write").inc()
        raise BlobStoreUnavailable() from None


@contextmanager
def plaintext_file(provider: KeyProvider, store: BlobStore, row: DocumentVersion
                   ) -> Iterator[BinaryIO]:
    """The version's authenticated plaintext in a ``spool_file``, rewound: for an original
    too large to hold in memory. Memory stays at one segment; the file is closed (and so
    gone) when the block ends, however it ends."""
    with spool_file(store, row.case_id) as file:
        _decrypt_into(provider, store, row, file)
        file.seek(0)
        yield file


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
