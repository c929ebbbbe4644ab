"""Cost of the legend positions, against the footer in the same run (interleaved rounds,
medians), on a 6-page PDF (40 paragraphs):

- marking one download in the header / on the diagonal, and with the protective order's
  legend, versus the footer (the first download of each kind builds its template: excluded);
- the marked copy's size versus the footer copy's (a diagonal copy embeds the digit font);
- reading 150 dpi page images of a footer copy (no OCR, every invisible channel on) with
  the diagonal tag reader versus without it: what the reader adds to every page-image trace.

    .venv/bin/python bench/bench_legend_positions.py
"""

from __future__ import annotations

import secrets
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.watermark import (  # noqa: E402
    LEGENDS,
    Candidate,
    MarkSpec,
    authentication_tag,
    detect,
    embed,
    prepare,
)
from app.watermark.reading import Reading  # noqa: E402
from bench.bench_watermark_cost import make_pdf  # noqa: E402

ROUNDS = 9
PDF = "application/pdf"
ORDER = "CONFIDENTIAL - SUBJECT TO PROTECTIVE ORDER"
KINDS = {"footer": ("footer", ""), "header": ("header", ""), "diagonal": ("diagonal", ""),
         "footer+order": ("footer", ORDER), "diagonal+order": ("diagonal", ORDER)}


def _mark(position: str, legend: str) -> MarkSpec:
    code = secrets.token_bytes(32)
    return MarkSpec(code, "Dana Reader", "Acme Corp.", "CONFIDENTIAL", LEGENDS[0],
                    authentication_tag(b"k" * 32, code), position=position, order_legend=legend)


def marking(prep: object) -> dict[str, tuple[float, float]]:
    """Per kind: (time ratio, size ratio) against the footer."""
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    sizes: dict[str, int] = {}
    for kind, args in KINDS.items():
        sizes[kind] = len(embed(prep, PDF, _mark(*args)))  # builds the kind's template
    for _ in range(ROUNDS):
        for kind, args in KINDS.items():
            mark = _mark(*args)
            t = time.perf_counter()
            embed(prep, PDF, mark)
            times[kind].append(time.perf_counter() - t)
    base = statistics.median(times["footer"])
    return {k: (statistics.median(v) / base, sizes[k] / sizes["footer"])
            for k, v in times.items()}


def reading(prep: object) -> float:
    """Page-image trace time with the diagonal reader / without it (footer copy)."""
    from tests.producers import rasterize

    mark = _mark("footer", "")
    pages = rasterize(embed(prep, PDF, mark))
    cands = [Candidate("d0", mark.download_code, mark.tag)]
    detect(pages, prep, PDF, cands)  # renders the original and builds the tag templates
    on, off = [], []
    for _ in range(ROUNDS):
        for out, patch in ((on, False), (off, True)):
            with mock.patch("app.watermark.geometry._diagonal_tags",
                            lambda *_: Reading()) if patch else nullcontext():
                t = time.perf_counter()
                detect(pages, prep, PDF, cands)
                out.append(time.perf_counter() - t)
    return statistics.median(on) / statistics.median(off)


if __name__ == "__main__":
    prep = prepare(make_pdf(40), PDF)
    for kind, (t, size) in marking(prep).items():
        print(f"{kind:15s} marking time / footer = {t:.2f}   size / footer = {size:.2f}")
    print(f"page-image trace with / without the diagonal tag reader = {reading(prep):.2f}")
