"""PDF downloads: footer overlay, Info/XMP tag, text-layer marks and word-shift geometry.

Embedding keeps what is drawn: marked glyphs are the same glyphs of the same font program shown
through a copy of the font whose ToUnicode maps them to their variants, so copy-paste and
extraction return the variants while the raster is unchanged; geometry shifts whole words by
+/-0.45 pt and restores the pen position after each word. The original content is wrapped in
q/Q and the footer is drawn last, in its own content stream.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import pikepdf

from crypto.fingerprint import code_bits

from .footer import footer_lines
from .model import Canary, Evidence, MarkSpec
from .pdfcontent import join_text, walk
from .pdftemplate import PAGE_SEP, analyse, choices, fill
from .reading import BitReading, Reading
from .text import TEXT_LABEL, read_slots, text_overlap

PDF_TEXT_LABEL = "pdftext/v1"
GEOMETRY_LABEL = "geometry/v1"
TAG_KEY = "/SettleroomTag"
_XMP_PREFIX = "settleroom-download-tag:"
_FOOTER_FONTS = {"/SRfH": "/Helvetica", "/SRfC": "/Courier-Bold"}
_FOOTER_MARK = b"% settleroom footer\n"
__all__ = ["embed_pdf", "original_text", "read_pdf_evidence", "TEXT_LABEL"]


def original_text(original: bytes) -> str:
    return analyse(original).text


def _helv_width(text: str, size: float) -> float:
    from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]

    return float(pdfmetrics.stringWidth(text, "Helvetica", size))


def _footer_stream(mark: MarkSpec, width: float) -> bytes:
    from .pdftemplate import literal

    line1, line2 = footer_lines(mark)
    enc1 = line1.encode("cp1252", errors="replace")
    enc2 = line2.encode("cp1252", errors="replace")
    x1 = max(18.0, (width - _helv_width(line1, 7)) / 2)
    x2 = max(18.0, (width - 0.6 * 10 * len(line2)) / 2)
    return (
        _FOOTER_MARK + b"q 0.25 g BT /SRfH 7 Tf %.2f 36 Td " % x1 + literal(enc1) + b" Tj ET "
        b"BT /SRfC 10 Tf %.2f 22 Td " % x2 + literal(enc2) + b" Tj ET Q\n"
    )


def _footer_fonts(pdf: Any) -> dict[str, Any]:
    return {
        name: pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name(base), Encoding=pikepdf.Name.WinAnsiEncoding,
        ))
        for name, base in _FOOTER_FONTS.items()
    }


def _add_fonts(pdf: Any, page: Any, shared: dict[str, Any], marked: dict[str, bytes],
               marked_of: dict[str, str]) -> None:
    """Footer fonts (shared by all pages) and, per original font that carries text marks, a
    copy of it whose ToUnicode maps the marked codes to their variants (memoised per font)."""
    res = page.obj.get("/Resources")
    if not isinstance(res, pikepdf.Dictionary):
        res = page.obj.Resources = pikepdf.Dictionary()
    if "/Font" not in res:
        res.Font = pikepdf.Dictionary()
    fonts = res.Font
    for name in _FOOTER_FONTS:
        fonts[name] = shared[name]
    for mname, cmap in marked.items():
        src = fonts[marked_of[mname]]
        key = f"{src.objgen}{mname}"
        if key not in shared:
            copy = pikepdf.Dictionary({k: v for k, v in src.items() if k != "/ToUnicode"})
            copy.ToUnicode = pdf.make_stream(cmap)
            shared[key] = pdf.make_indirect(copy)
        fonts[mname] = shared[key]


def _flate(pdf: Any, data: bytes) -> Any:
    """Fast zlib (level 1) here rather than the writer's default level on every download."""
    return pdf.make_stream(zlib.compress(data, 1), Filter=pikepdf.Name.FlateDecode)


_XMP = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier>{ident}</dc:identifier>'
    '</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>'
)


def _set_metadata(pdf: Any, tag: str) -> None:
    pdf.docinfo[TAG_KEY] = tag
    if "/Metadata" not in pdf.Root:  # common case: write a minimal packet directly (fast)
        packet = _XMP.format(ident=_XMP_PREFIX + tag).encode("utf-8")
        pdf.Root.Metadata = pdf.make_stream(
            packet, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML
        )
        return
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:identifier"] = _XMP_PREFIX + tag


def embed_pdf(original: bytes, mark: MarkSpec) -> bytes:
    an = analyse(original)
    code = mark.download_code
    n_text, n_geo = len(an.text_slots), len(an.geo_slots)
    use_text = "text" in mark.channels
    text_bits = code_bits(code, PDF_TEXT_LABEL, n_text) if use_text else (0,) * n_text
    geo_bits = (code_bits(code, GEOMETRY_LABEL, n_geo)
                if "geometry" in mark.channels else (2,) * n_geo)
    choice = choices(text_bits, geo_bits)
    with pikepdf.open(io.BytesIO(original)) as pdf:
        shared = _footer_fonts(pdf)
        for k, page in enumerate(pdf.pages):
            pt = an.pages[k]
            used = dict(pt.marked_fonts) if use_text else {}
            _add_fonts(pdf, page, shared, used, pt.marked_of)
            body = b"q\n" + fill(pt, choice) + b"Q\n"
            footer = _footer_stream(mark, an.page_sizes[k][0])
            page.obj.Contents = pikepdf.Array([_flate(pdf, body), pdf.make_stream(footer)])
        if "metadata" in mark.channels:
            _set_metadata(pdf, mark.tag)
        out = io.BytesIO()
        pdf.save(out, compress_streams=False)
    return out.getvalue()


