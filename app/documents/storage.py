"""Ciphertext files of document versions: ``data_dir/blobs/<case_id>/<version_id>``.

Invariants: only ciphertext is ever written under a final name (``seal_stream`` into a
temp name, fsync, then an atomic rename); a version row is inserted after its file exists.
A request that fails after the file was written leaves an orphan file, never a row without
a file; ``sweep_orphans`` removes such files (and stale temp files) once they are older
than a grace period, so it never races an upload still in flight.
"""

from __future__ import annotations

import os
import time
import uuid
from io import BytesIO
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.blobs import case_blob_dir
from app.config import Settings
from app.documents.multipart import private_file
from app.kernel.originals import Originals
from app.models.documents import CONTENT_OBJECT_TYPE, DocumentVersion
from app.observability import BLOB_ERRORS
from app.sealing import CaseDestroyed, IntegrityFailure
from app.watermark import Prepared
from crypto import envelope
from crypto.errors import InvalidCiphertext, KeyDestroyed
from crypto.keys import KeyProvider

SWEEP_GRACE_SECONDS = 3600


def blob_path(settings: Settings, case_id: uuid.UUID, version_id: uuid.UUID) -> Path:
    return case_blob_dir(settings, case_id) / str(version_id)


def seal_file(provider: KeyProvider, settings: Settings, plaintext: Path, *,
              case_id: uuid.UUID, version_id: uuid.UUID) -> bytes:
    """Encrypt ``plaintext`` into the version's ciphertext file; return the stream header."""
    tmp, fd = private_file(case_blob_dir(settings, case_id))
    try:
        with os.fdopen(fd, "wb") as dst, plaintext.open("rb") as src:
            header = envelope.seal_stream(
                provider, src, dst, case_id=str(case_id), object_type=CONTENT_OBJECT_TYPE,
                object_id=str(version_id), content_version=1)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(tmp, blob_path(settings, case_id, version_id))
    except KeyDestroyed:
        raise CaseDestroyed() from None
    except OSError:
        BLOB_ERRORS.labels("write").inc()
        raise
    finally:
        tmp.unlink(missing_ok=True)
    return header


def open_version(provider: KeyProvider, settings: Settings, row: DocumentVersion) -> bytes:
    """The authenticated plaintext of a version (raises on any tampering or loss)."""
    out = BytesIO()
    try:
        with blob_path(settings, row.case_id, row.id).open("rb") as src:
            envelope.open_stream_into(
                provider, row.stream_header, src, out, case_id=str(row.case_id),
                object_type=CONTENT_OBJECT_TYPE, object_id=str(row.id), content_version=1)
    except KeyDestroyed:
        raise CaseDestroyed() from None
    except (InvalidCiphertext, FileNotFoundError):
        BLOB_ERRORS.labels("read").inc()
        raise IntegrityFailure("Stored content failed its integrity check.") from None
    return out.getvalue()


def open_prepared(originals: Originals, provider: KeyProvider, settings: Settings,
                  row: DocumentVersion) -> Prepared:
    """The version's original from the services' cache, decrypted by open_version on a miss.
    Call it only once the request is authorised for the version (the cache checks nothing)."""
    return originals.get(row.id, row.case_id, row.media_type,
                         lambda: open_version(provider, settings, row))


def sweep_orphans(session: Session, settings: Settings, *, now: float | None = None,
                  grace_seconds: int = SWEEP_GRACE_SECONDS) -> list[Path]:
    """Delete files under ``blobs/`` that no version row names and that are old enough."""
    root = settings.data_dir / "blobs"
    now = time.time() if now is None else now
    known = {str(v) for v in session.execute(select(DocumentVersion.id)).scalars()}
    removed = []
    for path in root.glob("*/*") if root.exists() else ():
        if path.name in known or now - path.stat().st_mtime < grace_seconds:
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed
