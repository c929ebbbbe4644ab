"""Where the ciphertext of document versions lives: local files (the embedded default) or
an S3-compatible bucket, chosen by ``SETTLEROOM_BLOB_STORE`` and used through one
interface (``app.blobs.base.BlobStore``)."""

from __future__ import annotations

from app.blobs.base import (
    BlobEntry,
    BlobKey,
    BlobStore,
    BlobStoreUnavailable,
    private_file,
)
from app.blobs.local import LocalBlobStore, case_blob_dir
from app.config import Settings

__all__ = ["BlobEntry", "BlobKey", "BlobStore", "BlobStoreUnavailable", "LocalBlobStore",
           "blob_store_from_settings", "case_blob_dir", "private_file"]


def blob_store_from_settings(settings: Settings) -> BlobStore:
    if settings.blob_store == "s3":
        # Imported here: boto3 takes a while to load, and the local store needs none of it.
        from app.blobs.s3 import S3BlobStore

        return S3BlobStore.from_settings(settings)
    return LocalBlobStore(settings.data_dir)
