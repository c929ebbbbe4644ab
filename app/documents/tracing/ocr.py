"""OCR of page images with tesseract (a subprocess), memoised per image within a trace:
the same page is compared against several documents and must be read once."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from app.keyfiles import private_dirs

OCR_TIMEOUT_SECONDS = 60
# Tesseract parallelises one page over OpenMP threads that spin while they wait. Beside
# other requests, or several OCRs at once, those threads fight for the same cores: on two
# busy cores one 150 dpi page took 8-9 s of CPU with the default threads and 1.3 s with
# one (same text). Tesseract's own documentation advises one thread per process when
# several run at a time, which is the server's case.
OCR_ENV_OVERRIDES = {"OMP_THREAD_LIMIT": "1"}


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def _tesseract(image: bytes, folder: Path) -> str:
    exe = shutil.which("tesseract")
    if exe is None:
        return ""
    with tempfile.TemporaryDirectory(dir=folder) as td:
        page = Path(td) / "page"
        fd = os.open(page, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(image)
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, no shell; the path is ours
                [exe, str(page), "stdout", "-l", "eng"], env=os.environ | OCR_ENV_OVERRIDES,
                capture_output=True, timeout=OCR_TIMEOUT_SECONDS, check=False)
        except (subprocess.TimeoutExpired, OSError):
            return ""
        return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""


def make_ocr(folder: Path) -> Callable[[bytes], str] | None:
    """An ``ocr`` callable for ``app.watermark.detect`` (None when tesseract is absent).
    Page images are written only to a private temp folder under ``folder`` (data_dir)."""
    if not tesseract_available():
        return None
    private_dirs(folder)
    cache: dict[str, str] = {}

    def ocr(image: bytes) -> str:
        key = hashlib.sha256(image).hexdigest()
        if key not in cache:
            cache[key] = _tesseract(image, folder)
        return cache[key]

    return ocr
