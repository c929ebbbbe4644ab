"""Scheme 2 of a PDF's text layer: sparse character variants and a token at every line end.

What a litigator relies on: the words of a marked copy's extracted text are the original's
(search finds them), while a passage quoted from it, two copies compared, or the whole text
sanitised still name the recipient, and never anyone else. Copies issued under scheme 1 keep
tracing as they did.
"""

import io
import random
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections import Counter
from fractions import Fraction
from itertools import product
from pathlib import Path

import numpy as np
import pytest

from app.watermark import LEGENDS, Candidate, MarkSpec, authentication_tag, detect, embed
from app.watermark.codes import line_bits, line_symbols, sparse_bits
from app.watermark.lines import BITS, PAIRS, RADIX, line_ends, read_tokens, token, token_bits
from app.watermark.model import DENSE_SCHEME, MARK_SCHEMES, SPARSE_RADIX
from app.watermark.prepared import prepare
from app.watermark.textlayer import detect_text, text_layer
from crypto.fingerprint import code_symbols, score_sparse, sparse_tail

KEY = b"l" * 32
PDF = "application/pdf"
HAVE_POPPLER = shutil.which("pdftotext") is not None and shutil.which("qpdf") is not None
needs_poppler = pytest.mark.skipif(not HAVE_POPPLER, reason="poppler-utils/qpdf not installed")

# A letter of distinct paragraphs, as settlement correspondence is written (no passage twice).
LETTER = """Dear Mr. Okonkwo:

We write on behalf of Halverson Marine Supply, Inc. in response to your letter of February 3
proposing terms for resolving the claims in the above-captioned matter. Our client has
reviewed the proposal carefully with its insurers and its board, and this letter sets out
where we can agree, where we cannot, and what we propose instead.

First, the payment. Your client asks for a single payment within fifteen days of signature.
Halverson is prepared to pay the agreed amount in two equal instalments, the first within
thirty days after the court enters the stipulated dismissal and the second ninety days later,
secured by a confession of judgment that your client may file only upon a missed instalment.

Second, the release. We accept a mutual general release, but it must carve out obligations
created by the settlement agreement itself, claims for indemnity arising from third-party
actions not yet filed, and the warranty obligations that survive under the original supply
contract for vessels delivered before the end of last year.

Third, confidentiality. Our client needs to disclose the terms to its lenders, auditors and
insurers, and to any regulator that asks. Each of those recipients would be told that the
terms are confidential. Apart from them, neither side would describe the settlement beyond
saying that the dispute has been resolved to the mutual satisfaction of the parties.

Fourth, the inspection protocol. We propose that a neutral surveyor examine the remaining
inventory at the Tacoma warehouse within three weeks, with costs shared equally, and that the
surveyor's written findings bind both sides on the quantity of nonconforming goods.

Finally, timing. If these terms are acceptable in principle, we will circulate a draft
agreement within ten business days. This letter is a confidential settlement communication
and may not be used for any purpose other than the negotiation of a resolution.

Very truly yours,
Margaret Ellison-Park
"""


def make_pdf(text: str = LETTER) -> bytes:
    from reportlab.lib.pagesizes import LETTER as PAGE
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=PAGE, invariant=1)
    style = ParagraphStyle("b", fontName="Times-Roman", fontSize=11, leading=14)
    doc.build([Paragraph(p.replace("\n", " "), style) for p in text.split("\n\n") if p.strip()])
    return buf.getvalue()


ORIGINAL = make_pdf()


def cands(n: int, scheme: int | None = None) -> list[Candidate]:
    kw = {} if scheme is None else {"scheme": scheme}
    codes = [bytes([0x70 + i]) * 32 for i in range(n)]
    return [Candidate(f"r{i}", c, authentication_tag(KEY, c), **kw)
            for i, c in enumerate(codes)]


def spec(c: Candidate, **kw: object) -> MarkSpec:
    return MarkSpec(c.download_code, "Ada Byrne", "Halverson Marine", "CONFIDENTIAL",
                    LEGENDS[1], c.tag, **kw)  # type: ignore[arg-type]


def pdftotext(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                              capture_output=True).stdout.decode("utf-8")


def common_parts(a: str, b: str) -> str:
    import difflib

    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return "".join(a[m.a:m.a + m.size] for m in sm.get_matching_blocks())


def sanitise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return re.sub(r"\s+", " ", text).strip()


def word_identity(original: str, marked: str) -> float:
    want, got = Counter(original.split()), Counter(marked.split())
    return sum(min(n, got[w]) for w, n in want.items()) / sum(want.values())


