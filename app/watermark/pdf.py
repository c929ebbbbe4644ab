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
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import pikepdf
from zlib_ng import zlib_ng

from crypto.fingerprint import code_bit_bytes

from . import codes
from .footer import bates_of
from .legend import decor, page_stream
from .lines import BITS, line_ends, line_starts
from .model import (
    DENSE_SCHEME,
    GEOMETRY_LABEL,
    PDF_TEXT_LABEL,
    SEGMENT_SCHEME,
    Canary,
    Evidence,
    Issue,
    MarkSpec,
)
from .pdfcontent import join_text, open_original, walk
from .pdffill import fill_bodies
from .pdftemplate import LINE_OFF, PAGE_SEP, analysis
from .pdfwriter import (
    FOOTER_MARK,
    TAG_KEY,
    XMP_PREFIX,
    Template,
    mark_structure,
    render,
    template,
    template_nbytes,
)
from .prepared import Prepared
from .reading import BitReading, Reading, Unreadable, guarded
from .scan import assembled_images, marked_images
from .scan import layout as scan_layout
from .text import (
    TEXT_LABEL,
    FoldedText,
    Slot,
    TextEvidence,
    first_in_word,
    read_marks,
    text_overlap,
)

TEMPLATE_STAGE = "pdf_template"
# Page bodies and footers are rewritten for every download and compressed with zlib-ng (the
# same zlib streams, about twice as fast as the standard library's zlib at each level, and
# smaller at equal level). A body under SMALL_BODY bytes is compressed at level 7: in a small
# document the body is most of the copy (a 4 KB letter: 1.29x its original at 7 with the
# standard zlib, 1.30x at 6) and costs microseconds either way; a larger one at level 6,
# which on a browser-made page is smaller than the standard zlib's level 7 in 60 % of its
# time.
BODY_LEVEL = 6
SMALL_BODY_LEVEL = 7
SMALL_BODY = 16384


def deflate(data: bytes | memoryview) -> bytes:
    """A Flate stream of `data` at the level its size calls for."""
    return zlib_ng.compress(data, SMALL_BODY_LEVEL if len(data) < SMALL_BODY else BODY_LEVEL)
_XMP_PREFIX = XMP_PREFIX
_FOOTER_MARK = FOOTER_MARK
__all__ = ["embed_pdf", "embed_pdf_into", "original_text", "read_pdf_evidence", "TAG_KEY",
           "TEXT_LABEL"]


def original_text(prep: Prepared) -> str:
    return analysis(prep).text


def _folded(prep: Prepared) -> FoldedText:
    return prep.derive("pdf.folded", lambda: FoldedText.of(analysis(prep).text),
                       lambda f: f.nbytes)


def _page_folded(prep: Prepared) -> tuple[FoldedText, ...]:
    return prep.derive("pdf.page_folded",
                       lambda: tuple(FoldedText.of(t) for t in analysis(prep).page_text),
                       lambda fs: sum(f.nbytes for f in fs))


def _bits(code: bytes, label: str, n: int) -> npt.NDArray[np.uint8]:
    raw = np.frombuffer(code_bit_bytes(code, label, n), dtype=np.uint8)
    return np.unpackbits(raw)[:n]


def download_choice(prep: Prepared, mark: MarkSpec) -> npt.NDArray[np.uint8]:
    """The hook choices of pdftemplate.PageTemplate.index: 0/1 per text slot (0 when the text
    channel is off), 0/1 per geometry slot (2 when the geometry channel is off), the symbol
    of each line's end and start (LINE_OFF: no token) and 1 when line tokens are shown.
    Scheme 1 marks every text slot with a uniform bit and shows no tokens; scheme 2 marks
    few text slots (a word's first, 1 in SPARSE_RADIX) and every line's edges."""
    an = analysis(prep)
    n_text, n_geo, n_lines = len(an.text_slots), len(an.geo_slots), len(an.line_slots)
    lines = slice(n_text + n_geo, n_text + n_geo + n_lines)
    choice = np.zeros(n_text + n_geo + n_lines + 1, dtype=np.uint8)
    choice[lines] = LINE_OFF
    if "text" in mark.channels:
        if mark.scheme == DENSE_SCHEME:
            choice[:n_text] = codes.dense_bits(mark.download_code, n_text)
        else:
            choice[:n_text] = codes.sparse_bits(mark.download_code, n_text) & np.array(
                an.primary, dtype=np.uint8)
            choice[lines] = codes.line_symbols(mark.download_code, n_lines)
            choice[-1] = 1
    if "geometry" in mark.channels:
        choice[n_text:n_text + n_geo] = _bits(mark.download_code, GEOMETRY_LABEL, n_geo)
    else:
        choice[n_text:n_text + n_geo] = 2
    return choice


