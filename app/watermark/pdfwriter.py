"""Marked PDF structure, serialized once per original and spliced per download.

The first download of an original builds the marked structure with pikepdf (footer fonts, the
marked font copies, two content streams per page, Info/XMP tag) around placeholders and saves it
once as a classic cross-reference file. Every download then writes that file again object by
object: fixed objects are copied as bytes, the per-download ones (page bodies, footer streams,
Info dictionary and XMP packet with the tag) are generated, and the xref table is rebuilt with
the new offsets. Objects, numbers and the page tree are those pikepdf wrote, so the result is the
same document pikepdf would save, without opening, modifying and saving it per download.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
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
_XMP = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier>{ident}</dc:identifier>'
    '</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>'
)


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
    pdf.docinfo[TAG_KEY] = tag
    if "/Metadata" not in pdf.Root:  # common case: write a minimal packet directly (fast)
        packet = _XMP.format(ident=XMP_PREFIX + tag).encode("utf-8")
        pdf.Root.Metadata = pdf.make_stream(
            packet, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML
        )
        return
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
class Template:
    header: bytes
    objects: tuple[tuple[int, bytes | Var], ...]  # in file order
    trailer: tuple[bytes, ...]  # split around the second /ID string (hex)
    id1: bytes
    widths: tuple[float, ...]
    fill: DocFill
    heights: tuple[float, ...] = ()


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


def _variables(saved: bytes, images: Sequence[PageImage]) -> dict[int, Var]:
    out: dict[int, Var] = {}
    with pikepdf.open(io.BytesIO(saved)) as pdf:
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
    return out


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
                 compress_streams=True, deterministic_id=True)
    saved = out.getvalue()
    objs, xref_at, trailer = _objects(saved)
    var = _variables(saved, images)
    ends = [off for _, off in objs[1:]] + [xref_at]
    items: list[tuple[int, bytes | Var]] = []
    for (num, off), end in zip(objs, ends, strict=True):
        v = var.get(num)
        if v is not None and v.kind == "info":
            v = Var("info", parts=tuple(saved[off:end].split(_PLACEHOLDER.encode())))
        items.append((num, saved[off:end] if v is None else v))
    m = _ID.search(trailer)
    split = (trailer[: m.start(2)], trailer[m.end(2) :]) if m else (trailer,)
    return Template(saved[: objs[0][1]], tuple(items), split, m.group(1) if m else b"",
                    tuple(w for w, _ in an.page_sizes), build_fill(an.pages),
                    tuple(h for _, h in an.page_sizes))


def template_nbytes(t: Template) -> int:
    """Approximate memory of a Template: its byte pieces and the fill arrays."""
    pieces = len(t.header) + sum(map(len, t.trailer))
    for _, item in t.objects:
        pieces += 60 + (len(item) if isinstance(item, bytes)
                        else len(item.head) + sum(map(len, item.parts)))
    f = t.fill
    arrays = (f.superset.nbytes + f.sublens.nbytes + f.keys.nbytes + f.wants.nbytes
              + f.page_starts.nbytes)
    return pieces + arrays


def _stream(num: int, head: bytes, data: bytes | memoryview) -> list[bytes | memoryview]:
    return [b"%d 0 obj\n%s /Length %d >>\nstream\n" % (num, head, len(data)), data,
            b"\nendstream\nendobj\n"]


def render(t: Template, bodies: Sequence[bytes], footers: Sequence[bytes], tag: str,
           images: Mapping[tuple[int, int], tuple[bytes, str]] | None = None) -> bytes:
    """One download's file: `bodies` Flate-compressed page contents, `footers` raw streams,
    `images` the marked page images by original object id (when the template has any)."""
    tagb = tag.encode("ascii")
    parts: list[bytes | memoryview] = [t.header]
    offsets = [0] * (len(t.objects) + 1)
    pos = len(t.header)
    for num, item in t.objects:
        offsets[num] = pos
        if isinstance(item, bytes):
            chunk: list[bytes | memoryview] = [item]
        elif item.kind == "body":
            chunk = _stream(num, b"<< /Filter /FlateDecode", bodies[item.page])
        elif item.kind == "footer":
            chunk = _stream(num, b"<<", footers[item.page])
        elif item.kind == "info":
            chunk = [tagb.join(item.parts)]
        elif item.kind == "image":
            assert images is not None, "a template with page images needs their marked data"
            chunk = _stream(num, item.head, images[item.key][0])
        else:
            chunk = _stream(num, item.head, tagb.join(item.parts))
        parts += chunk
        pos += sum(map(len, chunk))
    parts.append(b"xref\n0 %d\n0000000000 65535 f \n" % len(offsets))
    parts.append(b"".join(b"%010d 00000 n \n" % o for o in offsets[1:]))
    if len(t.trailer) == 2:
        id2 = hashlib.md5(t.id1 + b"|" + tagb + b"|%d" % pos, usedforsecurity=False)
        parts += [t.trailer[0], id2.hexdigest().encode(), t.trailer[1]]
    else:
        parts.append(t.trailer[0])
    parts.append(b"startxref\n%d\n%%%%EOF\n" % pos)
    return b"".join(parts)
