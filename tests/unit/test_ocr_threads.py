"""The server's OCR runs tesseract with one OpenMP thread: its default threads spin on
cores that other requests and other OCRs need (several times the CPU per page on a busy
two-core machine). Checked through a stand-in ``tesseract`` on PATH that prints what the
real one would read from its environment."""

import os
import stat
from pathlib import Path

import pytest

from app.documents.tracing.ocr import make_ocr


@pytest.fixture
def tesseract_reporting_its_threads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "tesseract"
    fake.write_text('#!/bin/sh\nprintf "threads=%s" "${OMP_THREAD_LIMIT:-unset}"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)


@pytest.mark.usefixtures("tesseract_reporting_its_threads")
def test_each_page_is_read_by_one_thread(tmp_path: Path) -> None:
    ocr = make_ocr(tmp_path / "data")
    assert ocr is not None
    assert ocr(b"page image") == "threads=1"


@pytest.mark.usefixtures("tesseract_reporting_its_threads")
def test_an_operator_setting_is_not_what_decides(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_THREAD_LIMIT", "8")
    ocr = make_ocr(tmp_path / "data")
    assert ocr is not None
    assert ocr(b"another page image") == "threads=1"
