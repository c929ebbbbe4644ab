#!/usr/bin/env bash
# Run the shared leak benchmark with settleroom's in-process adapter beside the baseline peer.
#   bench/run_leak.sh                 # full battery (rasterise/OCR attacks included)
#   bench/run_leak.sh --quick         # skip rasterise/OCR attacks
# Extra flags go to the harness. Results: bench/results/results.md (git-ignored).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
LEAK="${LEAKBENCH_DIR:-/work/shared/bench/leak}"
export LEAKBENCH_VENV="${LEAKBENCH_VENV:-/tmp/leakbench-venv}"
export LEAKBENCH_CACHE="${LEAKBENCH_CACHE:-/tmp/leakbench-cache}"
OUT="$HERE/results"
mkdir -p "$OUT"
# the adapter imports app/ and crypto/ from this repository
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"
ADAPTERS="${LEAK_ADAPTERS:-$HERE/leak_adapter.py,baseline_footer}"
exec "$LEAK/run.sh" --adapters "$ADAPTERS" --out "$OUT" "$@"
