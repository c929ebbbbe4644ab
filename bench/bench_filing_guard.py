"""The filing guard's benchmark (issue #18 item 7): recall, false findings and speed.

Corpus, built in this run from public text:
- public text: the licence texts shipped in this environment's site-packages (Apache, BSD,
  MIT, GPL, PSF, ...: legal prose none of which is in the guard's bundled public corpus)
  and the court orders of ``shared/context``, cut into paragraphs;
- 1,000 protected documents: declarations of generated prose (sentences drawn from the
  public vocabulary and legal stock phrases, with names and numbers), each also quoting a
  court order and swearing the usual perjury formula, as real declarations do;
- ``--drafts`` planted drafts: public paragraphs in pages, with one protected passage of
  15 to 40 words planted on each of five pages (verbatim, re-flowed with hyphenation,
  re-typed with other case and punctuation, from a watermarked download, OCR'd from a
  150 dpi scan) and one protected page attached as a 150 dpi scanned exhibit (OCR);
- as many clean drafts, built the same way with nothing planted.
A planted passage or page counts as found when a finding names its document on its page.
Every finding on a clean draft is a false finding.

Speed: a 100-page draft (public text with ten planted passages) against the 1,000
documents' indexes (as kept in the originals cache), best of N, as a ratio against
reading the same draft's words (the baseline, measured in the same run); and the cold
check, the first one after a restart: the 1,000 indexes built from the documents' text
(best of N), then the check.

Usage: PYTHONPATH=. .venv/bin/python bench/bench_filing_guard.py [--drafts 40] [--rounds 5]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.documents.tracing.ocr import OCR_ENV_OVERRIDES  # noqa: E402
from app.kernel import shingles as sh  # noqa: E402
from app.protective_orders.filing import DraftPage, Source, check_draft_text  # noqa: E402
from app.watermark import MarkSpec, embed  # noqa: E402

CONTEXT = Path("/work/shared/context")
SITE = Path(sys.prefix) / "lib"
STOCK = ["pursuant to the agreement", "as set forth above", "in accordance with the policy",
         "the court finds that", "on or about", "at all relevant times",
         "to the best of my knowledge", "in the ordinary course of business"]
NAMES = ["Hernandez", "Okafor", "Lindqvist", "Ramirez", "Chen", "Abernathy", "Novak", "Patel"]
ORDER_QUOTE = ("District courts may impose sanctions as part of their inherent powers that are "
               "governed not by rule or statute but by the control necessarily vested in courts "
               "to manage their own affairs so as to achieve the orderly and expeditious "
               "disposition of cases.")
PERJURY = ("I declare under penalty of perjury under the laws of the United States of America "
           "that the foregoing is true and correct.")


def public_paragraphs() -> list[str]:
    seen, paras = set(), []
    files = sorted(SITE.rglob("LICENSE*")) + sorted(CONTEXT.glob("*.txt"))
    for f in files:
        if not f.is_file() or f.stat().st_size > 200_000:
            continue
        text = f.read_text("utf-8", "replace")
        digest = hashlib.sha256(text.encode()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        for p in text.split("\n\n"):
            p = " ".join(ln.strip() for ln in p.splitlines() if not ln.strip().isdigit())
            if len(p.split()) >= 25 and p not in paras:
                paras.append(p)
    return paras


def sentence(rng: random.Random, vocab: list[str]) -> str:
    n = rng.randint(15, 40)
    ws = [rng.choice(vocab) for _ in range(n)]
    ws[rng.randrange(n)] = rng.choice(STOCK)
    ws[rng.randrange(n)] = rng.choice(NAMES)
    ws[rng.randrange(n)] = str(rng.randint(2, 9999))
    return ws[0].capitalize() + " " + " ".join(ws[1:]) + "."


def protected_docs(rng: random.Random, vocab: list[str], n: int) -> list[list[str]]:
    """Each document: its sentences (the first page is the first 20 of them)."""
    docs = []
    for _ in range(n):
        body = [sentence(rng, vocab) for _ in range(rng.randint(40, 70))]
        body.insert(rng.randrange(len(body)), "As the Court wrote, " + ORDER_QUOTE)
        docs.append(body + [PERJURY])
    return docs


# ----------------------------------------------------------------------------- variants
def reflowed(s: str, rng: random.Random) -> str:
    out = []
    for i, w in enumerate(s.split()):
        if i and i % 7 == 0:
            if len(w) > 7 and rng.random() < 0.5:
                w = w[:4] + "-\n" + w[4:]
            out.append("\n" + w)
        else:
            out.append(" " + w)
    return "".join(out).strip()


def retyped(s: str, rng: random.Random) -> str:
    s = s.upper() if rng.random() < 0.5 else s.lower()
    return s.replace(",", "").replace(".", ";").replace(" ", " , ", 1)


def watermarked(s: str, rng: random.Random) -> str:
    mark = MarkSpec(download_code=rng.randbytes(32), recipient_name="R", party_name="P",
                    designation="CONFIDENTIAL", legend="CONFIDENTIAL", tag="12345678")
    copy = embed(s.encode(), "text/plain", mark).decode()
    return copy.split("\n\n--\n")[0]


def _pdf(text: str, size: int = 12) -> bytes:
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buf = io.BytesIO()
    style = ParagraphStyle("b", fontName="Times-Roman", fontSize=size, leading=size * 1.3)
    SimpleDocTemplate(buf, pagesize=LETTER, invariant=1).build(
        [Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), style)])
    return buf.getvalue()


def ocr_of_scan(text: str) -> str:
    """Print ``text``, scan the first page at 150 dpi (grey), read it with tesseract."""
    with tempfile.TemporaryDirectory() as td:
        pdf = Path(td) / "p.pdf"
        pdf.write_bytes(_pdf(text))
        subprocess.run([shutil.which("pdftoppm") or "pdftoppm", "-r", "150", "-gray", "-png",
                        "-f", "1", "-l", "1", str(pdf), str(Path(td) / "s")], check=True)
        png = sorted(Path(td).glob("s*.png"))[0]
        done = subprocess.run([shutil.which("tesseract") or "tesseract", str(png), "stdout",
                               "-l", "eng"], env=os.environ | OCR_ENV_OVERRIDES,
                              capture_output=True, check=True)
        return done.stdout.decode("utf-8", "replace")


VARIANTS = {"verbatim": lambda s, r: s, "reflowed": reflowed, "retyped": retyped,
            "watermarked": watermarked}


def build_drafts(rng: random.Random, public: list[str], docs: list[list[str]], n: int,
                 pool: ThreadPoolExecutor) -> list[tuple[list[str], list[tuple[str, int, int]]]]:
    """(pages, plants) of ``n`` planted drafts then ``n`` clean ones; a plant is
    (kind, document index, page number). Nine pages each; a planted draft has a passage on
    five of them and a scanned exhibit page as a sixth."""
    drafts: list[tuple[list[str], list[tuple[str, int, int]]]] = []
    jobs = []
    for k in range(2 * n):
        pages = [" ".join(rng.sample(public, 3)) for _ in range(9)]
        pages[rng.randrange(9)] += " " + rng.choice([ORDER_QUOTE, PERJURY])
        plants: list[tuple[str, int, int]] = []
        if k < n:
            spots = rng.sample(range(9), 6)
            for kind, page in zip([*VARIANTS, "ocr"], spots[:5], strict=True):
                d = rng.randrange(len(docs))
                passage = rng.choice([x for x in docs[d][:-1] if not x.startswith("As the")])
                cut = pages[page].rfind(" ", 0, len(pages[page]) // 3) + 1
                if kind == "ocr":
                    jobs.append((k, page, cut, pool.submit(ocr_of_scan, passage)))
                else:
                    text = VARIANTS[kind](passage, rng)
                    pages[page] = pages[page][:cut] + text + " " + pages[page][cut:]
                plants.append((kind, d, page + 1))
            d = rng.randrange(len(docs))
            jobs.append((k, spots[5], -1, pool.submit(ocr_of_scan, " ".join(docs[d][:20]))))
            plants.append(("exhibit", d, spots[5] + 1))
        drafts.append((pages, plants))
    for k, page, cut, fut in jobs:
        pages = drafts[k][0]
        text = fut.result()
        pages[page] = text if cut < 0 else pages[page][:cut] + text + " " + pages[page][cut:]
    return drafts


def build_indexes(docs: list[list[str]], rounds: int) -> tuple[float, list[Source]]:
    """The documents' indexes as a cold check builds them, and the best time of ``rounds``
    builds (the word hashes' memo emptied before each, as after a restart)."""
    best, sources = float("inf"), []
    texts = ["\n".join(body) for body in docs]
    for _ in range(max(1, rounds)):
        sh.forget_word_hashes()
        t0 = time.perf_counter()
        sources = [Source("document", uuid.UUID(int=i + 1), "CONFIDENTIAL", None,
                          sh.Indexed.of_text(text)) for i, text in enumerate(texts)]
        best = min(best, time.perf_counter() - t0)
    return best, sources


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--drafts", type=int, default=40)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(18)
    public = public_paragraphs()
    vocab = sorted({w for p in public for w in p.split() if w.isalpha() and len(w) > 2})
    docs = protected_docs(rng, vocab, args.docs)
    index_seconds, sources = build_indexes(docs, args.rounds)
    with ThreadPoolExecutor(2) as pool:
        drafts = build_drafts(rng, public, docs, args.drafts, pool)
    found = {k: [0, 0] for k in [*VARIANTS, "ocr", "exhibit"]}
    false_findings = clean_drafts = 0
    for pages, plants in drafts:
        got = check_draft_text([DraftPage(i + 1, t) for i, t in enumerate(pages)], sources,
                               sealing_rule="N.D. Cal. Civ. L.R. 79-5")
        hits = {(f.source.id.int - 1, f.evidence_page) for f in got}
        if not plants:
            clean_drafts += 1
            false_findings += len(got)
        for kind, d, page in plants:
            found[kind][1] += 1
            found[kind][0] += (d, page) in hits
        planted = {(d, p) for _, d, p in plants}
        false_findings += sum(1 for h in hits if h not in planted) if plants else 0
    passages = [v for k, v in found.items() if k != "exhibit"]
    p_found, p_total = sum(v[0] for v in passages), sum(v[1] for v in passages)
    print(f"public paragraphs: {len(public)}; protected documents: {len(docs)}; "
          f"planted drafts: {args.drafts}; clean drafts: {clean_drafts}")
    for kind, (ok, total) in found.items():
        print(f"  {kind:12s} found {ok}/{total}")
    print(f"planted passages found: {p_found}/{p_total} = {p_found / max(1, p_total):.1%}")
    print(f"exhibit pages found: {found['exhibit'][0]}/{found['exhibit'][1]} = "
          f"{found['exhibit'][0] / max(1, found['exhibit'][1]):.1%}")
    print(f"false findings (clean drafts, and wrong places in planted ones): {false_findings}")

    # ------------------------------------------------------------------ speed
    pages = [" ".join(rng.sample(public, 4)) for _ in range(100)]
    for i in range(10):
        pages[i * 10] += " " + rng.choice(docs[rng.randrange(len(docs))][:-1])
    draft = [DraftPage(i + 1, t) for i, t in enumerate(pages)]
    words = sum(len(sh.words(p.text)) for p in draft)
    best_check = best_base = float("inf")
    for _ in range(args.rounds):
        t = time.perf_counter()
        for p in draft:
            sh.words(p.text)
        best_base = min(best_base, time.perf_counter() - t)
        t = time.perf_counter()
        got = check_draft_text(draft, sources, sealing_rule="x")
        best_check = min(best_check, time.perf_counter() - t)
    cold = index_seconds + best_check
    print(f"cold check (build the {len(sources)} indexes, then check the 100-page draft): "
          f"{cold / best_base:.1f}x the baseline ({cold:.2f} s)")
    print(f"100-page draft ({words} words) vs {len(sources)} documents: {len(got)} findings; "
          f"check / reading the draft's words = {best_check / best_base:.1f}x; "
          f"building the {len(sources)} indexes / reading the draft's words = "
          f"{index_seconds / best_base:.1f}x")
    # Absolute, for context only (this machine, one process):
    print(f"  (check {best_check:.2f} s; baseline {best_base:.3f} s; "
          f"index build {index_seconds:.1f} s)")


if __name__ == "__main__":
    main()