def _footers(mark: MarkSpec, sizes: Sequence[tuple[float, float]]) -> list[bytes]:
    """Each page's visible mark (legend.page_stream), in the mark's position."""
    if mark.bates:  # one Bates number per page: every footer differs
        return [page_stream(mark, w, h, bates_of(mark, k)) for k, (w, h) in enumerate(sizes)]
    by_size = {wh: page_stream(mark, *wh) for wh in set(sizes)}
    return [by_size[wh] for wh in sizes]


def _build_template(prep: Prepared, use_text: bool, use_meta: bool, use_image: bool,
                    extra: str) -> Template | Issue:
    try:
        images = scan_layout(prep).images if use_image else ()
        return template(prep.original, analysis(prep), use_text, use_meta, images, extra)
    except (ValueError, KeyError, IndexError, pikepdf.PdfError) as e:
        # A file structure the splice writer does not handle: every download of it is marked
        # through pikepdf instead, and reported (see embed_pdf). Anything else raises.
        return Issue.of(TEMPLATE_STAGE, e)


def pdf_template(prep: Prepared, use_text: bool, use_meta: bool, use_image: bool = False,
                 extra: str = "") -> Template | Issue:
    """The splice template for one set of channels (and, with `extra`, the resources of an
    order legend or a diagonal mark: legend.decor), built once per prepared original. A
    failure is remembered as long as the Prepared lives (building it again would cost as much
    as the fallback per download); the owner's cache bounds that lifetime."""
    key = f"pdf.template.{int(use_text)}{int(use_meta)}{int(use_image)}{extra}"
    return prep.derive(key,
                       lambda: _build_template(prep, use_text, use_meta, use_image, extra),
                       lambda t: template_nbytes(t) if isinstance(t, Template) else 0)


def embed_pdf(prep: Prepared, mark: MarkSpec,
              on_issue: Callable[[Issue], None] | None = None) -> bytes:
    """A marked copy through the splice template; when there is none, through pikepdf, and
    `on_issue` hears of it on every such download (the fallback is slower, never silent)."""
    if prep.in_file:
        raise ValueError("an original held in a file is marked into a file (embed_pdf_into)")
    use_text, use_meta = "text" in mark.channels, "metadata" in mark.channels
    use_image = "image" in mark.channels and bool(scan_layout(prep).images)
    choice = download_choice(prep, mark)
    t = pdf_template(prep, use_text, use_meta, use_image, decor(mark))
    if isinstance(t, Issue):
        if on_issue is not None:
            on_issue(t)
        return embed_pdf_pikepdf(prep, mark, choice)
    bodies = [deflate(b) for b in fill_bodies(t.fill, choice)]
    sizes = tuple(zip(t.widths, t.heights, strict=True))
    packed: dict[bytes, bytes] = {}  # pages of one size share their footer
    feet = [packed.get(f) or packed.setdefault(f, deflate(f))
            for f in _footers(mark, sizes)]
    return render(t, bodies, feet, mark.tag,
                  _page_images(prep, mark) if use_image else None)


def _page_images(prep: Prepared, mark: MarkSpec
                 ) -> dict[tuple[int, int], tuple[bytes | list[bytes], str]]:
    """This download's marked page images (scanned pages), by original object id: assembled
    from prepared markings (scheme 3), or marked from their pixels (the block layout of
    copies issued under schemes 1 and 2)."""
    if mark.scheme >= SEGMENT_SCHEME:
        return assembled_images(prep, mark.download_code)
    with open_original(prep) as pdf:
        return dict(marked_images(pdf, scan_layout(prep), mark.download_code))


def embed_pdf_into(prep: Prepared, mark: MarkSpec, out: BinaryIO) -> None:
    """The marked copy written to `out` through pikepdf, from an original in memory or in a
    file. Memory stays near the largest object's size whatever the file's: pikepdf reads
    the original's objects as it writes them, and writes the copy as it goes. No splice
    template (it would hold the whole file): every copy pays pikepdf's open/modify/save."""
    _mark_with_pikepdf(prep, mark, download_choice(prep, mark), out)


