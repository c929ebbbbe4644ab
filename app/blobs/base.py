"""The one interface every store of ciphertext blobs offers (``BlobStore``).

A blob is the ciphertext of one document version, named by its case and its version id.
Every store keeps these invariants, whatever is behind it:

- Only ciphertext is ever written: ``writer`` is handed the output of ``seal_stream``;
  plaintext uploads are spooled on the local disk (``spool_dir``), never in the store.
- A blob is complete and durable when ``writer``'s block ends without an error, and only
  then visible under its name: callers insert the row that names it afterwards, so a
  failure leaves an orphan blob, never a row without its blob.
- ``entries`` reports each blob's last modification, so the orphan sweep can leave alone
  whatever an upload in flight is still writing.
- Reads and writes go in bounded chunks: a blob is never held whole in memory.
- A store that cannot be reached raises ``BlobStoreUnavailable`` (503), never a bare
  driver error; a blob that is not there raises ``FileNotFoundError``.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from app.errors import AppError
from app.keyfiles import private_dirs

TEMP_PREFIX = ".tmp-"


class BlobStoreUnavailable(AppError):
    """The object store (or the local blob disk) cannot be written or read right now. The
    message names no bucket, endpoint or path: a client needs only to retry later."""

    status, code, title = 503, "blob_store_unavailable", "Document storage unavailable"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or "Document storage is unavailable; try again later.",
                         headers={"Retry-After": "30"})


@dataclass(frozen=True)
class BlobKey:
    """A blob's name: its case and a name within the case (a version id; the local store
    also reports its own temp files, named ``.tmp-*``, so the sweep can remove stale ones)."""

    case_id: uuid.UUID
    name: str


@dataclass(frozen=True)
class BlobEntry:
    key: BlobKey
    modified_at: float  # seconds since the epoch, by the store's clock


class BlobStore(Protocol):
    kind: str

    def writer(self, key: BlobKey) -> AbstractContextManager[BinaryIO]:
        """A file to write the ciphertext into; stored under ``key`` when the block ends
        without an error (nothing is stored otherwise)."""
        ...

    def reader(self, key: BlobKey) -> AbstractContextManager[BinaryIO]:
        """The stored ciphertext as a stream, read in chunks."""
        ...

    def delete(self, key: BlobKey) -> None: ...

    def delete_case(self, case_id: uuid.UUID) -> None:
        """Every blob of the case, and its spooled uploads."""
        ...

    def entries(self) -> Iterator[BlobEntry]:
        """Every blob (and, for the local store, every temp file) with its age."""
        ...

    def spool_dir(self, case_id: uuid.UUID) -> Path:
        """A private local folder for the plaintext of uploads being read."""
        ...

    def check(self) -> None:
        """Readiness: return when the store can be written, else raise
        ``BlobStoreUnavailable``."""
        ...


def private_file(folder: Path) -> tuple[Path, int]:
    """A new file only its owner may read, under ``folder`` (created 0700)."""
    private_dirs(folder)
    path = folder / f"{TEMP_PREFIX}{uuid.uuid4().hex}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return path, fd


def anonymous_file(folder: Path) -> BinaryIO:
    """A new read-write file with no name, only its owner may read, under ``folder`` (created
    0700): for plaintext a request needs on disk for its own length (a document being
    marked, its marked copy). Closing it frees it, and so does the end of the process,
    however it ends: nothing is left for a sweep, and no other process can open it by name.
    """
    private_dirs(folder)
    return tempfile.TemporaryFile(dir=folder)  # 0600; O_TMPFILE where the kernel has it


def parse_case_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
