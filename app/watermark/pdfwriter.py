"""Marked PDF structure, serialized once per original and spliced per download.

The first download of an original builds the marked structure with pikepdf (footer fonts, the
marked font copies, two content streams per page, Info tag, and XMP tag where the original has
a packet) around placeholders and saves it once as a classic cross-reference file. That file is
then cut into objects: the fixed dictionaries and arrays are packed, once, into compressed
object streams; fixed streams are kept as bytes. Every download writes the fixed bytes again,
generates the per-download objects (page bodies, footer streams, Info dictionary and XMP
packet with the tag) and ends with a cross-reference stream of the new offsets. Objects,
numbers and the page tree are those pikepdf wrote, so the result is the same document pikepdf
would save, without opening, modifying and saving it per download. Packing matters for size:
in a 4 KB letter the marked copy's dictionaries and table written uncompressed were a third
of the file.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pikepdf

from .footer import footer_lines
from .lines import RADIX, token
from .model import MarkSpec
from .pdffill import DocFill, build_fill
from .pdffonts import build_tounicode
from .pdftemplate import LINE_FONT, Analysis, literal
from .scan import PageImage, image_head

TAG_KEY = "/SettleroomTag"
XMP_PREFIX = "settleroom-download-tag:"
FOOTER_FONTS = {"/SRfH": "/Helvetica", "/SRfC": "/Courier-Bold"}
# Resources only a decorated copy needs (see legend.decor): the protective-order legend's bold
# face and the graphics state of the semi-transparent diagonal mark. A copy in the default
# footer position without an order legend has neither, so its bytes are what they always were.
STYLED_FONTS = {"/SRfB": "/Helvetica-Bold"}
ALPHA_STATE = "/SRgs"
DIAGONAL_ALPHA = 0.3
# The diagonal tag's digits are drawn in an embedded subset of Bitstream Vera Sans Bold (the
# TrueType file reportlab ships), so every renderer draws the same digit shapes and the pixel
# reader (tagpixels) can compare a page with digits drawn exactly as the copy drew them.
DIGIT_FONT = "/SRfD"
DIGIT_CHARS = "-0123456789"
FOOTER_MARK = b"% settleroom footer\n"
_PLACEHOLDER = "SRTAGPLACEHOLDER7F3A"


# --------------------------------------------------------------------------- pikepdf structure
def helv_width(text: str, size: float, face: str = "Helvetica") -> float:
    from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]

    return float(pdfmetrics.stringWidth(text, face, size))


def footer_stream(mark: MarkSpec, width: float, bates: str | None = None) -> bytes:
    """The page's footer: who the copy is for and its tag, centred, and the page's Bates
    number (if produced) right-aligned below them, in the same stream: drawn last, over
    the page, and read by the footer scan as the tag is (a Bates number has no 12-digit
    run of its own, see ``app.documents.bates``, so it is never taken for a tag)."""
    line1, line2 = footer_lines(mark)
    enc1 = line1.encode("cp1252", errors="replace")
    enc2 = line2.encode("cp1252", errors="replace")
    x1 = max(18.0, (width - helv_width(line1, 7)) / 2)
    x2 = max(18.0, (width - 0.6 * 10 * len(line2)) / 2)
    stamp = b""
    if bates:
        x3 = max(18.0, width - 18.0 - 0.6 * 10 * len(bates))
        stamp = b"BT /SRfC 10 Tf %.2f 9 Td " % x3 + literal(bates.encode("ascii")) + b" Tj ET "
    return (
        FOOTER_MARK + b"q 0.25 g BT /SRfH 7 Tf %.2f 36 Td " % x1 + literal(enc1) + b" Tj ET "
        b"BT /SRfC 10 Tf %.2f 22 Td " % x2 + literal(enc2) + b" Tj ET " + stamp + b"Q\n"
    )


def footer_fonts(pdf: Any, decor: str = "") -> dict[str, Any]:
    """The mark's standard fonts; with `decor` (see mark_structure) the bold face and the
    transparency state too, and for a diagonal ("d") the digit font."""
    faces = {**FOOTER_FONTS, **STYLED_FONTS} if decor else FOOTER_FONTS
    shared = {
        name: pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name(base), Encoding=pikepdf.Name.WinAnsiEncoding,
        ))
        for name, base in faces.items()
    }
    if decor:
        shared[ALPHA_STATE] = _alpha_state(pdf)
    if decor == "d":
        shared[DIGIT_FONT] = digit_font(pdf)
    return shared


@dataclass(frozen=True)
class DigitFace:
    """The embedded digit font: its subset program and metrics (per mille of the em)."""

    program: bytes
    widths: dict[str, float]
    bbox: tuple[float, ...]
    ascent: float
    descent: float
    cap_height: float
    stem_v: float
    flags: int


@functools.cache
def digit_face() -> DigitFace:
    """Built once per process from a file shipped in a package (no document content)."""
    import os

    import reportlab  # type: ignore[import-untyped]
    from reportlab.pdfbase.ttfonts import TTFontFile  # type: ignore[import-untyped]

    f = TTFontFile(os.path.join(os.path.dirname(reportlab.__file__), "fonts", "VeraBd.ttf"))
    codes = [0] * (ord("9") + 1)
    for ch in DIGIT_CHARS:
        codes[ord(ch)] = ord(ch)
    return DigitFace(f.makeSubset(codes), {ch: float(f.charWidths[ord(ch)]) for ch in DIGIT_CHARS},
                     tuple(float(v) for v in f.bbox), float(f.ascent), float(f.descent),
                     float(f.capHeight), float(f.stemV), int(f.flags))


def digit_font(pdf: Any) -> Any:
    """The digit font as an indirect TrueType font of `pdf` (codes are ASCII)."""
    face = digit_face()
    first, last = ord(DIGIT_CHARS[0]), ord("9")
    name = pikepdf.Name("/SRDGTS+BitstreamVeraSans-Bold")
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=name, Flags=face.flags,
        FontBBox=list(face.bbox), ItalicAngle=0, Ascent=face.ascent, Descent=face.descent,
        CapHeight=face.cap_height, StemV=face.stem_v,
        FontFile2=pdf.make_stream(face.program, Length1=len(face.program)))
    widths = [face.widths.get(chr(c), 0.0) for c in range(first, last + 1)]
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /SRDigits "
            "def /CMapType 2 def 1 begincodespacerange <00> <FF> endcodespacerange "
            f"{len(DIGIT_CHARS)} beginbfchar "
            + " ".join(f"<{ord(ch):02X}> <{ord(ch):04X}>" for ch in DIGIT_CHARS)
            + " endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.TrueType, BaseFont=name,
        FirstChar=first, LastChar=last, Widths=widths,
        FontDescriptor=pdf.make_indirect(descriptor),
        ToUnicode=pdf.make_stream(cmap.encode("ascii"))))


def _alpha_state(pdf: Any) -> Any:
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.ExtGState, ca=DIAGONAL_ALPHA, CA=DIAGONAL_ALPHA))


def _add_alpha(res: Any, state: Any) -> None:
    if not isinstance(res.get("/ExtGState"), pikepdf.Dictionary):
        res.ExtGState = pikepdf.Dictionary()
    res.ExtGState[ALPHA_STATE] = state


def add_fonts(pdf: Any, page: Any, shared: dict[str, Any], marked: dict[str, bytes],
              marked_of: dict[str, str]) -> None:
    """Footer fonts (shared by all pages) and, per original font that carries text marks, a
    copy of it whose ToUnicode maps the marked codes to their variants (memoised per font).
    A decorated copy's `shared` also holds the bold face, the diagonal's graphics state
    and its digit font (footer_fonts)."""
    res = page.obj.get("/Resources")
    if not isinstance(res, pikepdf.Dictionary):
        res = page.obj.Resources = pikepdf.Dictionary()
    if "/Font" not in res:
        res.Font = pikepdf.Dictionary()
    fonts = res.Font
    for name in (*FOOTER_FONTS, *STYLED_FONTS, DIGIT_FONT):
        if name in shared:
            fonts[name] = shared[name]
    if ALPHA_STATE in shared:
        _add_alpha(res, shared[ALPHA_STATE])
    for mname, cmap in marked.items():
        src = fonts[marked_of[mname]]
        key = f"{src.objgen}{mname}"
        if key not in shared:
            copy = pikepdf.Dictionary({k: v for k, v in src.items() if k != "/ToUnicode"})
            copy.ToUnicode = pdf.make_stream(cmap)
            shared[key] = pdf.make_indirect(copy)
        fonts[mname] = shared[key]


def line_font(pdf: Any) -> Any:
    """The line-end tokens' font (lines.py): Type 3, every code 1..64 the same empty glyph of
    width 0 (it draws nothing and moves nothing), its ToUnicode the code's token."""
    glyph = pdf.make_stream(b"0 0 d0")
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type3, FontBBox=[0, 0, 0, 0],
        FontMatrix=[0.001, 0, 0, 0.001, 0, 0], CharProcs=pikepdf.Dictionary(e=glyph),
        Encoding=pikepdf.Dictionary(Type=pikepdf.Name.Encoding,
                                    Differences=[1, *([pikepdf.Name.e] * RADIX)]),
        FirstChar=1, LastChar=RADIX, Widths=[0] * RADIX, Resources=pikepdf.Dictionary(),
        ToUnicode=pdf.make_stream(build_tounicode({s + 1: token(s) for s in range(RADIX)}))))