def embed_pdf_pikepdf(prep: Prepared, mark: MarkSpec, choice: npt.NDArray[np.uint8]) -> bytes:
    """The same marked copy through pikepdf open/modify/save (fallback and reference)."""
    out = io.BytesIO()
    _mark_with_pikepdf(prep, mark, choice, out)
    return out.getvalue()


def _mark_with_pikepdf(prep: Prepared, mark: MarkSpec, choice: npt.NDArray[np.uint8],
                       out: BinaryIO) -> None:
    from .pdffill import build_fill

    use_meta = "metadata" in mark.channels
    # Derived before the document is opened: a derivation parses the original too, and an
    # original in a file has one read position.
    an = analysis(prep)
    lay = scan_layout(prep, mark.scheme >= SEGMENT_SCHEME) if "image" in mark.channels else None
    with open_original(prep) as pdf:
        contents = mark_structure(pdf, an, "text" in mark.channels,
                                  mark.tag if use_meta else None, decor(mark))
        bodies = fill_bodies(build_fill(an.pages), choice)
        feet = _footers(mark, an.page_sizes)
        for k, (body, foot) in enumerate(zip(bodies, feet, strict=True)):
            contents[k][0].write(deflate(body),
                                  filter=pikepdf.Name.FlateDecode)
            contents[k][1].write(foot)
        if lay is not None and lay.images:
            for objgen, (data, filt) in marked_images(pdf, lay, mark.download_code).items():
                xobj = pdf.get_object(objgen)
                if "/DecodeParms" in xobj:
                    del xobj["/DecodeParms"]
                xobj.write(data, filter=pikepdf.Name(filt))
        pdf.save(out, compress_streams=False)


# --------------------------------------------------------------------------- reading
def _metadata_tags(pdf: Any) -> list[str]:
    tags = []
    val = pdf.docinfo.get(TAG_KEY) if "/Info" in pdf.trailer else None
    if val is not None and str(val).isdigit():
        tags.append(str(val))
    try:
        meta = pdf.open_metadata()
        ident = str(meta.get("dc:identifier", ""))
    except (pikepdf.PdfError, SyntaxError, ValueError, TypeError, KeyError):
        ident = ""  # malformed XMP in the evidence is absent metadata (lxml's errors are
        # SyntaxErrors); anything else is a failure of this layer and is reported
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


Marks = tuple[list[int | None], list[int | None]]  # character slots, line tokens


def _text_layer(prep: Prepared, texts: list[str]) -> Marks:
    """The text marks of evidence pages, read page by page against the original's pages
    when the page count matches (alignment stays local), else against the whole text."""
    an = analysis(prep)
    if len(texts) != len(an.page_text):
        return read_marks(_folded(prep), an.text_slots, an.line_ends, an.line_starts,
                          PAGE_SEP.join(texts))
    pages = _page_folded(prep)
    values: list[int | None] = [None] * len(an.text_slots)
    tokens: list[int | None] = [None] * (BITS * len(an.line_slots))
    for k, evid in enumerate(texts):
        lo, hi = an.page_offset[k], an.page_offset[k] + len(an.page_text[k])
        idx = [i for i, s in enumerate(an.text_slots) if lo <= s.pos < hi]
        ends = [i for i, pos in enumerate(an.line_ends) if lo <= pos < hi]
        starts = [i for i, pos in enumerate(an.line_starts) if lo <= pos < hi]
        if not (idx or ends or starts):
            continue
        shifted = [Slot(an.text_slots[i].pos - lo, an.text_slots[i].base,
                        an.text_slots[i].variant) for i in idx]
        got, toks = read_marks(pages[k], shifted, [an.line_ends[i] - lo for i in ends],
                               [an.line_starts[i] - lo for i in starts], evid)
        for i, v in zip(idx, got, strict=True):
            values[i] = v
        lines = ends + [an.n_line_ends + i for i in starts]
        for n, line in enumerate(lines):
            tokens[BITS * line: BITS * line + BITS] = toks[BITS * n: BITS * n + BITS]
    return values, tokens


