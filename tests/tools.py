"""External tools some tests need, and what a missing one means.

On a developer's machine a test whose tool is missing is skipped. In CI (``CI`` set, as
CI services and ``.ci/run`` do) a skip would hide that the check never ran, so it fails
instead, naming the tool and the package that provides it. ``require`` does this for a
new test; ``failure_for_skip`` turns the skip of an existing test into that failure (the
``pytest_runtest_makereport`` hook in ``tests/conftest.py``), whichever way it skipped.
"""

from __future__ import annotations

import os
import shutil

import pytest

# A word a skip reason uses for the tool -> (the tool, how to install it).
TOOLS: dict[str, tuple[str, str]] = {
    "qpdf": ("qpdf", "apt-get install qpdf"),
    "pdftoppm": ("pdftoppm", "apt-get install poppler-utils"),
    "pdftotext": ("pdftotext", "apt-get install poppler-utils"),
    "poppler": ("pdftoppm", "apt-get install poppler-utils"),
    "tesseract": ("tesseract", "apt-get install tesseract-ocr tesseract-ocr-eng"),
    "softhsm": ("softhsm2-util", "apt-get install softhsm2"),
    "chromium": ("chromium", "apt-get install chromium"),
    "pg_dump": ("pg_dump", "apt-get install postgresql-client"),
    "playwright": ("playwright", "pip install -e '.[dev]'"),
    "pkcs11": ("python-pkcs11", "pip install -e '.[dev]'"),
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _message(tool: str, install: str) -> str:
    return f"{tool} is missing: CI must run this test ({install})"


def require(program: str) -> str:
    """The path of ``program``; skip without it, or fail in CI."""
    path = shutil.which(program)
    if path is None:
        install = next((how for tool, how in TOOLS.values() if tool == program),
                       f"install {program}")
        if in_ci():
            pytest.fail(_message(program, install), pytrace=False)
        pytest.skip(f"{program} is not installed ({install})")
    return path


def failure_for_skip(reason: str) -> str | None:
    """In CI, the failure message for a skip whose reason names a missing tool; else None.

    Of the tools the reason names, those not on PATH are named (all of them if none is:
    a Python package, or a tool at a configured path)."""
    if not in_ci():
        return None
    text = reason.lower()
    named = {tool: install for word, (tool, install) in TOOLS.items() if word in text}
    if not named:
        return None
    missing = {t: how for t, how in named.items() if shutil.which(t) is None} or named
    return "; ".join(_message(t, how) for t, how in missing.items()) + (
        f"; the test was skipped: {reason}")


def same_answer(body: dict) -> dict:  # type: ignore[type-arg]
    """A problem body without its request id (each request has its own): what two answers
    must share to be indistinguishable."""
    return {k: v for k, v in body.items() if k != "request_id"}
