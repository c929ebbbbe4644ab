"""Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, ...), through boto3.

Object keys: ``blobs/<case_id>/<version_id>``. The ciphertext of a version is sealed into a
0600 temp file in the local spool (``data_dir/spool/<case_id>``), then uploaded from that
file in parts of ``s3_part_bytes`` (s3transfer reads each part from the file as it sends
it), and the temp file is removed. S3 makes an object visible only once its PUT or its
multipart upload completes, so an object is whole or absent; the caller inserts the row
that names it only after ``writer`` returns. Reads stream the object's body in the chunks
the decryption asks for.

Threats: the bucket's operator sees object sizes, names (ids, no filenames) and times,
never plaintext, which is sealed before it leaves the process. Credentials come from
the settings or from boto3's usual chain (instance role, ``AWS_*`` variables) and are
never logged; error messages name neither the endpoint nor the bucket.
"""

from __future__ import annotations

import io
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, cast

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.blobs.base import (
    TEMP_PREFIX,
    BlobEntry,
    BlobKey,
    BlobStoreUnavailable,
    parse_case_id,
    private_file,
)
from app.config import ConfigurationError, Settings
from app.observability import BLOB_ERRORS

PREFIX = "blobs/"
MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
DELETE_BATCH = 1000  # the most keys one DeleteObjects call takes
TRANSFER_THREADS = 4


@contextmanager
def _failing(operation: str) -> Iterator[None]:
    """Any failure of the store (unreachable, timed out, refused, misconfigured) is a 503;
    the driver's message, which may name the endpoint, is not passed on."""
    try:
        yield
    except (BotoCoreError, ClientError, Boto3Error, OSError):
        BLOB_ERRORS.labels(operation).inc()
        raise BlobStoreUnavailable() from None