def _text_bits(marks: Marks, primary: tuple[bool, ...]) -> Reading:
    """One "text" reading: the character slots, then the line tokens (BitReading.tokens)."""
    values, tokens = marks
    r = Reading()
    r.bits["text"] = BitReading(PDF_TEXT_LABEL, values + tokens, tokens=len(tokens),
                                primary=primary)
    if any(v == 1 for v in values) or any(t is not None for t in tokens):
        r.found.add("text")
    return r


def read_text_slots(evidence: TextEvidence, folded: FoldedText, slots: Sequence[Slot]
                    ) -> Reading:
    """``read_text_evidence`` from a stored text layer (see textlayer.py): its line ends are
    those of its text, as the analysis found them."""
    r = Reading(tag_texts=[evidence.text])
    guarded(r, "text", lambda: _text_bits(
        read_marks(folded, slots, line_ends(folded.text), line_starts(folded.text), evidence),
        first_in_word(folded.text, slots)))
    return r


def read_text_evidence(evidence: str, prep: Prepared) -> Reading:
    an = analysis(prep)
    r = Reading(tag_texts=[evidence])
    guarded(r, "text", lambda: _text_bits(
        read_marks(_folded(prep), an.text_slots, an.line_ends, an.line_starts, evidence),
        an.primary))
    return r


def _open_evidence(evidence: bytes) -> Any:
    try:
        return pikepdf.open(io.BytesIO(evidence))
    except pikepdf.PdfError:
        raise Unreadable() from None


def _metadata_reading(pdf: Any) -> Reading:
    tags = _metadata_tags(pdf)
    return Reading(metadata_tags=tags, found={"metadata"} if tags else set())


def read_pdf_file(evidence: bytes, prep: Prepared, thorough: bool,
                  extracted: list[str] | None = None) -> Reading:
    """Metadata, footer and text layer of a PDF file, each failing alone. The text extracted
    from the evidence is appended to `extracted` when given."""
    r = Reading()
    texts: list[str] = []

    def extract() -> Reading:
        texts.extend(_extract(pdf))
        return Reading(tag_texts=[PAGE_SEP.join(texts)])

    with _open_evidence(evidence) as pdf:
        guarded(r, "metadata", lambda: _metadata_reading(pdf))
        guarded(r, "footer", lambda: Reading(tag_texts=_footer_texts(pdf)))
        if not thorough and r.metadata_tags and r.tag_texts:
            return r
        guarded(r, "text", extract)
    if texts:
        if extracted is not None:
            extracted.append(PAGE_SEP.join(texts))
        guarded(r, "text", lambda: _text_bits(_text_layer(prep, texts), analysis(prep).primary))
    return r


def _text_marked(r: Reading) -> bool:
    """A marked text layer shows variants at about half its slots; a re-rendered one that kept
    only some mappings (or none) shows few, and then the pixels are read as well."""
    br = r.bits.get("text")
    if br is None or br.read < 16:
        return False
    return sum(v == 1 for v in br.values) >= 0.3 * br.read


def _worth_rendering(text: str, prep: Prepared) -> bool:
    """Pixels are read only when the text layer is missing or unmarked but belongs to this
    original (e.g. re-rendered through another producer), never for an unrelated document."""
    if len(text.strip()) < 200:
        return True
    return text_overlap(_folded(prep), text) >= 0.3


def _rendered(evidence: bytes, prep: Prepared, ocr: Callable[[bytes], str] | None,
              extracted: list[str]) -> Reading:
    if not _worth_rendering(extracted[-1] if extracted else "", prep):
        return Reading()
    from .geometry import read_rendered

    return read_rendered(evidence, prep, ocr)


def read_pdf_evidence(
    evidence: Evidence,
    prep: Prepared,
    canaries: Sequence[Canary],
    ocr: Callable[[bytes], str] | None,
    thorough: bool = False,
) -> Reading:
    """Each layer fails alone (see reading.guarded); evidence that is not a PDF reads nothing."""
    if isinstance(evidence, str):
        return read_text_evidence(evidence, prep)
    r = Reading()
    if isinstance(evidence, bytes):
        extracted: list[str] = []
        guarded(r, "read", lambda: read_pdf_file(evidence, prep, thorough, extracted))
        if "metadata" in r.found or _text_marked(r):
            return r
        guarded(r, "geometry", lambda: _rendered(evidence, prep, ocr, extracted))
        return r
    from .geometry import read_page_images

    guarded(r, "geometry", lambda: read_page_images(evidence, prep, ocr))
    return r
