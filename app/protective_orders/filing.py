"""The filing guard's comparison, apart from HTTP and the database: a draft's pages against
sources (designated documents, offer terms, ENE content), each already indexed.

``check_draft_text`` is the function other features call (the room's own PDFs state the
result of a check of their text). Threats and method are in ``app.kernel.shingles``; here:
- a finding names the source's id, designation and designating party, the draft page the
  run starts on and how many words it spans, and the sealing rule of the case's district;
  never a word of the source or of the draft;
- public text (``PUBLIC_TEXT``: court orders, rules, the model order's boilerplate, the
  declaration and certificate-of-service formulas) never counts towards a finding, nor
  does a window that more than ``COMMON_MIN`` (or ``COMMON_SHARE`` of the) sources hold;
- offer terms and ENE content are short: they are found when their whole text (at least
  ``MIN_SHORT_WORDS`` words) or ``MIN_WORDS`` of it appears; they are never to be filed,
  so their finding says so.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.kernel import shingles as sh
from app.protective_orders.sealing_rules import NEVER_FILED

PUBLIC_TEXT = Path(__file__).parent / "data" / "public_text.txt"
MIN_SHORT_WORDS = 10
# A window held by more sources than this is common phrasing, not evidence of one source.
COMMON_MIN = 8
COMMON_SHARE = 0.02


@dataclass(frozen=True)
class Source:
    kind: str  # document | offer | ene_statement | ene_message
    id: uuid.UUID
    designation: str
    party_id: uuid.UUID | None
    index: sh.Indexed


@dataclass(frozen=True)
class Finding:
    source: Source
    evidence_page: int
    matched_words: int
    rule: str

    @property
    def never_file(self) -> bool:
        return self.source.kind != "document"


@dataclass(frozen=True)
class DraftPage:
    number: int
    text: str


@cache
def public_shingles() -> sh.Hashes:
    return sh.public_set([PUBLIC_TEXT.read_text("utf-8")])


def _min_words(source: Source) -> int:
    if source.kind == "document":
        return sh.MIN_WORDS
    length = int(source.index.by_position.size) + sh.K - 1
    return max(MIN_SHORT_WORDS, min(sh.MIN_WORDS, length))


def _rule_for(source: Source, sealing_rule: str) -> str:
    if source.kind == "offer":
        return NEVER_FILED["offer"]
    if source.kind.startswith("ene"):
        return NEVER_FILED["ene"]
    return sealing_rule


def check_draft_text(pages: Sequence[DraftPage], sources: Sequence[Source], *,
                     sealing_rule: str, extra_public: Sequence[str] = ()) -> list[Finding]:
    """Every run of a draft that matches a source, in draft order. ``pages`` are the draft's
    pages (numbered as the draft counts them); ``extra_public`` is more public text of the
    case (windows in it never count)."""
    import numpy as np

    ws: list[str] = []
    starts: list[int] = []
    numbers: list[int] = []
    for page in pages:
        starts.append(len(ws))
        numbers.append(page.number)
        ws += sh.words(page.text)
    draft = sh.shingles(ws)
    public = public_shingles()
    if extra_public:
        public = np.union1d(public, sh.public_set(extra_public))
    counted = sh.evidence(draft, public)
    most = max(COMMON_MIN, int(COMMON_SHARE * len(sources)))
    counted = sh.common([s.index for s in sources], counted, most)
    mask = sh.counted_mask(draft, counted)
    findings = []
    for source in sources:
        if not sh.shares(source.index, counted):
            continue
        need = _min_words(source)
        for run in sh.runs(draft, source.index, mask, min_words=need):
            page = numbers[int(np.searchsorted(starts, run.start, side="right")) - 1]
            findings.append(Finding(source, page, run.words, _rule_for(source, sealing_rule)))
    findings.sort(key=lambda f: (f.evidence_page, str(f.source.id)))
    return findings
