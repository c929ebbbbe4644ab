"""Do marked PDF copies stay searchable? Word identity and size per PDF producer.

For every letter of the shared leak benchmark, made by each `--pdf-producer` (reportlab, ttf,
chromium, scan), marks copies for a few recipients (as bench/leak_adapter.py does, every
channel on) and prints, per producer:

* word identity: the share of the original's word occurrences (pdftotext, split on
  whitespace) that occur identically in the marked copy's pdftotext output, counted as a
  multiset (a word that occurs 5 times in the original and 4 times unchanged in the copy
  counts 4). Words the copy adds (its footer) do not count either way. Issue #15 asks for
  >= 0.95: a search for a word of the original finds it in the copy.
* the harness's own figure, "text layer kept (similarity)": difflib ratio of the texts
  after NFKC, removal of format characters and whitespace collapse (the line tokens are
  format characters: they count in word identity only if they changed a word, and here
  not at all);
* the size ratio marked/original (target <= 1.3, scans <= 1.1).

    PYTHONPATH=. .venv/bin/python bench/bench_searchable.py [--producers reportlab,chromium]
        [--recipients 6]

Reads the letters from ../shared/bench/leak (LEAKBENCH_DIR); writes nothing.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEAK = Path(os.environ.get("LEAKBENCH_DIR", "/work/shared/bench/leak"))
for p in (ROOT, LEAK):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from leakbench import corpus  # noqa: E402

import app.watermark as wm  # noqa: E402
from app.watermark import LEGENDS, MarkSpec, authentication_tag  # noqa: E402


def pdftotext(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in.pdf"
        src.write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(src), "-"], check=True,
                             capture_output=True)
    return out.stdout.decode("utf-8", "replace")


def word_identity(original: str, marked: str) -> float:
    """Share of the original's word occurrences found unchanged in the marked text."""
    want = Counter(original.split())
    if not want:
        return 1.0
    got = Counter(marked.split())
    return sum(min(n, got[w]) for w, n in want.items()) / sum(want.values())


def _norm(text: str) -> str:
    """As the harness normalises before comparing: NFKC, format characters removed,
    whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return re.sub(r"\s+", " ", text).strip()


def similarity(original: str, marked: str) -> float:
    """The harness's "text layer kept" figure (difflib ratio of the normalised texts)."""
    return difflib.SequenceMatcher(None, _norm(original), _norm(marked),
                                   autojunk=False).ratio()


def mark_for(recipient: str) -> MarkSpec:
    code = secrets.token_bytes(32)
    return MarkSpec(download_code=code, recipient_name=recipient,
                    party_name="Leakbench Plaintiff LLC", designation="CONFIDENTIAL",
                    legend=LEGENDS[1], tag=authentication_tag(secrets.token_bytes(32), code))


def measure(producer: str, recipients: int) -> dict[str, float]:
    make = corpus.PRODUCERS[producer]
    ids, sims, sizes = [], [], []
    words = 0
    for key, letter in corpus.LETTERS.items():
        original = make(letter, key)
        base = pdftotext(original)
        words += len(base.split())
        prep = wm.prepare(original, "application/pdf")
        for k in range(recipients):
            copy = wm.embed(prep, "application/pdf", mark_for(f"Recipient {k}"))
            text = pdftotext(copy)
            ids.append(word_identity(base, text))
            sims.append(similarity(base, text))
            sizes.append(len(copy) / len(original))
    return {"word_identity_mean": statistics.fmean(ids), "word_identity_min": min(ids),
            "similarity": statistics.fmean(sims), "size_ratio": statistics.fmean(sizes),
            "words": words}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--producers", default="reportlab,ttf,chromium,scan")
    ap.add_argument("--recipients", type=int, default=6)
    args = ap.parse_args()
    print("| producer | word identity (mean / min) | text layer kept (similarity) | "
          "size ratio |")
    print("|---|---|---|---|")
    for producer in args.producers.split(","):
        m = measure(producer, args.recipients)
        if m["words"]:
            ident = f"{m['word_identity_mean']:.3f} / {m['word_identity_min']:.3f}"
            sim = f"{m['similarity']:.3f}"
        else:  # a scan: no text layer to keep
            ident = sim = "n/a (no text layer)"
        print(f"| {producer} | {ident} | {sim} | {m['size_ratio']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