def _add_line_font(pdf: Any, page: Any, shared: dict[str, Any]) -> None:
    if LINE_FONT not in shared:
        shared[LINE_FONT] = line_font(pdf)
    page.obj.Resources.Font[LINE_FONT] = shared[LINE_FONT]


def set_metadata(pdf: Any, tag: str) -> None:
    """The tag in the Info dictionary, and in the XMP packet when the original has one (a
    packet made only to carry the tag was a tenth of a marked letter, and every tool that
    strips Info strips XMP with it)."""
    pdf.docinfo[TAG_KEY] = tag
    if "/Metadata" in pdf.Root:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["dc:identifier"] = XMP_PREFIX + tag


def mark_structure(pdf: Any, an: Analysis, use_text: bool, tag: str | None,
                   decor: str = "") -> list[Any]:
    """Fonts, metadata and per page a [body, footer] Contents array of empty streams that the
    caller fills (`an` is the analysis of the original `pdf` was opened from); returns those
    Contents arrays. `decor` (legend.decor): "" for the plain footer, "b" for the resources
    of an order legend, "d" for those of a diagonal mark."""
    shared = footer_fonts(pdf, decor)
    contents = []
    for k, page in enumerate(pdf.pages):
        pt = an.pages[k]
        add_fonts(pdf, page, shared, dict(pt.marked_fonts) if use_text else {}, pt.marked_of)
        if use_text and pt.has_lines:
            _add_line_font(pdf, page, shared)
        page.obj.Contents = pikepdf.Array([pdf.make_stream(b""), pdf.make_stream(b"")])
        contents.append(page.obj.Contents)
    if tag is not None:
        set_metadata(pdf, tag)
    return contents


