"""Font facts the content-stream walker needs: code -> Unicode, glyph widths, ToUnicode CMaps.

Simple fonts (Type1, TrueType, Type3) use one byte per code. Composite (Type0) fonts use the
codespace of their encoding CMap: Identity-H/V (two bytes, CID = code, as browsers, Acrobat and
office suites write them), an embedded CMap stream (its codespace, cidrange and cidchar
entries), or another predefined CMap (the codespace of the font's ToUnicode, two bytes
otherwise; its CIDs, hence its widths, are then unknown and the default width is used). Widths
of a composite font come from its descendant's /W and /DW, by CID; in vertical writing mode its
advances down the column and the glyphs' position vectors come from /W2 and /DW2.
"""

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


Codespace = tuple[tuple[bytes, bytes], ...]  # (low, high) byte strings of equal length
ONE_BYTE: Codespace = ((b"\x00", b"\xff"),)
TWO_BYTES: Codespace = ((b"\x00\x00", b"\xff\xff"),)


def parse_codespace(data: bytes) -> Codespace:
    out = []
    for block in re.findall(rb"begincodespacerange(.*?)endcodespacerange", data, re.S):
        nums = [bytes.fromhex(h.decode("ascii")) for h in _HEX.findall(block)]
        out += [(lo, hi) for lo, hi in zip(nums[::2], nums[1::2], strict=False)
                if len(lo) == len(hi) and 1 <= len(lo) <= 4]
    return tuple(out)


def _in_range(code: bytes, lo: bytes, hi: bytes) -> bool:
    return all(a <= c <= b for c, a, b in zip(code, lo, hi, strict=True))


def split_codes(data: bytes, codespace: Codespace) -> list[bytes]:
    """The codes of a string shown in a font with this codespace (PDF 32000 9.7.6.2): the
    shortest byte sequence inside a range; a sequence matching none takes the length of the
    shortest range and maps to nothing (.notdef)."""
    if codespace == ONE_BYTE:
        return [data[k : k + 1] for k in range(len(data))]
    lengths = sorted({len(lo) for lo, _ in codespace})
    out, k = [], 0
    while k < len(data):
        for n in lengths:
            code = data[k : k + n]
            if len(code) == n and any(len(lo) == n and _in_range(code, lo, hi)
                                      for lo, hi in codespace):
                break
        else:
            n = lengths[0]
        out.append(data[k : k + n])
        k += n
    return [c for c in out if c]


def code_length(code: int, codespace: Codespace) -> int:
    """How many bytes `code` is written with in this codespace."""
    for lo, hi in sorted(codespace, key=lambda r: len(r[0])):
        n = len(lo)
        if code < 256**n and _in_range(code.to_bytes(n, "big"), lo, hi):
            return n
    return max((len(lo) for lo, _ in codespace), default=1)


def code_bytes(code: int, codespace: Codespace) -> bytes:
    return code.to_bytes(code_length(code, codespace), "big")


def build_tounicode(mapping: dict[int, str], codespace: Codespace = ONE_BYTE) -> bytes:
    ranges = b" ".join(b"<%s> <%s>" % (lo.hex().upper().encode(), hi.hex().upper().encode())
                       for lo, hi in codespace)
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CMapName /SettleroomMarked def /CMapType 2 def",
        b"%d begincodespacerange %s endcodespacerange" % (len(codespace), ranges),
    ]
    items = sorted(mapping.items())
    for k in range(0, len(items), 100):
        chunk = items[k : k + 100]
        lines.append(str(len(chunk)).encode() + b" beginbfchar")
        for code, text in chunk:
            dst = text.encode("utf-16-be").hex().upper().encode()
            lines.append(b"<%s> <%s>" % (code_bytes(code, codespace).hex().upper().encode(),
                                         dst))
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(lines)


@dataclass
class FontInfo:
    simple: bool  # one byte per code
    unicode: dict[int, str] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)  # by code (simple) or CID; per 1 pt
    default_width: float = 0.5
    codespace: Codespace = ONE_BYTE
    cids: dict[int, int] | None = None  # code -> CID of a composite font; None: CID = code
    vertical: bool = False  # composite font in vertical writing mode (TJ numbers move y)
    # Vertical metrics by CID, per 1 pt: (w1y, vx, vy), the displacement along y (negative:
    # down the column) and the position vector from the glyph's horizontal origin to its
    # vertical one; vx defaults to half the glyph's width (PDF 32000 9.7.4.3).
    vmetrics: dict[int, tuple[float, float, float]] = field(default_factory=dict)
    default_vmetric: tuple[float, float] = (0.88, -1.0)  # /DW2: (vy, w1y)

    def _cid(self, code: int) -> int:
        return code if self.cids is None else self.cids.get(code, -1)

    def width(self, code: int) -> float:
        return self.widths.get(self._cid(code), self.default_width)

    def vmetric(self, code: int) -> tuple[float, float, float]:
        """(w1y, vx, vy) of a code in vertical writing mode, per 1 pt."""
        cid = self._cid(code)
        got = self.vmetrics.get(cid)
        if got is not None:
            return got
        vy, w1y = self.default_vmetric
        return w1y, self.widths.get(cid, self.default_width) / 2.0, vy

    def split(self, data: bytes) -> list[bytes]:
        return split_codes(data, self.codespace)


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


