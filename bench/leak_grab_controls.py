"""Screen-grab rows the shared leak harness does not have, through bench/leak_adapter.py.

The harness's `screen_grab_top60_96dpi` grabs marked copies; its image control rasterises the
unmarked original at 150 dpi, whole pages. This script adds, with the same letters, producer,
recipients and candidate list as the harness (6 x 3, 100 candidates by default):

- control: the unmarked original's first page grabbed like the attack (96 dpi, top 60 %);
  any name is a false accusation;
- a band from the middle of the page (rows 20-80 %, 96 dpi): the grab need not start at the
  top of the page;
- a grab cropped at the sides too (rows 10-50 %, columns 8-85 %, 110 dpi): its scale is not
  the page width over its width and is searched for;
every grab is traced against every stored original (as the adapter does), so each row also
reads each letter's grab against the other letters' originals.

Run from the repository root with the leak benchmark's virtualenv:
  PYTHONPATH=.:/work/shared/bench/leak /tmp/leakbench-venv/bin/python \
      bench/leak_grab_controls.py --pdf-producer chromium
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import leak_adapter as adapter  # noqa: E402
from leakbench import corpus, tools  # noqa: E402


def grab(pdf: bytes, top: float, bottom: float, dpi: int = 96, left: float = 0.0,
         right: float = 1.0) -> list[bytes]:
    from PIL import Image

    page = Image.open(io.BytesIO(tools.rasterize(pdf, dpi)[0])).convert("RGB")
    w, h = page.size
    out = io.BytesIO()
    page.crop((int(w * left), int(h * top), int(w * right), int(h * bottom))).save(out, "PNG")
    return [out.getvalue()]


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pdf-producer", default="reportlab", choices=sorted(corpus.PRODUCERS))
    ap.add_argument("--recipients", type=int, default=6)
    ap.add_argument("--decoys", type=int, default=94)
    return ap


def print_rows(title: str, rows: dict[str, list[int]]) -> None:
    print(title)
    print("| row | identified | wrong (FA) | no one |\n|---|---|---|---|")
    for name, (ok, wrong, none) in rows.items():
        print(f"| {name} | {ok} | {wrong} | {none} |")


def main() -> None:
    args = parser().parse_args()
    recips, candidates = corpus.make_recipients(args.recipients, args.decoys)
    letters = corpus.LETTERS
    make = corpus.PRODUCERS[args.pdf_producer]
    docs = {k: make(v, k) for k, v in letters.items()}
    copies = {(k, r.id): adapter.embed(d, r.id) for k, d in docs.items() for r in recips}
    control = "control: unmarked original, top 60 % at 96 dpi"
    variants = {"copy, rows 20-80 % at 96 dpi": (0.2, 0.8, 96, 0.0, 1.0),
                "copy, rows 10-50 % x columns 8-85 % at 110 dpi": (0.1, 0.5, 110, 0.08, 0.85)}
    rows = {control: [0, 0, 0], **{name: [0, 0, 0] for name in variants}}
    for k, d in docs.items():
        rows[control][1 if adapter.detect(grab(d, 0.0, 0.6), candidates) else 2] += 1
        for r in recips:
            for name, v in variants.items():
                got = adapter.detect(grab(copies[(k, r.id)], *v), candidates)
                rows[name][0 if got == r.id else 1 if got else 2] += 1
    print_rows(f"producer={args.pdf_producer} recipients={args.recipients} "
               f"candidates={len(candidates)} letters={len(docs)}", rows)


if __name__ == "__main__":
    main()
