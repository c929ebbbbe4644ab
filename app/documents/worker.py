"""Run as ``python -m app.documents.worker``: one process of the inspection pool.

Parsing untrusted PDFs and images is the riskiest step of an upload (decompression bombs,
deep nesting, pixel floods, parser bugs), so it happens in a separate process
(``app.documents.pool``) that sets its own limits before it reads any job: address space,
file size (it never writes a file), no core dumps, and CPU seconds per job. The parent adds
a wall-clock deadline. Jobs arrive on stdin as JSON lines ``{"media_type", "path",
"mode"}``; each gets one JSON line ``{"code": null | "<problem code>"}`` on the reply pipe.
Anything else (a crash, a kill, a timeout) is a refusal. Mode ``upload`` also proves that a
watermark can be embedded, so a stored document can always be downloaded, and returns the
file's trace index (``"index"``: ``app.documents.analysis``), which the parent treats as
untrusted output; mode ``index`` builds only that, for a text file. ``evidence`` only
checks. End of input ends the process.
"""

from __future__ import annotations

import json
import math
import os
import resource
import sys
import zlib
from pathlib import Path
from typing import BinaryIO

MAX_PAGES = 2000
MAX_OBJECTS = 200_000
MAX_DEPTH = 64
MAX_DECODED_BYTES = 512 * 1024 * 1024
# A stream may decode to at most this many times its stored size (beyond a small floor):
# legitimate content compresses ~2-20x, decompression bombs ~1000x.
MAX_RATIO = 100
RATIO_FLOOR = 16 * 1024 * 1024
MAX_PIXELS = 40_000_000
LIMIT_CODES = ("pdf_too_complex", "image_too_large")
MAX_SIDE = 20_000


def _direct_container(v: object) -> bool:
    import pikepdf

    return isinstance(v, pikepdf.Array | pikepdf.Dictionary) and not v.is_indirect


def _depth_ok(root: object) -> bool:
    import pikepdf

    stack = [(root, 0)]
    seen = 0
    while stack:
        obj, depth = stack.pop()
        seen += 1
        if depth > MAX_DEPTH or seen > 2_000_000:
            return False
        if isinstance(obj, pikepdf.Array):
            stack.extend((v, depth + 1) for v in obj if _direct_container(v))
        elif isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            d = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
            stack.extend((v, depth + 1) for v in d.values() if _direct_container(v))
    return True


def _decoded_size(stream: object, budget: int) -> int:
    """Bytes the stream decodes to, never decompressing more than ``budget`` (+1 MiB)."""
    import pikepdf

    assert isinstance(stream, pikepdf.Stream)
    if stream.get("/Filter") == pikepdf.Name.FlateDecode:
        d = zlib.decompressobj()
        raw = stream.read_raw_bytes()
        total = 0
        for i in range(0, len(raw), 1 << 16):
            total += len(d.decompress(raw[i : i + (1 << 16)], budget + 1 - total))
            while d.unconsumed_tail and total <= budget:
                total += len(d.decompress(d.unconsumed_tail, budget + 1 - total))
            if total > budget:
                return total
        return total
    return len(stream.read_bytes())


# Image codecs pikepdf does not decode: their size is the pixel count they declare, checked
# against the image limits (the JPEG header itself too: it is what a renderer believes).
IMAGE_FILTERS = ("/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode")


def _filters(stream: object) -> list[str]:
    import pikepdf

    assert isinstance(stream, pikepdf.Stream)
    f = stream.get("/Filter")
    if isinstance(f, pikepdf.Array):
        return [str(x) for x in f]
    return [str(f)] if f is not None else []


def _image_size(stream: object) -> int | None:
    """Decoded bytes of an image-codec stream (None: over the pixel limits)."""
    import io

    import pikepdf
    from PIL import Image

    assert isinstance(stream, pikepdf.Stream)
    w, h = int(stream.get("/Width", 0)), int(stream.get("/Height", 0))
    if w <= 0 or h <= 0 or w * h > MAX_PIXELS or max(w, h) > MAX_SIDE:
        return None
    if _filters(stream) == ["/DCTDecode"]:
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        try:
            with Image.open(io.BytesIO(stream.read_raw_bytes())) as im:  # the header only
                jw, jh = im.size
                if im.format != "JPEG" or jw * jh > MAX_PIXELS or max(jw, jh) > MAX_SIDE:
                    return None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return None
    return w * h * 4


def check_pdf(path: Path) -> str | None:
    import pikepdf

    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return "encrypted_pdf"
    except pikepdf.PdfError:
        return "malformed_pdf"
    with pdf:
        if pdf.is_encrypted:
            return "encrypted_pdf"
        if len(pdf.objects) > MAX_OBJECTS:
            return "pdf_too_complex"
        try:
            pages = len(pdf.pages)
        except pikepdf.PdfError:
            return "malformed_pdf"
        if pages == 0:
            return "malformed_pdf"
        if pages > MAX_PAGES:
            return "pdf_too_complex"
        budget = MAX_DECODED_BYTES
        for obj in pdf.objects:
            if not _depth_ok(obj):
                return "pdf_too_complex"
            if isinstance(obj, pikepdf.Stream) and any(f in IMAGE_FILTERS
                                                       for f in _filters(obj)):
                size = _image_size(obj)
                if size is None or size > budget:
                    return "pdf_too_complex"
                budget -= size
            elif isinstance(obj, pikepdf.Stream):
                raw_len = len(obj.read_raw_bytes())
                allowed = min(budget, max(RATIO_FLOOR, MAX_RATIO * raw_len))
                size = _decoded_size(obj, allowed)
                if size > allowed:
                    return "pdf_too_complex"
                budget -= size
    return None


