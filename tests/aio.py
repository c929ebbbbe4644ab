"""Running a coroutine from a synchronous test, whatever the main thread holds."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: a browser test's Playwright keeps an event
    loop running in the main thread while its browser is open, and ``asyncio.run`` refuses
    to start a second loop in a thread that has one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