# --------------------------------------------------------------------------- byte template
@dataclass(frozen=True)
class Var:
    """A per-download object: a page body or footer, the Info dict or the XMP stream."""

    kind: str  # "body" | "footer" | "info" | "xmp" | "image"
    page: int = -1
    parts: tuple[bytes, ...] = ()  # info: object bytes split at the tag; xmp: packet split
    head: bytes = b""  # xmp, image: stream dictionary without its closing ">>"
    key: tuple[int, int] = (0, 0)  # image: the original's object id (scan.marked_images)


@dataclass(frozen=True)
class Packed:
    """The fixed dictionaries and arrays, in compressed object streams (written once)."""

    streams: tuple[bytes, ...]  # each a whole "N 0 obj ... endobj" object stream
    first: int  # the first stream's object number; the others follow, then the xref stream
    where: dict[int, tuple[int, int]]  # object number -> (its object stream, index in it)


@dataclass(frozen=True)
class Template:
    header: bytes
    objects: tuple[tuple[int, bytes | Var], ...]  # written directly, in file order
    trailer: tuple[bytes, ...]  # xref stream keys, split around the second /ID string (hex)
    id1: bytes
    widths: tuple[float, ...]
    fill: DocFill
    heights: tuple[float, ...]
    packed: Packed


_XREF = re.compile(rb"xref\n0 (\d+)\n")
_ID = re.compile(rb"/ID \[<([0-9a-f]{32})><([0-9a-f]{32})>\]")


