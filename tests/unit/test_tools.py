"""A test skipped for want of a tool fails in CI, naming the tool and its package."""

import pytest

from tests import tools


@pytest.mark.parametrize(("reason", "named"), [
    ("qpdf not installed", "qpdf is missing: CI must run this test (apt-get install qpdf)"),
    ("poppler-utils not installed", "(apt-get install poppler-utils)"),
    ("tesseract / poppler-utils not installed", "tesseract is missing"),
    ("softhsm2 is not installed (apt-get install softhsm2)", "softhsm2-util is missing"),
    ("/usr/bin/chromium is not installed (apt-get install chromium)", "chromium is missing"),
    ("could not import 'playwright.sync_api'", "playwright is missing"),
])
def test_in_ci_a_missing_tool_is_a_failure(monkeypatch, reason, named):
    monkeypatch.setenv("CI", "true")
    assert named in (tools.failure_for_skip(reason) or "")


@pytest.mark.parametrize("ci", ["", "0", "false"])
def test_outside_ci_the_skip_stands(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    assert tools.failure_for_skip("qpdf not installed") is None


def test_a_skip_for_another_reason_stands_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert tools.failure_for_skip("scans the SQLite file") is None


def test_require_fails_in_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"qpdf is missing.*apt-get install qpdf"):
        tools.require("qpdf")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="qpdf"):
        tools.require("qpdf")
