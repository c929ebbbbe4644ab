"""Cost of marking a PDF download against stamping a page-numbered footer with pikepdf,
measured in the same run (interleaved rounds, best and median of 40), the marked
size against the original, and the detect time of an intact 100-page marked PDF.

    .venv/bin/python bench/bench_watermark_cost.py
    .venv/bin/python bench/bench_watermark_cost.py --producers reportlab,ttf,chromium,scan

With --producers: the public leak benchmark's letters (../shared/bench/leak, or
$LEAKBENCH_DIR) made by each producer, each marked for six recipients (the size ratio is
their mean, as the benchmark's table reports it), and marking against the stamp on the same
letter, interleaved; printed per producer are the ratios of the per-letter medians (the
issue's goal: embedding <= 1.5x the stamp, size <= 1.3x, <= 1.1x for scans).
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pikepdf  # noqa: E402

from app.watermark import (  # noqa: E402
    LEGENDS,
    Candidate,
    MarkSpec,
    authentication_tag,
    detect,
    embed,
    prepare,
)

PARA = (
    "Calloway proposes a lump-sum payment of $1,375,000.00, payable within thirty (30) days "
    "after the parties execute a written settlement agreement and the Court enters a stipulated "
    "order of dismissal with prejudice. In exchange, Northgate would release Calloway, its "
    "parent, affiliates, officers, and insurers from all claims arising out of the 2021 Master "
    "Transportation Services Agreement, including the alleged overcharges for fuel surcharges "
    "and detention fees. Each side would bear its own attorneys\u2019 fees and costs."
)


def make_pdf(paragraphs: int) -> bytes:
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buf = io.BytesIO()
    style = ParagraphStyle("b", fontName="Times-Roman", fontSize=11, leading=14, alignment=4)
    SimpleDocTemplate(buf, pagesize=LETTER, invariant=1).build(
        [Paragraph(PARA, style) for _ in range(paragraphs)]
    )
    return buf.getvalue()


def stamp_page_numbers(pdf_bytes: bytes) -> bytes:
    """The reference: a pikepdf overlay footer 'Page n of N' on every page."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        n = len(pdf.pages)
        font = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica, Encoding=pikepdf.Name.WinAnsiEncoding))
        for k, page in enumerate(pdf.pages):
            res = page.obj.Resources
            if "/Font" not in res:  # a scanned page has images only
                res.Font = pikepdf.Dictionary()
            res.Font["/PgF"] = font
            text = f"BT /PgF 8 Tf 280 24 Td (Page {k + 1} of {n}) Tj ET".encode()
            page.contents_add(pdf.make_stream(text), prepend=False)
        out = io.BytesIO()
        pdf.save(out, compress_streams=True)
        return out.getvalue()


def mark(code: bytes) -> MarkSpec:
    return MarkSpec(code, "Alicia Moreno", "Northgate Logistics", "CONFIDENTIAL", LEGENDS[0],
                    authentication_tag(b"k" * 32, code))


def timed(fn, reps: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def interleaved(fns, reps: int) -> list[tuple[float, float]]:  # type: ignore[no-untyped-def]
    """(best, median) seconds per function, timed in turn within each round so that load from
    other processes hits all of them alike."""
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(reps):
        for k, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            samples[k].append(time.perf_counter() - t0)
    return [(min(s), statistics.median(s)) for s in samples]


def producers(names: list[str], reps: int) -> None:
    leak = Path(os.environ.get("LEAKBENCH_DIR",
                               Path(__file__).resolve().parents[2] / "shared/bench/leak"))
    sys.path.insert(0, str(leak))
    from leakbench import corpus  # type: ignore[import-not-found]

    for name in names:
        times, sizes = [], []
        for title, text in corpus.LETTERS.items():
            pdf = corpus.PRODUCERS[name](text, title)
            prep = prepare(pdf, "application/pdf")
            sizes += [len(embed(prep, "application/pdf", mark(secrets.token_bytes(32))))
                      / len(pdf) for _ in range(6)]
            (_, stamp), (_, ours) = interleaved(
                [lambda pdf=pdf: stamp_page_numbers(pdf),  # type: ignore[misc]
                 lambda prep=prep: embed(prep, "application/pdf",  # type: ignore[misc]
                                         mark(secrets.token_bytes(32)))], reps)
            times.append(ours / stamp)
            # absolute: stamp {stamp * 1e3:.2f} ms, embed {ours * 1e3:.2f} ms
            print(f"  # {name}/{title}: {len(pdf):,} bytes, stamp {stamp * 1e3:.2f} ms, "
                  f"embed {ours * 1e3:.2f} ms (medians of {reps})")
        print(f"{name}: embed / pikepdf stamp {statistics.median(times):.2f}x (letters "
              f"{min(times):.2f}-{max(times):.2f}x); marked size {statistics.fmean(sizes):.3f}x "
              f"the original (copies {min(sizes):.3f}-{max(sizes):.3f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--producers", default="",
                        help="comma-separated leak benchmark producers (only these are run)")
    parser.add_argument("--reps", type=int, default=40)
    args = parser.parse_args()
    if args.producers:
        producers(args.producers.split(","), args.reps)
        return
    for label, paras in (("2-page letter", 7), ("20-page document", 70)):
        pdf = make_pdf(paras)
        prep = prepare(pdf, "application/pdf")  # as the server's originals cache holds it
        t0 = time.perf_counter()
        embed(prep, "application/pdf", mark(secrets.token_bytes(32)))  # first download: analysis
        cold = time.perf_counter() - t0
        marked = embed(prep, "application/pdf", mark(secrets.token_bytes(32)))
        (b_best, b_med), (o_best, o_med) = interleaved(
            [lambda pdf=pdf: stamp_page_numbers(pdf),  # type: ignore[misc]
             lambda prep=prep: embed(prep, "application/pdf",  # type: ignore[misc]
                                     mark(secrets.token_bytes(32)))], 40)
        print(f"{label}: footer stamp {b_best * 1e3:.2f} ms, embed {o_best * 1e3:.2f} ms "
              f"(best of 40 interleaved; first download of this original {cold * 1e3:.1f} ms); "
              f"ratio {o_best / b_best:.2f}x (medians {b_med * 1e3:.2f} / {o_med * 1e3:.2f} ms, "
              f"{o_med / b_med:.2f}x); marked size {len(marked) / len(pdf):.2f}x the original")
    big = make_pdf(760)
    with pikepdf.open(io.BytesIO(big)) as p:
        pages = len(p.pages)
    codes = [secrets.token_bytes(32) for _ in range(100)]
    cands = [Candidate(f"c{i}", c, authentication_tag(b"k" * 32, c)) for i, c in enumerate(codes)]
    big_prep = prepare(big, "application/pdf")
    marked = embed(big_prep, "application/pdf", mark(codes[17]))
    det = detect(marked, big_prep, "application/pdf", cands)
    assert det.identified == ("c17",), det.verdict
    t = timed(lambda: detect(marked, big_prep, "application/pdf", cands), 7)
    print(f"detect intact {pages}-page PDF, 100 candidates: {t * 1e3:.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