def _objects(data: bytes) -> tuple[list[tuple[int, int]], int, bytes]:
    """(object number, offset) in file order, the xref offset and the trailer dictionary of a
    classic single-section cross-reference file as pikepdf writes it."""
    sx = data.rindex(b"startxref")
    xref_at = int(data[sx + 9 :].split()[0])
    m = _XREF.match(data, xref_at)
    if m is None:
        raise ValueError("not a classic xref table")
    n, at = int(m.group(1)), m.end()
    objs = []
    for i in range(1, n):
        entry = data[at + 20 * i : at + 20 * i + 20]
        if entry[10:18] != b" 00000 n":
            raise ValueError("unexpected xref entry")
        objs.append((i, int(entry[:10])))
    objs.sort(key=lambda o: o[1])
    if any(not data.startswith(b"%d 0 obj" % num, off) for num, off in objs):
        raise ValueError("xref offsets do not point at objects")
    trailer = data[at + 20 * n : sx]
    if not trailer.startswith(b"trailer"):
        raise ValueError("no trailer")
    return objs, xref_at, trailer


def _variables(saved: bytes, images: Sequence[PageImage]) -> tuple[dict[int, Var], set[int]]:
    """The per-download objects by number, and the numbers of every stream."""
    out: dict[int, Var] = {}
    with pikepdf.open(io.BytesIO(saved)) as pdf:
        streams = {o.objgen[0] for o in pdf.objects if isinstance(o, pikepdf.Stream)}
        for k, page in enumerate(pdf.pages):
            body, foot = page.obj.Contents[0], page.obj.Contents[1]
            out[body.objgen[0]] = Var("body", k)
            out[foot.objgen[0]] = Var("footer", k)
        for im in images:  # saving renumbered the objects: found again by page and name
            xobj = pdf.pages[im.page].Resources.XObject[im.name]
            filt = "/DCTDecode" if str(xobj.get("/Filter")) == "/DCTDecode" else "/FlateDecode"
            out[xobj.objgen[0]] = Var("image", im.page, head=image_head(xobj, filt),
                                      key=im.objgen)
        info = pdf.trailer.get("/Info")
        if info is not None and TAG_KEY in info:
            out[info.objgen[0]] = Var("info")
        meta = pdf.Root.get("/Metadata")
        if meta is not None and TAG_KEY in (info or {}):
            sd = pikepdf.Dictionary({k: v for k, v in meta.stream_dict.items()
                                     if k not in ("/Length", "/Filter", "/DecodeParms")})
            head = sd.unparse().rstrip()
            parts = tuple(meta.read_bytes().split(_PLACEHOLDER.encode()))
            out[meta.objgen[0]] = Var("xmp", parts=parts, head=head[: head.rindex(b">>")])
    return out, streams


_FLATE = re.compile(rb"(\d+) 0 obj\n<< /Length \d+ /Filter /FlateDecode >>\nstream\n(.*)"
                    rb"\nendstream\nendobj\n", re.S)


def _unpacked(obj: bytes) -> bytes:
    """A fixed stream as written, or uncompressed when that is shorter (the empty glyph of the
    token font is 6 bytes, 14 compressed)."""
    m = _FLATE.fullmatch(obj) if len(obj) < 256 else None
    if m is None:
        return obj
    data = zlib.decompress(m.group(2))
    if len(data) >= len(m.group(2)) + len(b" /Filter /FlateDecode"):
        return obj
    return (b"%s 0 obj\n<< /Length %d >>\nstream\n" % (m.group(1), len(data)) + data
            + b"\nendstream\nendobj\n")


