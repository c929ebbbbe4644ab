"""Failures are reported, never passed off as "no watermark"; derived structures live only in
the caller's Prepared (no process-wide cache keyed by content)."""

import functools
import importlib
import pkgutil
import threading

import pytest

import app.watermark as wm
from app.watermark import Issue, detect, embed, prepare
from app.watermark.prepared import Prepared
from tests.unit.watermark.test_fingerprint_and_text import LETTER
from tests.unit.watermark.test_pdf_layers import ORIGINAL, PDF, cands, make_pdf, rasterize, spec

TEXT = "text/plain"


class Boom(RuntimeError):
    pass


def _boom(*args: object, **kwargs: object) -> object:
    raise Boom("a message that could quote the document")


def test_crashing_text_layer_is_reported_and_the_footer_still_identifies(monkeypatch):
    cs = cands(3)
    out = embed(ORIGINAL, PDF, spec(cs[1], frozenset({"text"})))  # no metadata: text is read
    monkeypatch.setattr("app.watermark.pdf._text_layer", _boom)
    det = detect(out, ORIGINAL, PDF, cs)
    assert Issue("text", "Boom") in det.errors
    assert det.identified == (cs[1].id,)  # the footer tag still counts
    assert all("quote" not in e.kind for e in det.errors)


def test_crash_without_marks_is_inconclusive_never_no_watermark(monkeypatch):
    cs = cands(3)
    monkeypatch.setattr("app.watermark.textdoc.read_slots", _boom)
    det = detect(LETTER, LETTER.encode(), TEXT, cs)
    assert det.errors == (Issue("text", "Boom"),)
    assert det.verdict == "inconclusive" and det.identified == ()


def test_crashing_geometry_reader_is_reported(monkeypatch):
    cs = cands(3)
    pages = rasterize(embed(ORIGINAL, PDF, spec(cs[0], frozenset({"geometry"}))))
    monkeypatch.setattr("app.watermark.geometry._read_arrays", _boom)
    det = detect(pages, ORIGINAL, PDF, cs)
    assert det.errors == (Issue("geometry", "Boom"),)
    assert det.verdict == "inconclusive"


def test_unreadable_evidence_is_an_outcome_not_an_error():
    cs = cands(3)
    for junk in (b"%PDF-1.7\nnot really a pdf", [b"\x89PNG\r\n\x1a\nnot an image"]):
        det = detect(junk, ORIGINAL, PDF, cs)
        assert det.errors == () and det.verdict == "no_watermark" and det.notes


def test_template_failure_falls_back_reported_on_every_download(monkeypatch):
    built = []

    def failing_template(*args: object) -> object:
        built.append(1)
        raise ValueError("unusual structure")

    monkeypatch.setattr("app.watermark.pdf.template", failing_template)
    cs = cands(2)
    prep = prepare(ORIGINAL, PDF)
    heard: list[Issue] = []
    copies = [embed(prep, PDF, spec(c), on_issue=heard.append) for c in cs]
    assert heard == [Issue("pdf_template", "ValueError")] * 2
    assert len(built) == 1  # remembered for this Prepared only...
    embed(prepare(ORIGINAL, PDF), PDF, spec(cs[0]), on_issue=heard.append)
    assert len(built) == 2  # ...a new one tries again
    monkeypatch.undo()
    assert detect(copies[1], ORIGINAL, PDF, cs).identified == (cs[1].id,)


def test_unexpected_template_error_fails_the_copy(monkeypatch):
    monkeypatch.setattr("app.watermark.pdf.template", _boom)
    with pytest.raises(Boom):
        embed(ORIGINAL, PDF, spec(cands(1)[0]))


# The process-wide caches the watermark package may keep: keyed by a standard-14 font name, by
# a page size (the diagonal tag's digit cells: the ten digits drawn where the tag goes), or by
# nothing (the diagonal tag's digit font, a subset of a font file shipped with reportlab; the
# table of ASCII characters that fold to themselves). Also checked after a case is destroyed
# (tests/api/documents/test_originals_memory.py).
ALLOWED_CACHES = frozenset({"app.watermark.pdffonts._base14_widths",
                            "app.watermark.pdfwriter.digit_face",
                            "app.watermark.tagpixels._size_cells",
                            "app.watermark.text._plain_ascii"})


def _lru_caches() -> dict[str, object]:
    out = {}
    for info in pkgutil.iter_modules(wm.__path__, "app.watermark."):
        mod = importlib.import_module(info.name)
        for name, obj in vars(mod).items():
            if isinstance(obj, functools._lru_cache_wrapper):
                out[f"{info.name}.{name}"] = obj
    return out


def test_no_process_wide_cache_keyed_by_content():
    cs = cands(2)
    out = embed(ORIGINAL, PDF, spec(cs[0]))
    detect(out, ORIGINAL, PDF, cs)
    detect(embed(LETTER.encode(), TEXT, spec(cs[1])).decode(), LETTER.encode(), TEXT, cs)
    assert set(_lru_caches()) <= ALLOWED_CACHES


def test_derivations_live_in_the_prepared_and_run_once_under_threads():
    prep = Prepared(ORIGINAL, PDF)
    calls = []
    barrier = threading.Barrier(4)

    def build() -> bytes:
        calls.append(1)
        return b"x" * 1000

    def worker() -> None:
        barrier.wait()
        prep.derive("k", build, len)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and prep.nbytes == len(ORIGINAL) + 1000
    embed(prep, PDF, spec(cands(1)[0]))
    assert prep.has("pdf.analysis") and prep.nbytes > len(ORIGINAL) + 1000
    assert str(len(ORIGINAL)) in repr(prep) and "Times" not in repr(prep)


def test_failed_derivation_is_not_stored():
    prep = Prepared(b"abc", TEXT)
    with pytest.raises(Boom):
        prep.derive("k", lambda: _boom(), len)
    assert not prep.has("k") and prep.derive("k", lambda: b"ok", len) == b"ok"


def test_malformed_xmp_in_the_evidence_is_absent_metadata_not_an_error():
    import io

    import pikepdf

    cs = cands(2)
    with pikepdf.open(io.BytesIO(embed(ORIGINAL, PDF, spec(cs[0])))) as pdf:
        pdf.Root.Metadata = pdf.make_stream(b"<?xpacket begin=''?><x:xmpmeta><rdf:RDF><broken")
        buf = io.BytesIO()
        pdf.save(buf)
    det = detect(buf.getvalue(), ORIGINAL, PDF, cs)
    assert det.errors == () and det.identified == (cs[0].id,)


def test_the_diagonal_tags_digit_cells_are_drawn_once_per_page_size(monkeypatch):
    """Two originals of one page size share the digit cells (no document content in them);
    drawing them renders a ten-page PDF, which every new original used to pay again."""
    from app.watermark import geometry, tagpixels

    tagpixels._size_cells.cache_clear()
    drawn = []
    real = tagpixels._build
    monkeypatch.setattr(tagpixels, "_build", lambda *a: drawn.append(a) or real(*a))
    cells = []
    for original in (ORIGINAL, make_pdf("A different letter of the same page size.")):
        prep = Prepared(original, PDF)
        pc = tagpixels.page_cells(prep, 0, geometry._original_pages(prep), geometry.render)
        assert pc.cells.rows and pc.orig  # the page carries a legible tag
        cells.append(pc.cells)
    assert len(drawn) == 1 and cells[0] is cells[1]
    assert not cells[0].ink[0].flags.writeable
    tagpixels._size_cells.cache_clear()
