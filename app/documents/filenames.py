"""Filenames from clients are hostile: path traversal, control characters, bidi overrides
(``invoice\u202efdp.exe`` shows as ``invoiceexe.pdf``), names that lie about the type.

The storage name is always a server id; the client's name is kept only sealed. What the
API returns and puts in Content-Disposition is ``neutralise(raw, media_type)``:
1. NFC, then only the last path segment (``/`` and ``\\`` both separate);
2. every Unicode "other" character removed (Cc controls, Cf formats such as U+202E and
   zero-width marks, Cs/Co/Cn), and ``<>:"|?*`` replaced by ``_``;
3. whitespace collapsed, leading/trailing dots and spaces stripped, at most 150 characters;
4. an extension matching the content-decided type appended when the name lacks one
   (``../../etc/passwd`` holding text becomes ``passwd.txt``); empty -> ``document.<ext>``.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "text/plain": (".txt", ".md", ".markdown", ".text"),
    "text/markdown": (".md", ".markdown", ".txt"),
}
MAX_LENGTH = 150
_RESERVED = re.compile(r'[<>:"|?*]')


def neutralise(raw: str, media_type: str) -> str:
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _RESERVED.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    exts = EXTENSIONS.get(media_type, (".bin",))
    stem, dot, ext = name.rpartition(".")
    if not dot or f".{ext.lower()}" not in exts:
        stem, ext = name, exts[0][1:]
    stem = stem[: MAX_LENGTH - len(ext) - 1].rstrip(" .") or "document"
    return f"{stem}.{ext}"


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the RFC 6266 / 5987 UTF-8 form."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r'[^A-Za-z0-9._ ()-]', "_", ascii_name) or "document"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
