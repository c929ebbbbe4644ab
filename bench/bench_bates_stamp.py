"""Cost of stamping Bates numbers on a marked PDF copy: the same download marked with and
without a Bates number per page, in the same run (interleaved rounds, median of 15), for a
6-page and a 54-page PDF (40 and 400 paragraphs). Printed as ratios (stamped / unstamped).

    .venv/bin/python bench/bench_bates_stamp.py
"""

from __future__ import annotations

import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.documents.bates import labels  # noqa: E402
from app.watermark import LEGENDS, MarkSpec, authentication_tag, embed, prepare  # noqa: E402
from bench.bench_watermark_cost import make_pdf  # noqa: E402

ROUNDS = 15


def _mark(pages: int, stamped: bool) -> MarkSpec:
    code = secrets.token_bytes(32)
    return MarkSpec(code, "Dana Reader", "Acme Corp.", "CONFIDENTIAL", LEGENDS[0],
                    authentication_tag(b"k" * 32, code),
                    bates=labels("SMITH", 1, pages) if stamped else ())


def run(paragraphs: int) -> tuple[int, float]:
    prep = prepare(make_pdf(paragraphs), "application/pdf")
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(prep.original)) as pdf:
        pages = len(pdf.pages)
    embed(prep, "application/pdf", _mark(pages, False))  # build the splice template once
    plain, stamped = [], []
    for _ in range(ROUNDS):
        for flag, out in ((False, plain), (True, stamped)):
            mark = _mark(pages, flag)
            t = time.perf_counter()
            embed(prep, "application/pdf", mark)
            out.append(time.perf_counter() - t)
    return pages, statistics.median(stamped) / statistics.median(plain)


if __name__ == "__main__":
    for paragraphs in (40, 400):
        pages, ratio = run(paragraphs)
        print(f"{pages:4d} pages: stamped / unstamped download marking = {ratio:.2f}")