PER_STREAM = 200  # objects per object stream: a reader decompresses a whole stream for one


def _pack(fixed: Sequence[tuple[int, bytes]], first: int) -> Packed:
    """`fixed` (number, "N 0 obj ... endobj" bytes of a dictionary or array) as object
    streams numbered from `first`."""
    streams: list[bytes] = []
    where: dict[int, tuple[int, int]] = {}
    for at in range(0, len(fixed), PER_STREAM):
        group = fixed[at : at + PER_STREAM]
        bodies, index, off = [], [], 0
        for i, (num, obj) in enumerate(group):
            head = b"%d 0 obj\n" % num
            if not (obj.startswith(head) and obj.endswith(b"\nendobj\n")):
                raise ValueError("unexpected object layout")
            body = obj[len(head) : -len(b"\nendobj\n")] + b"\n"
            index.append(b"%d %d" % (num, off))
            bodies.append(body)
            off += len(body)
            where[num] = (first + len(streams), i)
        table = b" ".join(index) + b"\n"
        data = zlib.compress(table + b"".join(bodies), 9)
        streams.append(b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode "
                       b"/Length %d >>\nstream\n" % (first + len(streams), len(group),
                                                     len(table), len(data))
                       + data + b"\nendstream\nendobj\n")
    return Packed(tuple(streams), first, where)


_SIZE = re.compile(rb"\s*/Size \d+")


def _xref_keys(trailer: bytes) -> bytes:
    """The classic trailer's keys (Root, Info, ID) for the xref stream's dictionary."""
    body = trailer[len(b"trailer") :].strip()
    if not (body.startswith(b"<<") and body.endswith(b">>")):
        raise ValueError("unexpected trailer")
    return _SIZE.sub(b"", body[2:-2]).strip()


def template(original: bytes, an: Analysis, use_text: bool, use_meta: bool,
             images: Sequence[PageImage] = (), decor: str = "") -> Template:
    """The marked structure of `original` (analysed as `an`) for one set of channels; the
    caller keeps it with the original (see pdf.pdf_template). `images` are the page images
    each download replaces with its marked version (scan.marked_images); `decor` adds the
    resources of an order legend or a diagonal mark (see mark_structure)."""
    with pikepdf.open(io.BytesIO(original)) as pdf:
        mark_structure(pdf, an, use_text, _PLACEHOLDER if use_meta else None, decor)
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                 compress_streams=True, deterministic_id=True, min_version="1.5")
    saved = out.getvalue()
    objs, xref_at, trailer = _objects(saved)
    var, streams = _variables(saved, images)
    ends = [off for _, off in objs[1:]] + [xref_at]
    items: list[tuple[int, bytes | Var]] = []
    fixed: list[tuple[int, bytes]] = []
    for (num, off), end in zip(objs, ends, strict=True):
        v = var.get(num)
        if v is not None and v.kind == "info":
            v = Var("info", parts=tuple(saved[off:end].split(_PLACEHOLDER.encode())))
        if v is None and num not in streams:
            fixed.append((num, saved[off:end]))
        else:
            items.append((num, _unpacked(saved[off:end]) if v is None else v))
    keys = _xref_keys(trailer)
    m = _ID.search(keys)
    split = (keys[: m.start(2)], keys[m.end(2) :]) if m else (keys,)
    return Template(saved[: objs[0][1]], tuple(items), split, m.group(1) if m else b"",
                    tuple(w for w, _ in an.page_sizes), build_fill(an.pages),
                    tuple(h for _, h in an.page_sizes), _pack(fixed, len(objs) + 1))