def check_image(path: Path, media_type: str) -> str | None:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    want = {"image/png": "PNG", "image/jpeg": "JPEG"}[media_type]
    try:
        with Image.open(path) as img:
            w, h = img.size
            if w * h > MAX_PIXELS or max(w, h) > MAX_SIDE:
                return "image_too_large"
            if img.format != want:
                return "malformed_image"
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return "image_too_large"
    except Exception:  # noqa: BLE001 - every decoder error is a malformed image
        return "malformed_image"
    return None


def trace_index(data: bytes | object, media_type: str) -> dict[str, object] | None:
    """The file's trace index (``app.documents.analysis``): its text layer encoded as it is
    stored, its word count, and the anchor windows of its text before they are keyed (the
    server keys them: no case key ever reaches this process). None when it cannot be built
    (the file is accepted all the same; the first trace that needs it builds it)."""
    import base64

    from app.kernel.shingles import anchor_shingles
    from app.watermark import text_layer

    try:
        layer = text_layer(data, media_type)  # type: ignore[arg-type]
        return {"layer": base64.b64encode(layer.encode()).decode("ascii"),
                "words": layer.words,
                "shingles": [int(h) for h in anchor_shingles(layer.text)]}
    except Exception:  # noqa: BLE001 - only the index waits
        return None


def try_embed(data: bytes, media_type: str) -> tuple[str | None, object]:
    """Prove the file can be marked; returns the refusal code, or None and the prepared
    original (its derivations, the layer's included, serve the trace index next)."""
    from app.watermark import LEGENDS, MarkSpec, embed, prepare

    mark = MarkSpec(b"\x00" * 32, "Recipient", "Party", "CONFIDENTIAL", LEGENDS[0], "0" * 12)
    prep = prepare(data, media_type)
    try:
        embed(prep, media_type, mark)
    except Exception:  # noqa: BLE001 - a document we cannot mark is refused
        return "unsupported_document", None
    return None, prep


def run(media_type: str, path: Path, mode: str) -> dict[str, object]:
    """The reply to one job: ``code`` (None: accepted) and, for an accepted upload and for
    mode ``index`` (a text file the parent checked itself), the file's trace ``index``."""
    if mode == "index":
        return {"code": None, "index": trace_index(path.read_bytes(), media_type)}
    pdf = media_type == "application/pdf"
    try:
        code = check_pdf(path) if pdf else check_image(path, media_type)
    except MemoryError:
        return {"code": "pdf_too_complex" if pdf else "image_too_large"}
    except Exception:  # noqa: BLE001 - a parser error on hostile input is a malformed file
        return {"code": "malformed_pdf" if pdf else "malformed_image"}
    if code is None and mode == "upload":
        code, prep = try_embed(path.read_bytes(), media_type)
        return {"code": code, "index": None if code else trace_index(prep, media_type)}
    return {"code": code}


def _apply_limits(memory: int, cpu_per_job: int, max_jobs: int) -> None:
    """Limits set by the child itself (a ``preexec_fn`` is unsafe in a threaded server).

    RLIMIT_CPU counts the whole life of the process, so the hard limit covers every job it
    may serve and ``_cpu_budget`` lowers the soft limit to one job's worth before each."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    hard = math.ceil(_cpu_used()) + cpu_per_job * (max_jobs + 1) + 30
    resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_budget(seconds: int) -> None:
    """SIGXCPU (which ends the process) once this job has used ``seconds`` of CPU."""
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (min(hard, math.ceil(_cpu_used()) + seconds), hard))


def _warm_up() -> None:
    """Import the parsers before the first job, so no job pays for it."""
    import pikepdf  # noqa: F401
    from PIL import Image  # noqa: F401

    import app.kernel.shingles  # noqa: F401
    import app.watermark  # noqa: F401


def serve(jobs: BinaryIO, replies: BinaryIO, cpu_per_job: int) -> None:
    for line in jobs:
        job = json.loads(line)
        _cpu_budget(cpu_per_job)
        try:
            reply = run(job["media_type"], Path(job["path"]), job["mode"])
        except MemoryError:  # outside the parsers' own handlers
            reply = {"code": "inspection_failed"}
        code = reply["code"]
        # A file that hit a limit may have left the heap fragmented: start afresh.
        retire = code in LIMIT_CODES or code == "inspection_failed"
        reply["retire"] = retire
        replies.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
        replies.flush()
        if retire:
            return


def main() -> None:
    import warnings

    memory, cpu, max_jobs = (int(v) for v in os.environ["SETTLEROOM_WORKER_LIMITS"].split(","))
    # Replies get a private copy of stdout; anything a library prints goes to stderr.
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    _apply_limits(memory, cpu, max_jobs)
    warnings.simplefilter("ignore")
    _warm_up()
    serve(sys.stdin.buffer, replies, cpu)


if __name__ == "__main__":
    main()
