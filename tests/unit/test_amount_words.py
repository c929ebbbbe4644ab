"""Amounts in words on the offer review page: the currency's own words where the speller
knows them, the ISO code otherwise, never an error page for an unusual currency."""

from __future__ import annotations

import pytest

from app.web.render import amount_words, filesize


@pytest.mark.parametrize(("cents", "currency", "words"), [
    (25_000_000, "USD", "Two hundred and fifty thousand dollars, zero cents"),
    (10_001, "EUR", "One hundred euro, one cent"),
    (12_345, "JPY", "One hundred and twenty-three JPY and 45/100"),
    (100, "CHF", "One CHF"),
    (0, "USD", "Zero dollars, zero cents"),
])
def test_amounts_in_words(cents, currency, words):
    assert amount_words(cents, currency) == words


@pytest.mark.parametrize(("size", "text"), [
    (1, "1 byte"), (812, "812 bytes"), (1536, "1.5 KB"), (2 * 1024 * 1024 - 1, "2.0 MB"),
    (3 * 1024 ** 3, "3.0 GB"),
])
def test_file_sizes_as_people_read_them(size, text):
    assert filesize(size) == text
