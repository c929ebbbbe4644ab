"""The filing guard's text matching (app.kernel.shingles, app.protective_orders.filing) and
its sealing-rule table, without a database."""

from __future__ import annotations

import random
import uuid

import pytest

from app.kernel import shingles as sh
from app.protective_orders.filing import DraftPage, Source, check_draft_text
from app.protective_orders.sealing_rules import GENERIC, SEALING_RULES, sealing_rule
from tests.api.documents.helpers import order_text

SECRET = ("The plant manager admitted that the valve had leaked for eleven months before the "
          "inspection and that the maintenance logs were rewritten afterwards to hide it.")


@pytest.mark.parametrize(("raw", "expected"), [
    ("It\u2019s \u201cQuoted\u201d", ["its", "quoted"]),
    ("regu-\nlation", ["regulation"]),
    ("state\u2010of\u2013the\u2014art", ["state", "of", "the", "art"]),
    ("\u0430\u0441\u0435 \u0455ize", ["ace", "size"]),  # watermark look-alikes
    ("ﬁnal\u00adly", ["finally"]),
    ("A  B\t\nC", ["a", "b", "c"]),
])
def test_words_are_normalised(raw, expected):
    assert sh.words(raw) == expected


def _doc(text: str) -> Source:
    return Source("document", uuid.uuid4(), "CONFIDENTIAL", uuid.uuid4(),
                  sh.Indexed.of_text(text))


def _find(draft: str, *sources: Source, public: tuple[str, ...] = ()) -> list:
    return check_draft_text([DraftPage(1, draft)], sources, sealing_rule="R",
                            extra_public=public)


def _ocr_noise(text: str, rate: float, seed: int) -> str:
    rng = random.Random(seed)
    swaps = {"l": "1", "o": "0", "e": "c", "rn": "m", "i": "l"}
    out = []
    for w in text.split(" "):
        if rng.random() < rate:
            for a, b in swaps.items():
                if a in w:
                    w = w.replace(a, b, 1)
                    break
        out.append(w)
    return " ".join(out)


def test_a_fifteen_word_quote_is_found_and_fourteen_words_are_not():
    doc = _doc(order_text() + "\n" + SECRET)
    fifteen = " ".join(SECRET.split()[:15])
    [f] = _find(f"Counsel wrote: {fifteen}. Nothing else.", doc)
    assert f.matched_words == 15 and f.source is doc
    assert _find(" ".join(SECRET.split()[:14]), doc) == []


def test_ocr_errors_do_not_hide_a_passage():
    """One word in twenty misread (tesseract on a 150 dpi scan does better): always found."""
    doc = _doc(SECRET)
    for seed in range(50):
        assert _find(_ocr_noise(SECRET, 0.05, seed), doc), seed


def test_public_windows_never_count():
    doc = _doc(order_text() + "\n" + SECRET)
    assert _find(order_text(), doc, public=(order_text(),)) == []
    assert _find(order_text() + SECRET, doc, public=(order_text(),))


def test_unrelated_texts_share_no_run():
    names = ["order-protective-order-violation.txt", "order-rule68-offer-request.txt",
             "order-settlement-letter-disclosure.txt"]
    for a in names:
        for b in names:
            if a != b:
                assert _find(order_text(a), _doc(order_text(b))) == [], (a, b)


def test_short_sources_need_their_whole_text():
    terms = "Acme pays forty thousand dollars and the plaintiff dismisses every claim"
    offer = Source("offer", uuid.uuid4(), "CONFIDENTIAL", None, sh.Indexed.of_text(terms))
    [f] = _find("In mediation " + terms + " was proposed.", offer)
    assert f.never_file and "FRE 408" in f.rule
    assert _find("Acme pays forty thousand dollars and the plaintiff", offer) == []


def test_the_sealing_rules():
    assert sealing_rule("cand") == "N.D. Cal. Civ. L.R. 79-5"
    assert sealing_rule("caed") == "E.D. Cal. L.R. 141"
    assert sealing_rule("casd") == "S.D. Cal. CivLR 79.2"
    assert sealing_rule(None, "N.D. Cal.") == "N.D. Cal. Civ. L.R. 79-5"
    assert sealing_rule(None, "E.D. Cal.") == "E.D. Cal. L.R. 141"
    assert sealing_rule("txed").startswith("E.D. Tex. local rules") and GENERIC in sealing_rule(
        "txed")
    assert sealing_rule(None, None) == GENERIC
    from app.deadlines import courts

    known = {d.id for d in courts.districts()}
    assert set(SEALING_RULES) <= known


def test_phrasing_many_sources_share_is_not_evidence_but_a_few_copies_are():
    template = ("Plaintiff hereby incorporates each of the foregoing paragraphs of this "
                "declaration by reference as though fully set forth in this paragraph again")
    own = [" ".join(random.Random(i).sample(SECRET.split(), 20)) for i in range(12)]
    many = [_doc(f"{own[i]} {i} {template} {i}") for i in range(12)]
    assert _find(f"We say that {template} today.", *many) == []
    few = many[:3]
    assert len(_find(f"We say that {template} today.", *few)) == 3
    # A document's own passage is still found among the many.
    assert [f.source.id for f in _find(own[5], *many)] == [many[5].id]
