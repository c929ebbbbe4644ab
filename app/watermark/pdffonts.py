"""Font facts the content-stream walker needs: code -> Unicode, glyph widths, ToUnicode CMaps."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pikepdf

_GLYPHS = {
    "quoteright": "\u2019", "quoteleft": "\u2018", "quotedblleft": "\u201c",
    "quotedblright": "\u201d", "quotesingle": "'", "quotedbl": '"', "hyphen": "-",
    "endash": "\u2013", "emdash": "\u2014", "space": " ", "period": ".", "comma": ",",
    "colon": ":", "semicolon": ";", "parenleft": "(", "parenright": ")", "section": "\u00a7",
    "dollar": "$", "ampersand": "&", "slash": "/", "fi": "fi", "fl": "fl",
}
_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_GLYPHS.update({name: str(i) for i, name in enumerate(_DIGITS)})
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def glyph_to_unicode(name: str) -> str:
    if len(name) == 1:
        return name
    if name.startswith("uni") and len(name) == 7:
        try:
            return chr(int(name[3:], 16))
        except ValueError:
            return ""
    return _GLYPHS.get(name, "")


def _utf16(hexstr: bytes) -> str:
    raw = bytes.fromhex(hexstr.decode("ascii"))
    return raw.decode("utf-16-be", errors="replace")


def parse_tounicode(data: bytes) -> dict[int, str]:
    """bfchar/bfrange entries of a ToUnicode CMap (enough for what producers emit)."""
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        pairs = _HEX.findall(block)
        for src, dst in zip(pairs[::2], pairs[1::2], strict=False):
            out[int(src, 16)] = _utf16(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for line in block.splitlines():
            nums = _HEX.findall(line)
            if len(nums) < 3:
                continue
            lo, hi = int(nums[0], 16), int(nums[1], 16)
            if b"[" in line:
                for k, dst in enumerate(nums[2:]):
                    out[lo + k] = _utf16(dst)
            else:
                base = _utf16(nums[2])
                for k in range(min(hi - lo, 0xFFFF) + 1):
                    out[lo + k] = base[:-1] + chr(ord(base[-1]) + k) if base else ""
    return out


def build_tounicode(mapping: dict[int, str]) -> bytes:
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CMapName /SettleroomMarked def /CMapType 2 def",
        b"1 begincodespacerange <00> <FF> endcodespacerange",
    ]
    items = sorted(mapping.items())
    for k in range(0, len(items), 100):
        chunk = items[k : k + 100]
        lines.append(str(len(chunk)).encode() + b" beginbfchar")
        for code, text in chunk:
            dst = text.encode("utf-16-be").hex().upper().encode()
            lines.append(b"<%02X> <%s>" % (code, dst))
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(lines)


@dataclass
class FontInfo:
    simple: bool  # one byte per code
    unicode: dict[int, str] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)  # text-space units per 1 pt
    default_width: float = 0.5


# Process-wide on purpose: keyed by a standard-14 font name and holding reportlab's metrics
# for it, nothing from any document. Every cache keyed by content lives in a Prepared instead.
@lru_cache(maxsize=64)
def _base14_widths(base: str) -> dict[int, float]:
    from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]

    try:
        pdfmetrics.getFont(base)
    except (KeyError, ValueError):
        return {}
    out = {}
    for code in range(32, 256):
        ch = bytes([code]).decode("cp1252", errors="ignore")
        if ch:
            out[code] = pdfmetrics.stringWidth(ch, base, 1000) / 1000.0
    return out


def _encoding_map(font: Any) -> dict[int, str]:
    enc = font.get("/Encoding")
    base = "/WinAnsiEncoding"
    diffs = None
    if isinstance(enc, pikepdf.Name):
        base = str(enc)
    elif isinstance(enc, pikepdf.Dictionary):
        base = str(enc.get("/BaseEncoding", "/WinAnsiEncoding"))
        diffs = enc.get("/Differences")
    codec = "mac_roman" if base == "/MacRomanEncoding" else "cp1252"
    out = {c: bytes([c]).decode(codec, errors="ignore") for c in range(256)}
    if base == "/StandardEncoding":
        out[0x27], out[0x60] = "\u2019", "\u2018"
    if diffs is not None:
        code = 0
        for item in diffs:
            if isinstance(item, int):
                code = int(item)
            else:
                out[code] = glyph_to_unicode(str(item)[1:])
                code += 1
    return out


def font_info(font: Any) -> FontInfo:
    subtype = str(font.get("/Subtype", ""))
    simple = subtype in ("/Type1", "/TrueType", "/MMType1", "/Type3")
    info = FontInfo(simple=simple)
    if simple:
        info.unicode = _encoding_map(font)
    tu = font.get("/ToUnicode")
    if isinstance(tu, pikepdf.Stream):
        info.unicode.update(parse_tounicode(tu.read_bytes()))
    if simple:
        widths = font.get("/Widths")
        if isinstance(widths, pikepdf.Array):
            first = int(font.get("/FirstChar", 0))
            info.widths = {first + k: float(w) / 1000.0 for k, w in enumerate(widths)}
        else:
            info.widths = _base14_widths(str(font.get("/BaseFont", "/Helvetica"))[1:])
    return info
