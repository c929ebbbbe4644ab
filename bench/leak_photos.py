"""Phone photos of marked copies, a row the shared leak harness does not have, through
bench/leak_adapter.py with the harness's letters, producer, recipients and candidates.

Each copy's first page, rendered at 200 dpi, is photographed as tests/photos.py simulates it
(the page in perspective on a darker surface, each corner moved by up to `--tilt` of the
frame, light falling by `--light` across it, blurred by about a pixel, camera JPEG at
quality 82; a different photo per copy). With `--camera`, each photo is also taken through an
uncorrected phone lens, of a bowed page, with a glare spot (tests/photos.py `camera`: radial
k1 in -0.08..-0.03 of the half-diagonal, a 2-5 mm bow across the page's width, glare 0.3-0.6
of the way to white), drawn per photo. Control: the same photo of each unmarked original;
any name is a false accusation. Every photo is traced against every stored original.

Run from the repository root with the leak benchmark's virtualenv:
  PYTHONPATH=.:/work/shared/bench/leak /tmp/leakbench-venv/bin/python \\
      bench/leak_photos.py --pdf-producer scan
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import leak_adapter as adapter  # noqa: E402
from leak_grab_controls import parser, print_rows  # noqa: E402
from leakbench import corpus, tools  # noqa: E402

from tests.photos import camera, photo  # noqa: E402


def main() -> None:
    ap = parser()
    ap.add_argument("--tilt", type=float, default=0.06)
    ap.add_argument("--light", type=float, default=0.3)
    ap.add_argument("--camera", action="store_true")
    args = ap.parse_args()
    recips, candidates = corpus.make_recipients(args.recipients, args.decoys)
    make = corpus.PRODUCERS[args.pdf_producer]
    docs = {k: make(v, k) for k, v in corpus.LETTERS.items()}
    copies = {(k, r.id): adapter.embed(d, r.id) for k, d in docs.items() for r in recips}

    def shot(pdf: bytes, seed: int) -> list[bytes]:
        extra = camera(seed) if args.camera else {}
        return [photo(tools.rasterize(pdf, 200)[0], seed, tilt=args.tilt, light=args.light,
                      **extra)]

    control, marked = "control: photo of the unmarked original", "copy, photo of page 1"
    rows = {control: [0, 0, 0], marked: [0, 0, 0]}
    for n, (k, d) in enumerate(docs.items()):
        rows[control][1 if adapter.detect(shot(d, 1000 + n), candidates) else 2] += 1
        for i, r in enumerate(recips):
            got = adapter.detect(shot(copies[(k, r.id)], 100 * n + i), candidates)
            rows[marked][0 if got == r.id else 1 if got else 2] += 1
    print_rows(f"producer={args.pdf_producer} recipients={args.recipients} candidates="
               f"{len(candidates)} letters={len(docs)} tilt={args.tilt} light={args.light}"
               f" camera={args.camera}", rows)


if __name__ == "__main__":
    main()
