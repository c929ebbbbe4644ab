#!/usr/bin/env bash
# Run the shared leak benchmark with settleroom's in-process adapter beside the baseline peer.
#   bench/run_leak.sh                 # full battery (rasterise/OCR attacks included)
#   bench/run_leak.sh --quick         # skip rasterise/OCR attacks
# Two passes (text medium, PDF medium) merged into bench/results/results.md (git-ignored).
# Extra flags go to the harness. LEAKBENCH_VENV / LEAKBENCH_CACHE default to /tmp so the
# shared benchmark folder is never written to.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
LEAK="${LEAKBENCH_DIR:-/work/shared/bench/leak}"
export LEAKBENCH_VENV="${LEAKBENCH_VENV:-/tmp/leakbench-venv}"
export LEAKBENCH_CACHE="${LEAKBENCH_CACHE:-/tmp/leakbench-cache}"
OUT="$HERE/results"
mkdir -p "$OUT"
# the adapter imports app/ and crypto/ from this repository (numpy, pypdfium2, zlib-ng in that
# venv)
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"
ADAPTERS="${LEAK_ADAPTERS:-$HERE/leak_adapter.py,baseline_footer}"
"$LEAK/run.sh" --adapters "$ADAPTERS" --out "$OUT" --media text --json-name text.json "$@"
"$LEAKBENCH_VENV/bin/python" -m pip install -q pypdfium2 zlib-ng >/dev/null 2>&1 || true
"$LEAK/run.sh" --adapters "$ADAPTERS" --out "$OUT" --media pdf --json-name pdf.json "$@"
"$LEAK/run.sh" --report "$OUT/text.json,$OUT/pdf.json" --out "$OUT"
