"""Bates numbers: a producing party's prefix and a zero-padded page number, e.g. SMITH000001.

Invariants:
- the prefix is 1-16 ASCII capital letters, "-" or "_", starting with a letter. No digit:
  the leak tracer reads every run of digits in a copy's footer as a possible download tag,
  and a prefix with digits could join the page number into a tag-shaped run;
- numbers are padded to six digits (wider past 999999), so a label never has twelve;
- a PDF has one number per page; a text document or an image is one page.
"""

from __future__ import annotations

import io
import re
from typing import BinaryIO

from app.errors import Invalid

PREFIX_RE = re.compile(r"[A-Z][A-Z_-]{0,15}")
DIGITS = 6


def normalise_prefix(raw: str) -> str:
    prefix = raw.strip().upper()
    if not PREFIX_RE.fullmatch(prefix):
        raise Invalid("prefix is 1 to 16 letters, - or _, starting with a letter.",
                      code="invalid_bates_prefix")
    return prefix


def label(prefix: str, number: int) -> str:
    return f"{prefix}{number:0{DIGITS}d}"


def labels(prefix: str, first: int, count: int) -> tuple[str, ...]:
    return tuple(label(prefix, n) for n in range(first, first + count))


def page_count(content: bytes | BinaryIO, media_type: str) -> int:
    """Pages of an accepted upload (inspection has already bounded and parsed it), in
    memory or in a file (read as the page tree needs it, never whole)."""
    if media_type != "application/pdf":
        return 1
    import pikepdf  # where it is used: a server starts without loading it

    source = io.BytesIO(content) if isinstance(content, bytes) else content
    with pikepdf.open(source, access_mode=pikepdf.AccessMode.stream) as pdf:
        return max(1, len(pdf.pages))
