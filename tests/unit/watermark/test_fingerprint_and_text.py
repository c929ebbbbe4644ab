"""Statistics, tags, footer parsing and the text layer (fast, pure)."""

import math
import unicodedata
from fractions import Fraction

import pytest

from app.watermark import LEGENDS, Candidate, MarkSpec, authentication_tag, detect, embed
from app.watermark.footer import scan_tags, tag_strings
from app.watermark.text import HOMOGLYPHS, TYPOGRAPHIC, find_slots
from crypto.fingerprint import binomial_tail, code_bits, tag_match_probability, union_bound

LETTER = (
    "Dear Ms. Ferreira:\n\nAs discussed during our call on March 11, we write on behalf of "
    "Calloway Freight Systems, LLC (\u201cCalloway\u201d) to convey a settlement proposal "
    "intended to resolve all claims asserted by Northgate in the above-captioned action. "
    "Calloway proposes a lump-sum payment of $1,375,000.00, payable within thirty (30) days "
    "after the parties execute a written settlement agreement and the court enters a "
    "stipulated order of dismissal with prejudice. Each side would bear its own attorneys\u2019 "
    "fees and costs. This proposal is also conditioned on mutual non-disparagement obligations "
    "limited to the subject matter of the dispute and a confidentiality clause covering the "
    "amount and terms of the settlement, with customary carve-outs for auditors, tax advisers, "
    "and disclosures required by law, under 28 U.S.C. \u00a7 1332 and Case No. 2:23-cv-04417. "
    "We believe this figure reflects a realistic assessment of the litigation risk on both "
    "sides, and a negotiated resolution now would avoid the substantial expense of expert "
    "discovery, which is scheduled to begin soon after the hearing on the pending motion.\n"
) * 2
KEY = b"k" * 32


def spec(code: bytes, name: str = "Alicia Moreno", **kw: object) -> MarkSpec:
    return MarkSpec(code, name, "Northgate Logistics", "CONFIDENTIAL", LEGENDS[0],
                    authentication_tag(KEY, code), **kw)  # type: ignore[arg-type]


def cands(n: int = 5) -> list[Candidate]:
    codes = [bytes([i]) * 32 for i in range(1, n + 1)]
    return [Candidate(f"c{i}", c, authentication_tag(KEY, c)) for i, c in enumerate(codes)]


@pytest.mark.parametrize(("agree", "n", "want"), [(0, 5, 1.0), (5, 5, 1 / 32), (6, 5, 0.0),
                                                  (3, 4, 5 / 16), (10, 10, 2**-10)])
def test_binomial_tail_vectors(agree, n, want):
    assert binomial_tail(agree, n) == pytest.approx(want)


def test_binomial_tail_m_ary_and_union():
    assert binomial_tail(2, 2, Fraction(1, 3)) == pytest.approx(1 / 9)
    assert union_bound(1e-9, 600) == pytest.approx(6e-7)
    assert union_bound(0.5, 10) == 1.0
    assert tag_match_probability(12, 0) == pytest.approx(1e-12)
    assert tag_match_probability(12, 1) == pytest.approx(109e-12)


def test_code_bits_keyed_and_prefix_stable():
    a, b = code_bits(b"a" * 32, "x", 256), code_bits(b"b" * 32, "x", 256)
    assert a != b and code_bits(b"a" * 32, "x", 100) == a[:100]
    assert code_bits(b"a" * 32, "y", 256) != a
    assert 90 < sum(a) < 166


def test_authentication_tag_shape():
    t = authentication_tag(KEY, b"c" * 32)
    assert len(t) == 12 and t.isdigit()
    assert t != authentication_tag(KEY, b"d" * 32)
    assert t != authentication_tag(b"j" * 32, b"c" * 32)


@pytest.mark.parametrize("render", [
    lambda t: f"Download tag {t[:4]}-{t[4:8]}-{t[8:]}",
    lambda t: f"tag {t[:4]} {t[4:8]} {t[8:]}",
    lambda t: f"tag {t}",
    lambda t: "tag " + t.replace("0", "O").replace("8", "B"),
])
def test_tag_parser_tolerates_ocr(render):
    t = "105801234585"
    assert t in tag_strings("Copy for X (Y) " + render(t) + " page 2")


