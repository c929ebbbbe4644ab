"""Run as ``python -m app.documents.worker MEDIA_TYPE PATH MODE`` under OS limits.

Parsing untrusted PDFs and images is the riskiest step of an upload (decompression bombs,
deep nesting, pixel floods, parser bugs), so it happens in a child process with an address
space limit, a CPU limit and a wall-clock timeout set by ``app.documents.inspection``. The
child prints one JSON line ``{"code": null | "<problem code>"}``; anything else (a crash, a
kill, a timeout) is a refusal. MODE ``upload`` also proves that a watermark can be embedded,
so a stored document can always be downloaded; ``evidence`` only checks.
"""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path

MAX_PAGES = 2000
MAX_OBJECTS = 200_000
MAX_DEPTH = 64
MAX_DECODED_BYTES = 512 * 1024 * 1024
# A stream may decode to at most this many times its stored size (beyond a small floor):
# legitimate content compresses ~2-20x, decompression bombs ~1000x.
MAX_RATIO = 100
RATIO_FLOOR = 16 * 1024 * 1024
MAX_PIXELS = 40_000_000
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
            if isinstance(obj, pikepdf.Stream):
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


def try_embed(data: bytes, media_type: str) -> str | None:
    from app.watermark import LEGENDS, MarkSpec, embed

    mark = MarkSpec(b"\x00" * 32, "Recipient", "Party", "CONFIDENTIAL", LEGENDS[0], "0" * 12)
    try:
        embed(data, media_type, mark)
    except Exception:  # noqa: BLE001 - a document we cannot mark is refused
        return "unsupported_document"
    return None


def run(media_type: str, path: Path, mode: str) -> str | None:
    pdf = media_type == "application/pdf"
    try:
        code = check_pdf(path) if pdf else check_image(path, media_type)
    except MemoryError:
        return "pdf_too_complex" if pdf else "image_too_large"
    except Exception:  # noqa: BLE001 - a parser error on hostile input is a malformed file
        return "malformed_pdf" if pdf else "malformed_image"
    if code is None and mode == "upload":
        code = try_embed(path.read_bytes(), media_type)
    return code


def _apply_limits() -> None:
    """Limits set by the child itself (a ``preexec_fn`` is unsafe in a threaded server)."""
    import os
    import resource

    memory, cpu = (int(v) for v in os.environ["SETTLEROOM_WORKER_LIMITS"].split(","))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


if __name__ == "__main__":
    import warnings

    _apply_limits()
    warnings.simplefilter("ignore")
    result = run(sys.argv[1], Path(sys.argv[2]), sys.argv[3])
    sys.stdout.write(json.dumps({"code": result}) + "\n")
