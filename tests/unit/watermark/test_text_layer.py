"""The stored text layer reads exactly what the prepared original reads; anchored alignment
maps what difflib maps; folding copies plain ASCII runs as folding each character did."""

from __future__ import annotations

import difflib
import random
import unicodedata

import pytest

from app.watermark import TextLayer, detect, detect_text, embed, prepare, survey, text_layer
from app.watermark import text as T
from tests.unit.watermark.test_fingerprint_and_text import LETTER, cands, spec
from tests.unit.watermark.test_pdf_layers import make_pdf, pdftotext
from tests.unit.watermark.test_pdf_layers import spec as pdf_spec


def _reference_fold(text: str) -> tuple[str, list[int]]:
    """Folding one character at a time, as before the ASCII runs."""
    out: list[str] = []
    idx: list[int] = []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch
        for c in norm:
            if c.isspace() or unicodedata.category(c) == "Cf":
                continue
            out.append(T._FOLD.get(c, c))
            idx.append(i)
    return "".join(out), idx


@pytest.mark.parametrize("text", [
    LETTER, "", "  \t\n", "a\x1cb\x1fc\x0bd", "\ufb01ne caf\u00e9 \u0430\u0435 \u2019s\u00ad x",
    "line\r\nend\u2028next \u00a0 nbsp \u200b zwsp \x00\x7f",
])
def test_fold_is_unchanged(text: str) -> None:
    assert T.fold(text) == _reference_fold(text)


def _difflib_mapping(original: T.FoldedText, evidence: str) -> dict[int, int]:
    fe, ie = T.fold(evidence)
    sm = difflib.SequenceMatcher(None, original.folded, fe, autojunk=False)
    out: dict[int, int] = {}
    for b in sm.get_matching_blocks():
        if b.size >= 3:
            for k in range(b.size):
                out.setdefault(original.index[b.a + k], ie[b.b + k])
    return out


def _edited(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(len(words) // 15):
        words[rng.randrange(len(words))] = rng.choice(["the", "a", "Court", "xyzzy"])
    return " ".join(words)


def test_anchored_alignment_maps_what_difflib_maps() -> None:
    rng = random.Random(3)
    once = LETTER[: len(LETTER) // 2]  # LETTER is one paragraph twice: where would a piece go?
    original = T.FoldedText.of(once)
    n = len(once)
    for evidence in (_edited(once[n // 4: n // 4 + 1200], rng),
                     once[100:700] + " words put in between " + once[1000:1600]):
        anchored, reference = T.align(original, evidence), _difflib_mapping(original, evidence)
        agree = sum(anchored.get(k) == v for k, v in reference.items())
        assert agree >= 0.98 * len(reference) and len(reference) > 500


def test_unrelated_text_aligns_nothing() -> None:
    original = T.FoldedText.of(LETTER)
    assert T.align(original, "Nothing of this appears in the letter at all. " * 20) == {}


def test_stored_layer_reads_what_the_original_reads() -> None:
    prep = prepare(LETTER.encode(), "text/plain")
    layer = TextLayer.decode(text_layer(prep, "text/plain").encode())
    cs = cands(4)
    for c in cs[:2]:
        copy = embed(prep, "text/plain", spec(c.download_code)).decode()
        for evidence in (copy, copy[300:1500], _edited(copy[200:1600], random.Random(1))):
            a = detect(evidence, prep, "text/plain", cs)
            b = detect_text(evidence, layer, cs)
            assert a.results == b.results and a.verdict == b.verdict
            assert a.found_layers == b.found_layers
        assert b.identified == (c.id,)


def test_stored_layer_of_a_pdf_reads_what_the_original_reads() -> None:
    original = make_pdf()
    prep = prepare(original, "application/pdf")
    layer = TextLayer.decode(text_layer(prep, "application/pdf").encode())
    cs = cands(3)
    copy = embed(prep, "application/pdf", pdf_spec(cs[1]))
    text = pdftotext(copy)
    a = detect(text, prep, "application/pdf", cs)
    b = detect_text(text, layer, cs)
    assert a.results == b.results and b.identified == (cs[1].id,)


def test_an_image_has_an_empty_layer_read_for_its_footer_only() -> None:
    layer = text_layer(b"\x89PNG...", "image/png")
    assert layer.text == "" and layer.slots == ()
    det = detect_text("nothing marked here", TextLayer.decode(layer.encode()), cands(2))
    assert det.verdict == "no_watermark"


@pytest.mark.parametrize("blob", [b"", b"not zlib", __import__("zlib").compress(b"[1, 2]")])
def test_a_damaged_layer_is_refused(blob: bytes) -> None:
    with pytest.raises(ValueError):
        TextLayer.decode(blob)


def test_a_layer_with_slots_outside_its_text_is_refused() -> None:
    good = text_layer(LETTER.encode(), "text/plain").to_json()
    for bad in ({**good, "pos": [len(LETTER) + 1]}, {**good, "pos": good["pos"][:-1]},
                {**good, "base": ["ab" * 5] * len(good["base"])}, {**good, "format": 2}):
        with pytest.raises(ValueError):
            TextLayer.from_json(bad)
    assert TextLayer.from_json(good) == text_layer(LETTER.encode(), "text/plain")


def test_survey_of_text_finds_the_footer_tag() -> None:
    copy = embed(LETTER.encode(), "text/plain", spec(b"\x07" * 32)).decode()
    found = survey(copy)
    assert found.found == {"footer"} and spec(b"\x07" * 32).tag in found.tags
    assert survey(LETTER).found == frozenset() and not survey(LETTER).tags