# --------------------------------------------------------------------------- reading
def _metadata_tags(pdf: Any) -> list[str]:
    tags = []
    val = pdf.docinfo.get(TAG_KEY) if "/Info" in pdf.trailer else None
    if val is not None and str(val).isdigit():
        tags.append(str(val))
    try:
        meta = pdf.open_metadata()
        ident = str(meta.get("dc:identifier", ""))
    except Exception:  # noqa: BLE001 - malformed XMP is just absent metadata
        ident = ""
    for m in re.finditer(re.escape(_XMP_PREFIX) + r"(\d+)", ident):
        tags.append(m.group(1))
    return tags


def _footer_texts(pdf: Any) -> list[str]:
    """Raw footer streams (cheap): the tag is a literal string in them."""
    out = []
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        if isinstance(contents, pikepdf.Array) and len(contents):
            last = contents[len(contents) - 1]
            if isinstance(last, pikepdf.Stream):
                raw = last.read_bytes()
                if raw.startswith(_FOOTER_MARK):
                    out.append(raw.decode("latin-1"))
    return out


def _extract(pdf: Any) -> list[str]:
    texts = []
    for page in pdf.pages:
        ops = pikepdf.parse_content_stream(page)
        texts.append(join_text(walk(page, ops))[0])
    return texts


def _text_layer(original: bytes, texts: list[str]) -> list[int | None]:
    an = analyse(original)
    if len(texts) != len(an.page_text):
        return read_slots(an.text, an.text_slots, PAGE_SEP.join(texts))
    values: list[int | None] = [None] * len(an.text_slots)
    for k, evid in enumerate(texts):
        lo, hi = an.page_offset[k], an.page_offset[k] + len(an.page_text[k])
        idx = [i for i, s in enumerate(an.text_slots) if lo <= s.pos < hi]
        if not idx:
            continue
        local = [an.text_slots[i] for i in idx]
        from .text import Slot

        shifted = [Slot(s.pos - lo, s.base, s.variant) for s in local]
        for i, v in zip(idx, read_slots(an.page_text[k], shifted, evid), strict=True):
            values[i] = v
    return values


def read_text_evidence(evidence: str, original: bytes) -> Reading:
    an = analyse(original)
    values = read_slots(an.text, an.text_slots, evidence)
    r = Reading(tag_texts=[evidence])
    r.bits["text"] = BitReading(PDF_TEXT_LABEL, values)
    if any(v == 1 for v in values):
        r.found.add("text")
    return r


def read_pdf_file(evidence: bytes, original: bytes, thorough: bool) -> Reading:
    r = Reading()
    with pikepdf.open(io.BytesIO(evidence)) as pdf:
        r.metadata_tags = _metadata_tags(pdf)
        if r.metadata_tags:
            r.found.add("metadata")
        r.tag_texts += _footer_texts(pdf)
        if not thorough and r.metadata_tags and r.tag_texts:
            return r
        texts = _extract(pdf)
    r.tag_texts.append(PAGE_SEP.join(texts))
    values = _text_layer(original, texts)
    r.bits["text"] = BitReading(PDF_TEXT_LABEL, values)
    if any(v == 1 for v in values):
        r.found.add("text")
    return r


def _text_marked(r: Reading) -> bool:
    """A marked text layer shows variants at about half its slots; a re-rendered one that kept
    only some mappings (or none) shows few, and then the pixels are read as well."""
    br = r.bits.get("text")
    if br is None or br.read < 16:
        return False
    return sum(v == 1 for v in br.values) >= 0.3 * br.read


def _worth_rendering(r: Reading, original: bytes) -> bool:
    """Pixels are read only when the text layer is missing or unmarked but belongs to this
    original (e.g. re-rendered through another producer), never for an unrelated document."""
    text = r.tag_texts[-1] if r.tag_texts else ""
    if len(text.strip()) < 200:
        return True
    return text_overlap(analyse(original).text, text) >= 0.3


def read_pdf_evidence(
    evidence: Evidence,
    original: bytes,
    canaries: Sequence[Canary],
    ocr: Callable[[bytes], str] | None,
    thorough: bool = False,
) -> Reading:
    if isinstance(evidence, str):
        return read_text_evidence(evidence, original)
    if isinstance(evidence, bytes):
        r = read_pdf_file(evidence, original, thorough)
        if "metadata" in r.found or _text_marked(r) or not _worth_rendering(r, original):
            return r
        from .geometry import read_rendered

        r.merge(read_rendered(evidence, original, ocr))
        return r
    from .geometry import read_page_images

    return read_page_images(evidence, original, ocr)