# ----------------------------------------------------------------------------- tokens
def test_every_symbol_is_its_own_token_and_partial_tokens_keep_their_bits():
    seen = {token(s) for s in range(RADIX)}
    assert len(seen) == RADIX and all(len(t) == BITS for t in seen)
    for s in range(RADIX):
        bits = [(s >> (BITS - 1 - k)) & 1 for k in range(BITS)]
        assert token_bits(token(s)) == bits
        # any subset of the characters still reads its own positions, the rest erased
        for keep in product((0, 1), repeat=BITS):
            part = "".join(ch for ch, k in zip(token(s), keep, strict=True) if k)
            assert token_bits(part) == [b if k else None for b, k in zip(bits, keep,
                                                                           strict=True)]
    # a position present twice is not guessed
    assert token_bits(PAIRS[0][0] + PAIRS[0][1])[0] is None
    with pytest.raises(ValueError):
        token(RADIX)


def test_line_ends_are_the_last_visible_character_of_each_line():
    text = "one two  \n\n  three\nfour\t\n"
    assert [text[i] for i in line_ends(text)] == ["o", "e", "r"]
    assert line_ends("") == () and line_ends("\n \n") == ()


def test_tokens_are_read_only_right_after_their_line():
    text = "alpha beta\ngamma"
    ends = line_ends(text)
    mapping = {i: i for i in range(len(text))}
    assert read_tokens(text, mapping, ends) == [None] * (2 * BITS)
    marked = "alpha beta " + token(5) + "\ngamma"
    mapping = {**{i: i for i in range(10)}, 11: 17, 12: 18, 13: 19, 14: 20, 15: 21}
    got = read_tokens(marked, mapping, ends)
    assert got[:BITS] == [0, 1, 0, 1] and got[BITS:] == [None] * BITS
    assert read_tokens(marked, {}, ends) == [None] * (2 * BITS)


def test_codes_match_the_keyed_symbols_of_the_fingerprint_module():
    code = b"\x21" * 32
    assert tuple(line_symbols(code, 40).tolist()) == code_symbols(
        code, "pdftext/v2-lines", [RADIX] * 40)
    bits = line_bits(code, 40).reshape(40, BITS)
    assert [int("".join(map(str, row)), 2) for row in bits.tolist()] == \
        line_symbols(code, 40).tolist()
    sparse = sparse_bits(code, 20_000)
    assert 0.02 < sparse.mean() < 0.045  # one slot in SPARSE_RADIX
    assert SPARSE_RADIX == 32


# ----------------------------------------------------------------------------- statistics
def _brute_tail(classes: list[tuple[int, Fraction]], d: int) -> Fraction:
    total = Fraction(0)
    for outcome in product(*[[(n, k) for k in range(n + 1)] for n, _ in classes]):
        if sum(k for _, k in outcome) > d:
            continue
        prob = Fraction(1)
        for (n, k), (_, p) in zip(outcome, classes, strict=True):
            from math import comb

            prob *= comb(n, k) * p**k * (1 - p) ** (n - k)
        total += prob
    return total


def test_sparse_tail_is_the_exact_tail_of_the_sum_of_binomials():
    classes = [(3, Fraction(31, 32)), (9, Fraction(1, 32)), (6, Fraction(1, 2))]
    mean = sum(n * p for n, p in classes)
    for d in range(0, int(mean)):
        assert sparse_tail(classes, d) == pytest.approx(float(_brute_tail(classes, d)),
                                                        rel=1e-9)
    assert sparse_tail(classes, int(mean) + 1) == 1.0
    assert sparse_tail(classes, -1) == 0.0


def test_the_bound_used_for_large_counts_is_never_below_the_exact_tail():
    from crypto import fingerprint

    classes = [(2000, Fraction(1, 32)), (600, Fraction(1, 2)), (40, Fraction(31, 32))]
    for d in (100, 250, 300, 340):
        exact = fingerprint.sparse_tail(classes, d)
        bound = fingerprint._chernoff_lower([(n, float(p)) for n, p in classes], d)
        assert bound >= exact


def test_an_unrelated_codeword_disagrees_as_the_null_says():
    """Over many unrelated codes, a fixed reading's p-values are (at least) uniform: the
    chance of p <= 0.01 stays near 0.01, so the union bound holds for sparse codes too."""
    rng = random.Random(7)
    bits = [1 if rng.random() < 1 / 32 else 0 for _ in range(400)]
    toks = [rng.randrange(2) for _ in range(160)]
    small = 0
    for k in range(600):
        code = k.to_bytes(4, "big") * 8
        s = score_sparse("text", bits, sparse_bits(code, 400).tolist(), SPARSE_RADIX, toks,
                         line_bits(code, 40).tolist(), 2)
        small += s.p_value <= 0.01
    assert small <= 15  # 6 expected at most; well below for an exact, conservative test


def test_the_holder_of_a_sparse_code_stands_out():
    code = b"\x33" * 32
    bits = sparse_bits(code, 300).tolist()
    toks = line_bits(code, 20).tolist()
    s = score_sparse("text", bits, bits, SPARSE_RADIX, toks, toks, 2)
    assert s.agree == s.compared == 380 and s.p_value < 1e-20
    # erasures cost only their own weight, never an accusation of anyone else
    half = [b if i % 2 else None for i, b in enumerate(bits)]
    assert score_sparse("text", half, bits, SPARSE_RADIX, [], [], 2).p_value > s.p_value


