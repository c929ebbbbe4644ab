"""Which versions of a trace's scope the evidence is compared with: found through the trace
index (``app.documents.analysis``) instead of comparing with every version.

The evidence is surveyed once (``app.watermark.survey``: its text, its tag-shaped strings,
the layers it shows whatever the original). Then, in two indexed queries:
- downloads whose tag is within one digit of a tag in the evidence (the footer reader's
  tolerance) put their versions in: the footer and metadata layers can only name those;
- every K-word window of the evidence's text, hashed under each case's key, is looked up in
  the index, the rarest anchors first (``RAREST`` of them, holding at most ``BUDGET``
  anchor rows between them: cost does not grow with the number of documents that share
  the evidence's common phrases); versions are ranked by the weight of the
  anchors they share (an anchor held by n versions weighs 1 / n), and the best ones are
  compared (``MAX_COMPARED``, each at least ``RELATIVE`` of the best weight; versions tied
  with the last, i.e. holding the same text where the evidence is, up to ``MAX_TIED``).
Always compared as well: versions without a stored text layer (stored before the index:
the trace stores theirs), and for files and page images the versions with little or no
text (images, scanned PDFs), whose marks are in their pixels, not in any words.

Where the evidence gives the index nothing to go on, the trace compares with every version
as it did before the index: page images that OCR cannot read (or without tesseract) or
that are compared with few versions anyway (``EXHAUSTIVE``), a PDF without a text layer,
and evidence whose survey failed. A PDF whose metadata tag and footer are intact is read
through them alone (``Survey.identifying``): only the versions of its tags are compared.

Threat model: skipping a version can only lose a match, never make one: the union bound
still counts every traceable version (``Scope.tests``), so a match is as strong as it was
against every version. Only versions that share no tag and little rare text with the
evidence are skipped (less than ``RELATIVE`` of the best version's anchor weight: the
phrases many documents hold), which is where a detector reads too few of a copy's marks
to name anyone; a piece of another document pasted into the evidence brings that
document's own rare anchors, and with them its version.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.documents import analysis
from app.documents import repository as repo
from app.documents.tracing.evidence import Evidence
from app.documents.tracing.scope import Scope, Version
from app.kernel import shingles as sh
from app.runtime import Services
from app.watermark import Survey, survey

RAREST = 128  # evidence anchors looked up, the rarest in the case first...
BUDGET = 2000  # ...while the versions holding them add up to at most this many rows
MAX_COMPARED = 8
RELATIVE = 0.2
MAX_TIED = 64
MIN_HITS = 2
MIN_INDEXED_WORDS = 50  # a stored layer with fewer words (images, scans) is not indexed
MIN_QUERY_WORDS = 20  # page images that OCR reads fewer words from: compare with all
EXHAUSTIVE = 8  # page images compared with this many versions or fewer: no OCR first


def survey_of(evidence: Evidence, ocr: Callable[[bytes], str] | None, scope: Scope
              ) -> Survey | None:
    """What the evidence says by itself, or None: compare with every version."""
    if evidence.kind == "images" and (ocr is None or len(scope.versions) <= EXHAUSTIVE):
        return None
    try:
        found = survey(evidence.value, ocr)
    except Exception:  # noqa: BLE001 - the detectors will meet and report the same failure
        return None
    if found.identifying:
        return found
    if evidence.kind != "text" and len(sh.words(found.text)) < MIN_QUERY_WORDS:
        return None  # no text layer, or pixels OCR cannot read: the index cannot help
    return found


def tag_variants(tags: frozenset[str]) -> set[str]:
    """Each tag and every string one digit away from it (``footer.MAX_SUBSTITUTIONS``)."""
    out = set(tags)
    for tag in tags:
        for i, old in enumerate(tag):
            out.update(tag[:i] + d + tag[i + 1:] for d in "0123456789" if d != old)
    return out


def rank(hits: list[tuple[str, int, float]]) -> list[str]:
    """The versions worth comparing, best first (see the module docstring)."""
    ordered = sorted((h for h in hits if h[1] >= MIN_HITS),
                     key=lambda h: (-h[2], -h[1], h[0]))
    if not ordered:
        return []
    best = ordered[0][2]
    chosen = [h for h in ordered[:MAX_COMPARED] if h[2] >= RELATIVE * best]
    if len(chosen) == MAX_COMPARED:
        last = chosen[-1]
        chosen += [h for h in ordered[MAX_COMPARED:MAX_TIED]
                   if h[1] == last[1] and abs(h[2] - last[2]) <= 1e-9 * last[2]]
    return [h[0] for h in chosen]


def _always(versions: list[Version], kind: str) -> set[str]:
    out = set()
    for v in versions:
        words = v.row.words
        if words is None or (kind != "text" and words < MIN_INDEXED_WORDS):
            out.add(v.id)
    return out


def choose(session: Session, svc: Services, scope: Scope, kind: str,
           found: Survey | None) -> set[str] | None:
    """The ids (as text) of the versions to compare (None: every version of the scope)."""
    if found is None:
        return None
    versions = scope.versions
    in_scope = {v.id for v in versions}
    case_ids = scope.case_ids
    tagged = (repo.versions_by_tags(session, case_ids, tag_variants(found.tags))
              if found.tags and case_ids else set())
    if found.identifying:
        return tagged & in_scope
    anchors = analysis.anchors_by_case(svc.key_provider, case_ids, sh.words(found.text))
    hits = [h for h in repo.anchor_hits(session, anchors, RAREST, BUDGET) if h[0] in in_scope]
    return set(rank(hits)) | (tagged & in_scope) | _always(versions, kind)
