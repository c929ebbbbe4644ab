"""What a party agrees to: the SHA-256 of the canonical JSON of an offer's content.

An acceptance quotes the hash of the terms its author read; a different hash is refused
with 409 ``terms_mismatch`` (settlement offers and Rule 68 offers alike).
"""

from __future__ import annotations

import hashlib
from typing import Any

from app.errors import Conflict
from crypto.canonical import canonical_json


class TermsMismatch(Conflict):
    code = "terms_mismatch"


def terms_sha256(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()
