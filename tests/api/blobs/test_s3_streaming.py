"""Streamed reads and writes in bounded memory: a 40 MiB document goes into the bucket as a
multipart upload and comes back in segment-sized reads, with Python's peak allocation far
below the document's size (tracemalloc measures memory, not time)."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
import uuid
from pathlib import Path

import pytest

from app.blobs import s3 as s3_store
from app.documents import storage
from app.models.documents import CONTENT_OBJECT_TYPE
from crypto import envelope

SIZE = 40 * 1024 * 1024
PART = 5 * 1024 * 1024


@pytest.fixture
def settings(s3_settings):  # noqa: ANN001, ANN201
    return s3_settings.model_copy(update={"s3_part_bytes": PART})


class _Sink:
    """Keeps only a digest of what is written (holding the plaintext would be the leak)."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return len(data)


def _plaintext(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as f:
        for _ in range(SIZE // (1 << 20)):
            chunk = os.urandom(1 << 20)
            digest.update(chunk)
            f.write(chunk)
    return digest.hexdigest()


def test_a_large_document_streams_in_and_out_in_bounded_memory(api, s3_server, bucket,
                                                               tmp_path, monkeypatch):
    room = api.room()
    case_id, version_id = uuid.UUID(room.id), uuid.uuid4()
    svc = api.app.state.services
    source = tmp_path / "large.bin"
    expected = _plaintext(source)

    tracemalloc.start()
    try:
        header = storage.seal_file(svc.key_provider, svc.blob_store, source,
                                   case_id=case_id, version_id=version_id)
        _, write_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert write_peak < SIZE / 4, write_peak
    meta = s3_server.client().head_object(Bucket=bucket, Key=f"blobs/{room.id}/{version_id}")
    parts = -(-meta["ContentLength"] // PART)
    assert meta["ContentLength"] > SIZE and meta["ETag"].strip('"').endswith(f"-{parts}")

    asked: list[int] = []
    real = s3_store._Body.readinto

    def readinto(self, buffer):  # noqa: ANN001, ANN202
        asked.append(len(memoryview(buffer)))
        return real(self, buffer)

    monkeypatch.setattr(s3_store._Body, "readinto", readinto)
    sink = _Sink()
    tracemalloc.start()
    try:
        with svc.blob_store.reader(storage.blob_key(case_id, version_id)) as src:
            envelope.open_stream_into(
                svc.key_provider, header, src, sink, case_id=room.id,  # type: ignore[arg-type]
                object_type=CONTENT_OBJECT_TYPE, object_id=str(version_id), content_version=1)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.digest.hexdigest() == expected
    assert read_peak < SIZE / 4, read_peak
    assert len(asked) > 30 and max(asked) <= 2 * envelope.DEFAULT_SEGMENT_SIZE