def test_tag_parser_one_substitution_and_counts_tries():
    t = "123456789012"
    scan = scan_tags("tag 1234-5678-9013 and 9999-9999-9999", [t, "555555555555"])
    assert scan.distances == {t: 1}
    assert scan.tried == 2


def test_slots_never_touch_names_numbers_or_citations():
    slots = find_slots(LETTER)
    assert len(slots) > 100
    for s in slots:
        assert not LETTER[s.pos].isdigit() and not LETTER[s.pos].isupper()
        assert s.variant in (*HOMOGLYPHS.values(), *TYPOGRAPHIC.values())
        assert unicodedata.normalize("NFKC", s.variant) == s.variant


def test_text_copy_keeps_protected_tokens_and_reading():
    marked = embed(LETTER.encode(), "text/plain", spec(b"\x07" * 32)).decode()
    for token in ("$1,375,000.00", "\u00a7 1332", "2:23-cv-04417", "Calloway", "March 11"):
        assert token in marked
    assert "Download tag" in marked and marked != LETTER


def test_three_recipients_each_identified_exactly():
    cs = cands(3)
    for c in cs:
        copy = embed(LETTER.encode(), "text/plain", spec(c.download_code)).decode()
        det = detect(copy, LETTER.encode(), "text/plain", cs)
        assert det.verdict == "identified" and det.identified == (c.id,)


def sanitize(t: str) -> str:
    t = unicodedata.normalize("NFKC", t)
    t = "".join(c for c in t if unicodedata.category(c) != "Cf")
    return " ".join(t.split())


def test_text_layer_alone_survives_sanitising_excerpt():
    cs = cands(5)
    copy = embed(LETTER.encode(), "text/plain", spec(cs[2].download_code)).decode()
    clean = sanitize(copy)
    excerpt = clean[400:400 + len(clean) // 5]
    assert "tag" not in excerpt
    det = detect(excerpt, LETTER.encode(), "text/plain", cs)
    assert det.identified == ("c2",)
    text_score = next(s for s in det.results[0].layers if s.layer == "text")
    assert text_score.agree == text_score.compared >= 40


def test_unmarked_and_unrelated_documents_accuse_no_one():
    cs = cands(5)
    det = detect(LETTER, LETTER.encode(), "text/plain", cs)
    assert det.verdict == "no_watermark" and det.errors == ()
    other = "An unrelated memo about parking permits and the office kitchen rota. " * 20
    det = detect(other, LETTER.encode(), "text/plain", cs)
    assert det.verdict in ("no_watermark", "inconclusive") and det.errors == ()


def test_edited_footer_name_accuses_only_the_tag_owner():
    cs = cands(3)
    copy = embed(LETTER.encode(), "text/plain", spec(cs[0].download_code)).decode()
    edited = copy.replace("Alicia Moreno", "Benjamin Cho")
    body, footer = edited.split("\n--\n")
    det = detect(LETTER + "\n--\n" + footer, LETTER.encode(), "text/plain", cs)
    assert det.identified == ("c0",)


def test_foreign_tag_accuses_no_one():
    cs = cands(3)
    stranger = b"\xee" * 32
    copy = embed(LETTER.encode(), "text/plain", spec(stranger, channels=frozenset())).decode()
    det = detect(copy, LETTER.encode(), "text/plain", cs)
    assert det.verdict != "identified"


def common_parts(a: str, b: str) -> str:
    import difflib

    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return "".join(a[m.a:m.a + m.size] for m in sm.get_matching_blocks())


def test_collusion_names_a_colluder_never_an_innocent():
    cs = cands(8)
    for i in range(0, 8, 2):
        a = embed(LETTER.encode(), "text/plain", spec(cs[i].download_code)).decode()
        b = embed(LETTER.encode(), "text/plain", spec(cs[i + 1].download_code)).decode()
        det = detect(common_parts(a, b), LETTER.encode(), "text/plain", cs)
        assert set(det.identified) <= {cs[i].id, cs[i + 1].id}
        assert det.verdict == "identified"
        for r in det.results:
            if r.candidate_id not in (cs[i].id, cs[i + 1].id):
                assert r.bound > 1e-3


def test_union_bound_counts_candidates_and_layers():
    cs = cands(4)
    det = detect(LETTER, LETTER.encode(), "text/plain", cs)
    assert det.tests == 4 * 6
    assert math.isfinite(det.results[0].bound)
