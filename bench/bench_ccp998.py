"""Section 998 acceptance windows versus FRCP 68 acceptance deadlines, measured in one run.

Prints ``ratio = time per section 998 window / time per Rule 68 deadline`` over the same
service days (every day of 2026-2027, electronic service), computed cold (caches cleared)
and warm. Both compute a period in court days with a holiday calendar and an explanation;
the ratio shows whether the California calendar adds cost next to the FRCP 6 engine.
Interleaved best-of-N timings damp scheduler noise. Absolute times are for context only.

Usage: .venv/bin/python bench/bench_ccp998.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.ccp998 import judicial_calendar  # noqa: E402
from app.ccp998.rules import acceptance_window  # noqa: E402
from app.deadlines import holiday_calendar  # noqa: E402
from app.rule68.rules import acceptance_deadline  # noqa: E402

DAYS = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(730)]


def best_time(rounds: int, fns: dict[str, Callable[[], None]]) -> dict[str, float]:
    best = {name: float("inf") for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def ccp998(cold: bool) -> Callable[[], None]:
    def run() -> None:
        if cold:
            judicial_calendar.judicial_holidays.cache_clear()
        for day in DAYS:
            acceptance_window(day, "electronic")
    return run


def rule68(cold: bool) -> Callable[[], None]:
    def run() -> None:
        if cold:
            holiday_calendar.federal_holidays.cache_clear()
            holiday_calendar.state_holidays.cache_clear()
        for day in DAYS:
            acceptance_deadline(day, "electronic", court_state="CA",
                                court_timezone="America/Los_Angeles", district="cand")
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for label, cold in (("cold", True), ("warm", False)):
        best = best_time(args.rounds, {"ccp998": ccp998(cold), "rule68": rule68(cold)})
        print(f"{label}: ratio = {best['ccp998'] / best['rule68']:.2f} "
              f"(998 {best['ccp998'] / len(DAYS) * 1e6:.1f} us/window, "
              f"rule 68 {best['rule68'] / len(DAYS) * 1e6:.1f} us/deadline)")


if __name__ == "__main__":
    main()
