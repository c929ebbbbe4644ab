"""Canonical JSON: the one byte encoding that settleroom signs and hashes.

Encoding: ``json.dumps`` with sorted keys, separators ``(",", ":")``,
``ensure_ascii=False``, then UTF-8. Equal documents always give equal bytes.

Invariant: only values whose encoding every JSON implementation reproduces are
accepted: ``None``, ``bool``, ``int``, ``str`` (valid Unicode, no lone surrogates),
lists/tuples and dicts with ``str`` keys. Floats are refused (``TypeError``)
because their textual form differs across languages, which would let a verifier
in another stack reject a genuine signature; carry money as integer minor units or
decimal strings. NaN/Infinity are therefore impossible too.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["canonical_json"]

_MAX_DEPTH = 64
# ``json.dumps`` with any option builds an encoder per call: this one is built once.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# Exact types whose values need no look inside: the common case, checked without a call.
_LEAVES = frozenset({type(None), bool, int, str})


def _check(value: Any, depth: int = 0) -> None:
    """Raise ``TypeError``/``ValueError`` for anything outside the canonical subset.

    Strings are not encoded here: ``canonical_json`` encodes the whole text to UTF-8,
    which raises for a lone surrogate in any key or value."""
    if depth > _MAX_DEPTH:
        raise ValueError("document nested too deeply")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("object keys must be strings")
            if type(item) not in _LEAVES:
                _check(item, depth + 1)
        return
    if isinstance(value, list | tuple):
        for item in value:
            if type(item) not in _LEAVES:
                _check(item, depth + 1)
        return
    if value is None or isinstance(value, bool | int | str):
        return
    raise TypeError(f"type {type(value).__name__} has no canonical JSON form")


def canonical_json(obj: Any) -> bytes:
    """Encode ``obj`` canonically as UTF-8 bytes (see the module docstring)."""
    _check(obj)
    # ``ensure_ascii=False`` keeps a lone surrogate as it is: encoding it raises
    # UnicodeEncodeError, a ValueError.
    return _ENCODER.encode(obj).encode("utf-8")