def _cid_entries(arr: Any, size: int) -> dict[int, tuple[float, ...]]:
    """A CIDFont's /W (`size` 1: w) or /W2 (`size` 3: w1y vx vy) array, per CID, in units of
    1 pt: `c [v v ...]` gives consecutive CIDs from c `size` values each, `c_first c_last
    v ...` one set of values to a range (at most 65,536 CIDs of it)."""
    out: dict[int, tuple[float, ...]] = {}
    items = list(arr) if isinstance(arr, pikepdf.Array) else []
    k = 0
    while k + 1 < len(items):
        first, nxt = items[k], items[k + 1]
        if isinstance(nxt, pikepdf.Array):
            vals = [float(v) / 1000.0 for v in nxt]
            for j in range(len(vals) // size):
                out[int(first) + j] = tuple(vals[size * j:size * (j + 1)])
            k += 2
        elif k + 1 + size < len(items):
            lo, hi = int(first), int(nxt)
            entry = tuple(float(v) / 1000.0 for v in items[k + 2:k + 2 + size])
            for cid in range(lo, min(hi, lo + 0xFFFF) + 1):
                out[cid] = entry
            k += 2 + size
        else:
            break
    return out


def _cid_widths(w: Any) -> dict[int, float]:
    return {cid: entry[0] for cid, entry in _cid_entries(w, 1).items()}


def _cid_vmetrics(w2: Any) -> dict[int, tuple[float, float, float]]:
    return {cid: (e[0], e[1], e[2]) for cid, e in _cid_entries(w2, 3).items()}


def _cmap_cids(data: bytes) -> dict[int, int]:
    out: dict[int, int] = {}
    for block in re.findall(rb"begincidrange(.*?)endcidrange", data, re.S):
        for lo, hi, cid in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\d+)", block):
            a, b = int(lo, 16), int(hi, 16)
            for k in range(min(b - a, 0xFFFF) + 1):
                out[a + k] = int(cid) + k
    for block in re.findall(rb"begincidchar(.*?)endcidchar", data, re.S):
        for code, cid in re.findall(rb"<([0-9A-Fa-f]+)>\s*(\d+)", block):
            out[int(code, 16)] = int(cid)
    return out


def _composite(font: Any, info: FontInfo, tounicode: bytes | None) -> None:
    enc = font.get("/Encoding")
    if isinstance(enc, pikepdf.Name):
        name = str(enc)
        info.vertical = name.endswith("-V")
        if name not in ("/Identity-H", "/Identity-V"):
            info.codespace = (parse_codespace(tounicode) if tounicode else ()) or TWO_BYTES
            info.cids = {}  # unknown CIDs: every glyph has the default width
        else:
            info.codespace = TWO_BYTES
    elif isinstance(enc, pikepdf.Stream):
        data = enc.read_bytes()
        info.vertical = int(enc.get("/WMode", 0)) == 1
        info.codespace = parse_codespace(data) or TWO_BYTES
        used = enc.get("/UseCMap")
        identity = isinstance(used, pikepdf.Name) and str(used).startswith("/Identity")
        cids = _cmap_cids(data)
        info.cids = None if identity and not cids else cids
    descendants = font.get("/DescendantFonts")
    cidfont: Any = None
    if isinstance(descendants, pikepdf.Array) and len(descendants):
        cidfont = descendants[0]
    if isinstance(cidfont, pikepdf.Dictionary):
        info.default_width = float(cidfont.get("/DW", 1000)) / 1000.0
        info.widths = _cid_widths(cidfont.get("/W"))
        if info.vertical:
            dw2 = cidfont.get("/DW2")
            if isinstance(dw2, pikepdf.Array) and len(dw2) == 2:
                info.default_vmetric = (float(dw2[0]) / 1000.0, float(dw2[1]) / 1000.0)
            info.vmetrics = _cid_vmetrics(cidfont.get("/W2"))


def font_info(font: Any) -> FontInfo:
    subtype = str(font.get("/Subtype", ""))
    simple = subtype in ("/Type1", "/TrueType", "/MMType1", "/Type3")
    info = FontInfo(simple=simple)
    if simple:
        info.unicode = _encoding_map(font)
    tu = font.get("/ToUnicode")
    tounicode = tu.read_bytes() if isinstance(tu, pikepdf.Stream) else None
    if not simple:
        _composite(font, info, tounicode)
    if tounicode is not None:
        info.unicode.update(parse_tounicode(tounicode))
    if simple:
        widths = font.get("/Widths")
        if isinstance(widths, pikepdf.Array):
            first = int(font.get("/FirstChar", 0))
            info.widths = {first + k: float(w) / 1000.0 for k, w in enumerate(widths)}
        else:
            info.widths = _base14_widths(str(font.get("/BaseFont", "/Helvetica"))[1:])
    return info
