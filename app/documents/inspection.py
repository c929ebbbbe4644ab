"""Decide a file's type from its content (never its name) and refuse what is unsafe.

Threats: a ZIP, executable or HTML page renamed ``.pdf``; a PDF bomb (a huge decoded
stream, deep nesting, too many pages or objects); an encrypted PDF that cannot be marked;
an image whose header claims billions of pixels; text in an unknown encoding. Magic bytes
pick the type; PDFs and images are then parsed by a pre-started worker process (``pool``,
``worker``) with an address-space limit, a file-size limit, a CPU limit per job and a
wall-clock timeout, so no upload can exhaust the server. Text is checked here,
incrementally, as strict UTF-8.
"""

from __future__ import annotations

import atexit
import base64
import codecs
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.documents.errors import NotADocumentType, bad
from app.documents.pool import PoolBusy, WorkerCommand, WorkerFailed, WorkerPool

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

PDF, PNG, JPEG, TEXT = "application/pdf", "image/png", "image/jpeg", "text/plain"
WORKER_TIMEOUT_SECONDS = 30
WORKER_CPU_SECONDS = 25
WORKER_MEMORY_BYTES = 3 * 1024**3
WORKERS = 2  # files parsed at once per server process; more uploads wait their turn
WORKER_MAX_JOBS = 200
QUEUE_TIMEOUT_SECONDS = 60
INDEX_QUEUE_SECONDS = 2  # a text upload's index waits this long for a worker, then is built here
_MARKUP = (b"<!doctype", b"<html", b"<?xml", b"<svg", b"<script", b"<head", b"<body",
           b"<iframe", b"<meta", b"<style", b"<object")
_BINARY_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x7fELF", b"GIF8", b"%!PS", b"\x1f\x8b",
                 b"7z\xbc\xaf", b"Rar!", b"\xca\xfe\xba\xbe", b"{\\rtf", b"\xd0\xcf\x11\xe0",
                 b"RIFF", b"II*\x00", b"MM\x00*")
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


def worker_command() -> WorkerCommand:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(_PROJECT_ROOT),
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0",
           "PYTHONDONTWRITEBYTECODE": "1",
           "SETTLEROOM_WORKER_LIMITS":
               f"{WORKER_MEMORY_BYTES},{WORKER_CPU_SECONDS},{WORKER_MAX_JOBS}"}
    return WorkerCommand([sys.executable, "-m", "app.documents.worker"], env, _PROJECT_ROOT)


# One pool per server process, shared by every app in it; started on first use.
POOL = WorkerPool(worker_command(), size=WORKERS, max_jobs=WORKER_MAX_JOBS,
                  timeout=WORKER_TIMEOUT_SECONDS, queue_timeout=QUEUE_TIMEOUT_SECONDS)
atexit.register(POOL.close)


def sniff(head: bytes) -> str:
    """The media type by magic bytes; text only when it looks like text, not markup."""
    if not head:
        raise bad("empty_file")
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if _wide_text(head):
        raise bad("invalid_text_encoding")  # UTF-16/32 text: text, but not UTF-8
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        raise NotADocumentType("Only PDF, UTF-8 text, PNG and JPEG documents are accepted.")
    body = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if body.startswith(_MARKUP):
        raise NotADocumentType("HTML and other markup are not accepted as documents.")
    controls = sum(1 for b in head if b < 0x20 and b not in b"\t\n\r\f")
    if controls * 100 > len(head):
        raise NotADocumentType("Only PDF, UTF-8 text, PNG and JPEG documents are accepted.")
    return TEXT


def _wide_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    sample = head[:4096]
    if len(sample) < 16:
        return False
    for start in (0, 1):
        half = sample[start::2]
        if half.count(0) * 10 >= len(half) * 9 and sample[1 - start::2].count(0) == 0:
            return True
    return False


def check_text(path: Path) -> None:
    """Strict UTF-8 over the whole file, in bounded memory; no NUL anywhere."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    with path.open("rb") as f:
        try:
            while chunk := f.read(1 << 20):
                if b"\x00" in chunk:
                    raise bad("invalid_text_encoding")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise bad("invalid_text_encoding") from None


def _ask(media_type: str, path: Path, mode: str) -> dict[str, object]:
    refused = "pdf_too_complex" if media_type == PDF else "image_too_large"
    try:
        reply = POOL.run({"media_type": media_type, "path": str(path), "mode": mode})
    except WorkerFailed:
        return {"code": refused}  # killed by a limit or out of time: too big or too complex
    except PoolBusy:
        return {"code": "inspection_failed"}
    code = reply.get("code")
    return reply if isinstance(code, str) or code is None else {"code": "inspection_failed"}


def run_worker(media_type: str, path: Path, mode: str) -> str | None:
    """The worker's verdict: None (accepted) or a problem code; a crash or timeout refuses."""
    code = _ask(media_type, path, mode).get("code")
    return code if isinstance(code, str) else None


@dataclass(frozen=True)
class Index:
    """A file's trace index as the worker built it (see ``app.documents.analysis``)."""

    layer: bytes  # the encoded text layer (decoded, and checked, by the traces that read it)
    words: int
    shingles: NDArray[np.uint64]  # anchor windows, not yet keyed


@dataclass(frozen=True)
class Inspected:
    media_type: str
    index: Index | None  # None: built by the first trace that needs it


def _index(value: object) -> Index | None:
    """The worker's index, if it has the right shape (the worker parsed a hostile file: its
    output is checked like any input; a wrong one only delays the index)."""
    if not isinstance(value, dict):
        return None
    layer, words, shingles = value.get("layer"), value.get("words"), value.get("shingles")
    if not (isinstance(layer, str) and isinstance(words, int) and words >= 0
            and isinstance(shingles, list) and all(type(h) is int for h in shingles)):
        return None
    import numpy as np

    try:
        return Index(base64.b64decode(layer, validate=True), words,
                     np.array(shingles, dtype=np.uint64))
    except (ValueError, OverflowError):
        return None


def _text_index(path: Path) -> Index | None:
    """A text file's index, from a worker when one is free soon (the work stays out of the
    server's heap and lock), else built here."""
    try:
        reply = POOL.run({"media_type": TEXT, "path": str(path), "mode": "index"},
                         queue_timeout=INDEX_QUEUE_SECONDS)
    except (WorkerFailed, PoolBusy):
        from app.documents.worker import trace_index

        reply = {"index": trace_index(path.read_bytes(), TEXT)}
    return _index(reply.get("index"))


def inspect_upload(path: Path, head: bytes) -> Inspected:
    """``inspect_file`` for an upload, with the file's trace index (built by a worker: for
    a PDF or an image by the one that proves it can be marked)."""
    media_type = sniff(head)
    if media_type == TEXT:
        check_text(path)
        return Inspected(media_type, _text_index(path))
    reply = _ask(media_type, path, "upload")
    code = reply.get("code")
    if code is not None:
        raise bad(str(code))
    return Inspected(media_type, _index(reply.get("index")))


def inspect_file(path: Path, head: bytes, *, mode: str) -> str:
    """The content-decided media type of an accepted file; raise 415/422 otherwise."""
    media_type = sniff(head)
    if media_type == TEXT:
        check_text(path)
        return media_type
    code = run_worker(media_type, path, mode)
    if code is not None:
        raise bad(code)
    return media_type