class _Body(io.RawIOBase):
    """An object's body as a raw stream: each ``readinto`` asks the connection for at most
    the caller's buffer, and a connection lost midway is a 503, not a driver error."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        with _failing("read"):
            data = self._body.read(len(view))
        view[: len(data)] = data
        return len(data)


class S3BlobStore:
    kind = "s3"

    def __init__(self, *, data_dir: Path, bucket: str, endpoint_url: str | None,
                 region: str, access_key_id: str | None, secret_access_key: str | None,
                 part_bytes: int, timeout_seconds: float, probe_timeout_seconds: float) -> None:
        self.data_dir, self.bucket = data_dir, bucket
        session = boto3.session.Session(
            aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key,
            region_name=region)
        self.client = session.client("s3", endpoint_url=endpoint_url,
                                     config=_client_config(endpoint_url, timeout_seconds, 3))
        # Readiness asks once, with a short timeout: a probe must answer fast or fail.
        self.probe = session.client("s3", endpoint_url=endpoint_url,
                                    config=_client_config(endpoint_url, probe_timeout_seconds, 1))
        self.transfer = TransferConfig(multipart_threshold=part_bytes,
                                       multipart_chunksize=part_bytes,
                                       max_concurrency=TRANSFER_THREADS)

    @classmethod
    def from_settings(cls, settings: Settings) -> S3BlobStore:
        if not settings.s3_bucket:
            raise ConfigurationError("SETTLEROOM_S3_BUCKET must be set when "
                                     "SETTLEROOM_BLOB_STORE=s3")
        secret = settings.s3_secret_access_key
        return cls(data_dir=settings.data_dir, bucket=settings.s3_bucket,
                   endpoint_url=settings.s3_endpoint_url, region=settings.s3_region,
                   access_key_id=settings.s3_access_key_id,
                   secret_access_key=secret.get_secret_value() if secret else None,
                   part_bytes=settings.s3_part_bytes,
                   timeout_seconds=settings.s3_timeout_seconds,
                   probe_timeout_seconds=settings.readiness_timeout_seconds)

    def object_key(self, key: BlobKey) -> str:
        return f"{PREFIX}{key.case_id}/{key.name}"

    @contextmanager
    def writer(self, key: BlobKey) -> Iterator[BinaryIO]:
        with _failing("write"):
            tmp, fd = private_file(self.spool_dir(key.case_id))
        try:
            with _failing("write"), os.fdopen(fd, "wb") as dst:  # a full spool disk too
                yield dst
            with _failing("write"):
                # From the file's name, so s3transfer opens each part lazily: memory stays
                # at a few buffers per transfer thread, whatever the size of the blob.
                self.client.upload_file(str(tmp), self.bucket, self.object_key(key),
                                        Config=self.transfer)
        finally:
            tmp.unlink(missing_ok=True)

    @contextmanager
    def reader(self, key: BlobKey) -> Iterator[BinaryIO]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in MISSING_CODES:
                raise FileNotFoundError(key.name) from None
            BLOB_ERRORS.labels("read").inc()
            raise BlobStoreUnavailable() from None
        except (BotoCoreError, Boto3Error):
            BLOB_ERRORS.labels("read").inc()
            raise BlobStoreUnavailable() from None
        body = response["Body"]
        try:
            yield cast(BinaryIO, _Body(body))
        finally:
            body.close()

    def delete(self, key: BlobKey) -> None:
        if key.name.startswith(TEMP_PREFIX):  # a stale spool file (see entries)
            (self.spool_dir(key.case_id) / key.name).unlink(missing_ok=True)
            return
        with _failing("delete"):
            self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))

    def delete_case(self, case_id: uuid.UUID) -> None:
        shutil.rmtree(self.spool_dir(case_id), ignore_errors=True)
        keys = [self.object_key(e.key) for e in self._objects(f"{PREFIX}{case_id}/")]
        for start in range(0, len(keys), DELETE_BATCH):
            batch = [{"Key": k} for k in keys[start:start + DELETE_BATCH]]
            with _failing("delete"):
                answer = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
            if answer.get("Errors"):
                BLOB_ERRORS.labels("delete").inc()
                raise BlobStoreUnavailable()

    def entries(self) -> Iterator[BlobEntry]:
        """The bucket's blobs, then the spool's files: plaintext or ciphertext a crashed
        request left on the local disk is swept by the same rule."""
        yield from self._objects(PREFIX)
        spool = self.data_dir / "spool"
        for path in spool.glob(f"*/{TEMP_PREFIX}*") if spool.exists() else ():
            case_id = parse_case_id(path.parent.name)
            try:
                modified = path.stat().st_mtime
            except FileNotFoundError:
                continue
            if case_id is not None:
                yield BlobEntry(BlobKey(case_id, path.name), modified)

    def _objects(self, prefix: str) -> Iterator[BlobEntry]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix)
        with _failing("list"):
            for page in pages:
                for obj in page.get("Contents", ()):
                    case_text, _, name = obj["Key"].removeprefix(PREFIX).partition("/")
                    case_id = parse_case_id(case_text)
                    if case_id is not None and name and "/" not in name:
                        yield BlobEntry(BlobKey(case_id, name), obj["LastModified"].timestamp())

    def spool_dir(self, case_id: uuid.UUID) -> Path:
        return self.data_dir / "spool" / str(case_id)

    def check(self) -> None:
        with _failing("check"):
            self.probe.head_bucket(Bucket=self.bucket)


def _client_config(endpoint_url: str | None, timeout: float, attempts: int) -> Config:
    return Config(
        connect_timeout=timeout, read_timeout=timeout,
        retries={"mode": "standard", "total_max_attempts": attempts},
        # Path-style requests (``endpoint/bucket/key``) work with MinIO and other servers
        # reached by address; AWS itself chooses its own style.
        s3={"addressing_style": "path" if endpoint_url else "auto"},
        max_pool_connections=2 * TRANSFER_THREADS + 8,
    )
