"""Blobs as files on the local disk: ``data_dir/blobs/<case_id>/<version_id>`` (the
embedded default).

A blob is written under a temp name in its case folder, fsynced, then renamed into place
(atomic on one file system), so a reader never sees half a blob. Plaintext uploads are
spooled in the same folder (0600 files in a 0700 folder): destroying the case removes
them with its blobs, and the sweep removes those a crashed request left behind.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from app.blobs.base import BlobEntry, BlobKey, BlobStoreUnavailable, parse_case_id, private_file
from app.observability import BLOB_ERRORS

PROBE_BYTES = 4096


def case_blob_dir(data_dir: Path, case_id: uuid.UUID) -> Path:
    return data_dir / "blobs" / str(case_id)


class LocalBlobStore:
    kind = "local"

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "blobs"
        self.data_dir = data_dir

    def path(self, key: BlobKey) -> Path:
        return case_blob_dir(self.data_dir, key.case_id) / key.name

    @contextmanager
    def writer(self, key: BlobKey) -> Iterator[BinaryIO]:
        try:
            tmp, fd = private_file(case_blob_dir(self.data_dir, key.case_id))
        except OSError:
            BLOB_ERRORS.labels("write").inc()
            raise BlobStoreUnavailable() from None
        try:
            with os.fdopen(fd, "wb") as dst:
                yield dst
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(tmp, self.path(key))
        except OSError:
            # A full or failing disk: the upload is refused, nothing is left under the name.
            BLOB_ERRORS.labels("write").inc()
            raise BlobStoreUnavailable() from None
        finally:
            tmp.unlink(missing_ok=True)

    @contextmanager
    def reader(self, key: BlobKey) -> Iterator[BinaryIO]:
        try:
            src = self.path(key).open("rb")
        except FileNotFoundError:
            raise
        except OSError:
            BLOB_ERRORS.labels("read").inc()
            raise BlobStoreUnavailable() from None
        with src:
            yield src

    def delete(self, key: BlobKey) -> None:
        self.path(key).unlink(missing_ok=True)

    def delete_case(self, case_id: uuid.UUID) -> None:
        shutil.rmtree(case_blob_dir(self.data_dir, case_id), ignore_errors=True)

    def entries(self) -> Iterator[BlobEntry]:
        if not self.root.exists():
            return
        for path in self.root.glob("*/*"):
            case_id = parse_case_id(path.parent.name)
            if case_id is None:
                continue
            try:
                modified = path.stat().st_mtime
            except FileNotFoundError:
                continue  # renamed or removed while we walked
            yield BlobEntry(BlobKey(case_id, path.name), modified)

    def spool_dir(self, case_id: uuid.UUID) -> Path:
        return case_blob_dir(self.data_dir, case_id)

    def check(self) -> None:
        """The blob folder takes a new private file with one block written and synced (a
        full disk or a read-only mount fails here)."""
        try:
            probe, fd = private_file(self.root)
        except OSError:
            raise BlobStoreUnavailable() from None
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(bytes(PROBE_BYTES))
                f.flush()
                os.fsync(f.fileno())
        except OSError:
            raise BlobStoreUnavailable() from None
        finally:
            probe.unlink(missing_ok=True)