# ----------------------------------------------------------------------------- PDF copies
@needs_poppler
def test_a_marked_copy_keeps_its_words_and_every_line_ends_in_a_token(tmp_path):
    cs = cands(4)
    base = pdftotext(ORIGINAL)
    for c in cs:
        out = embed(ORIGINAL, PDF, spec(c))
        path = tmp_path / "m.pdf"
        path.write_bytes(out)
        assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0
        text = pdftotext(out)
        assert word_identity(base, text) >= 0.95
        body = [ln for ln in text.split("\n\n")[0].split("\n") if ln.strip()]
        assert all(any(ch in "".join(map("".join, PAIRS)) for ch in ln) for ln in body)


@needs_poppler
def test_text_rendering_is_unchanged_by_the_tokens():
    cs = cands(1)
    out = embed(ORIGINAL, PDF, spec(cs[0], channels=frozenset({"text"})))
    with tempfile.TemporaryDirectory() as d:
        pages = []
        for k, pdf in enumerate((ORIGINAL, out)):
            (Path(d) / f"{k}.pdf").write_bytes(pdf)
            subprocess.run(["pdftoppm", "-r", "100", "-gray", "-f", "1", "-l", "1",
                            str(Path(d) / f"{k}.pdf"), str(Path(d) / f"p{k}")], check=True)
            pages.append(next(Path(d).glob(f"p{k}*")).read_bytes())
    from PIL import Image

    a, b = (np.asarray(Image.open(io.BytesIO(p))) for p in pages)
    assert a.shape == b.shape
    assert np.array_equal(a[: int(a.shape[0] * 0.88)], b[: int(b.shape[0] * 0.88)])


@needs_poppler
def test_a_quoted_fifth_of_the_text_names_the_recipient_and_no_one_else():
    cs = cands(100)
    rng = random.Random(3)
    hits = 0
    for c in cs[:6]:
        text = pdftotext(embed(ORIGINAL, PDF, spec(c))).split("Copy for")[0]
        for _ in range(3):
            k = len(text) // 5
            start = rng.randrange(0, len(text) - k)
            det = detect(text[start:start + k], ORIGINAL, PDF, cs)
            assert set(det.identified) <= {c.id}
            hits += det.identified == (c.id,)
    assert hits >= 17


@needs_poppler
def test_two_copies_compared_name_a_colluder_and_never_an_innocent():
    cs = cands(100)
    named = 0
    for i in range(0, 8, 2):
        a = pdftotext(embed(ORIGINAL, PDF, spec(cs[i])))
        b = pdftotext(embed(ORIGINAL, PDF, spec(cs[i + 1])))
        det = detect(common_parts(a, b), ORIGINAL, PDF, cs)
        assert set(det.identified) <= {cs[i].id, cs[i + 1].id}
        named += bool(det.identified)
    assert named >= 3


@needs_poppler
def test_sanitised_text_is_traced_by_the_sparse_variants_alone():
    """NFKC, format characters removed and whitespace collapsed: the tokens are gone, the
    variants remain, and the whole text still names its recipient."""
    cs = cands(100)
    for c in cs[:3]:
        text = sanitise(pdftotext(embed(ORIGINAL, PDF, spec(c))).split("Copy for")[0])
        assert not any(ch in text for ch in "".join(map("".join, PAIRS)))
        det = detect(text, ORIGINAL, PDF, cs)
        assert det.identified == (c.id,)


@needs_poppler
def test_the_stored_text_layer_reads_tokens_as_the_original_does():
    cs = cands(10)
    layer = text_layer(prepare(ORIGINAL, PDF), PDF)
    text = pdftotext(embed(ORIGINAL, PDF, spec(cs[4])))
    excerpt = text[len(text) // 3: len(text) // 3 + len(text) // 5]
    a = detect(excerpt, ORIGINAL, PDF, cs)
    b = detect_text(excerpt, layer, cs)
    assert a.identified == b.identified == (cs[4].id,)
    assert [r.layers for r in a.results] == [r.layers for r in b.results]


@needs_poppler
def test_copies_issued_under_scheme_one_still_trace_and_are_not_confused():
    old = cands(6, DENSE_SCHEME)
    new = cands(12)[6:]
    everyone = old + new
    for c in old[:2]:
        text = pdftotext(embed(ORIGINAL, PDF, spec(c, scheme=DENSE_SCHEME)))
        assert not any(ch in text for ch in "".join(map("".join, PAIRS)))
        body = text.split("Copy for")[0]
        det = detect(body[: len(body) // 2], ORIGINAL, PDF, everyone)
        assert det.identified == (c.id,)
    for c in new[:2]:
        body = pdftotext(embed(ORIGINAL, PDF, spec(c))).split("Copy for")[0]
        det = detect(body[: len(body) // 2], ORIGINAL, PDF, everyone)
        assert det.identified == (c.id,)


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ValueError):
        spec(cands(1)[0], scheme=max(MARK_SCHEMES) + 1)