def template_nbytes(t: Template) -> int:
    """Approximate memory of a Template: its byte pieces and the fill arrays."""
    pieces = len(t.header) + sum(map(len, t.trailer)) + sum(map(len, t.packed.streams))
    pieces += 100 * len(t.packed.where)
    for _, item in t.objects:
        pieces += 60 + (len(item) if isinstance(item, bytes)
                        else len(item.head) + sum(map(len, item.parts)))
    f = t.fill
    arrays = (f.superset.nbytes + f.sublens.nbytes + f.keys.nbytes + f.wants.nbytes
              + f.page_starts.nbytes)
    return pieces + arrays


def _stream(num: int, head: bytes, data: bytes | memoryview | list[bytes]
            ) -> list[bytes | memoryview]:
    """A stream object around `data` (one string, or a list of them written in turn)."""
    pieces: list[bytes | memoryview] = list(data) if isinstance(data, list) else [data]
    return [b"%d 0 obj\n%s /Length %d >>\nstream\n" % (num, head, sum(map(len, pieces))),
            *pieces, b"\nendstream\nendobj\n"]


def render(t: Template, bodies: Sequence[bytes], footers: Sequence[bytes], tag: str,
           images: Mapping[tuple[int, int], tuple[bytes | list[bytes], str]] | None = None
           ) -> bytes:
    """One download's file: `bodies` and `footers` Flate-compressed page contents,
    `images` the marked page images by original object id (when the template has any), each
    one string or the list of strings it is made of (written without joining them first)."""
    tagb = tag.encode("ascii")
    parts: list[bytes | memoryview] = [t.header]
    packed = t.packed
    xref_num = packed.first + len(packed.streams)
    offsets = [0] * (xref_num + 1)
    pos = len(t.header)
    for num, item in t.objects:
        offsets[num] = pos
        if isinstance(item, bytes):
            chunk: list[bytes | memoryview] = [item]
        elif item.kind == "body":
            chunk = _stream(num, b"<< /Filter /FlateDecode", bodies[item.page])
        elif item.kind == "footer":
            chunk = _stream(num, b"<< /Filter /FlateDecode", footers[item.page])
        elif item.kind == "info":
            chunk = [tagb.join(item.parts)]
        elif item.kind == "image":
            assert images is not None, "a template with page images needs their marked data"
            chunk = _stream(num, item.head, images[item.key][0])
        else:
            chunk = _stream(num, item.head, tagb.join(item.parts))
        parts += chunk
        pos += sum(map(len, chunk))
    for k, stream in enumerate(packed.streams):
        offsets[packed.first + k] = pos
        parts.append(stream)
        pos += len(stream)
    offsets[xref_num] = pos
    table = zlib.compress(_xref_rows(offsets, packed.where))
    keys = t.trailer[0]
    if len(t.trailer) == 2:
        id2 = hashlib.md5(t.id1 + b"|" + tagb + b"|%d" % pos, usedforsecurity=False)
        keys = t.trailer[0] + id2.hexdigest().encode() + t.trailer[1]
    parts.append(b"%d 0 obj\n<< %s /Type /XRef /Size %d /W [1 %d 2] /Filter /FlateDecode "
                 b"/Length %d >>\nstream\n" % (xref_num, keys, xref_num + 1,
                                               _width(max(pos, xref_num)), len(table)))
    parts += [table, b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % pos]
    return b"".join(parts)


def _width(pos: int) -> int:
    return max(1, (pos.bit_length() + 7) // 8)


def _xref_rows(offsets: Sequence[int], where: Mapping[int, tuple[int, int]]) -> bytes:
    """The cross-reference stream's rows (PDF 32000-1, 7.5.8): object 0 free, packed objects
    by their object stream and index, the rest by offset; fields of 1, w and 2 bytes."""
    w = _width(max(offsets[-1], len(offsets)))
    rows = bytearray(b"\x00" + bytes(w) + b"\xff\xff")
    for num in range(1, len(offsets)):
        at = where.get(num)
        if at is None:
            rows += b"\x01" + offsets[num].to_bytes(w, "big") + b"\x00\x00"
        else:
            rows += b"\x02" + at[0].to_bytes(w, "big") + at[1].to_bytes(2, "big")
    return bytes(rows)
