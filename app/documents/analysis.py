"""The trace index: per document version, what a trace reads instead of the original.

- The version's text layer (``app.watermark.textlayer``: its text as the text layer marks it,
  and the layer's slots), computed once and stored sealed under the case key (object type
  ``LAYER_OBJECT_TYPE``, bound to the version id) like the content itself: key rotation
  rewraps it, destruction erases it. A trace of a text excerpt opens the layers of a few
  candidate versions; it never decrypts or parses their originals.
- The anchors of its text: the words as the filing guard normalises them
  (``app.kernel.shingles.words``: case, punctuation, look-alike letters and line breaks
  folded away), windows of K words hashed, one in about 2 / (WINDOW + 1) chosen by
  winnowing (every shared run of WINDOW + K - 1 words keeps at least one), then hashed
  again under a key the key provider derives from the case key (``ANCHOR_PURPOSE``).
  A trace hashes every window of its evidence under the same key and finds the versions
  holding them in one indexed query (``repository.anchor_hits``).

Threats: an anchor row is a keyed hash of a run of words. Without the case's key it cannot
be tested against a guessed phrase, nor compared between cases (each case has its own key);
once the case's keys are destroyed no one can compute an anchor again, and destruction
deletes the rows (``app.sealing.KEYED_TABLES``). Words are hashed without the shingles
module's process-wide word cache, so no word of a case outlives the request in memory.
Nothing here logs or audits content.

When: at upload, by the inspection worker (``app.documents.worker``: for a PDF or an image
it built the layer anyway to prove the file can be marked); the server only keys the
worker's anchor windows and seals its layer, so the upload request does little more work
and the worker never holds a case key. A version stored before this index (or whose upload
could not be indexed) is analysed by the first trace that needs it, from the original it
decrypts for that trace, and stored in the trace's closing transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.documents import repository as repo
from app.kernel import shingles as sh
from app.models.documents import LAYER_OBJECT_TYPE, DocumentAnalysis
from app.runtime import Services
from app.sealing import CaseDestroyed, open_bytes, seal_bytes
from app.watermark import TextLayer
from crypto.errors import KeyDestroyed
from crypto.keys import KeyProvider

ANCHOR_PURPOSE = b"settleroom/trace-anchors/v1"
WINDOW = sh.ANCHOR_WINDOW  # in K-word windows: runs of 20 shared words always anchor


def anchor_key(provider: KeyProvider, case_id: uuid.UUID) -> bytes:
    try:
        return provider.derive_key(str(case_id), ANCHOR_PURPOSE)[:32]
    except KeyDestroyed:
        raise CaseDestroyed() from None


def document_anchors(text: str, key: bytes) -> list[int]:
    """The anchors stored for a version's text (winnowed: a fraction of its windows)."""
    return keyed_anchors(sh.anchor_shingles(text), key)


def keyed_anchors(shingles: sh.Hashes, key: bytes) -> list[int]:
    return [int(a) for a in sh.keyed(shingles, key)] if shingles.size else []


def evidence_anchors(words: list[str], key: bytes) -> list[int]:
    """Every window of the evidence, keyed: any of them may be a stored anchor."""
    hashes = sh.uncached_shingles(words)
    return [int(a) for a in sh.keyed(hashes, key)] if hashes.size else []


def store(session: Session, svc: Services, *, case_id: uuid.UUID, version_id: uuid.UUID,
          layer: TextLayer) -> bool:
    """Seal and store a version's layer and anchors, once (False: stored already)."""
    return store_encoded(session, svc, case_id=case_id, version_id=version_id,
                         encoded=layer.encode(), words=layer.words,
                         shingles=sh.anchor_shingles(layer.text))


def store_encoded(session: Session, svc: Services, *, case_id: uuid.UUID,
                  version_id: uuid.UUID, encoded: bytes, words: int,
                  shingles: sh.Hashes) -> bool:
    """``store`` from what the inspection worker built: the encoded layer (read back, and
    checked, by the traces that need it) and the unkeyed anchor windows, keyed here."""
    sealed = seal_bytes(svc.key_provider, case_id=case_id, object_type=LAYER_OBJECT_TYPE,
                        object_id=version_id, plaintext=encoded)
    anchors = keyed_anchors(shingles, anchor_key(svc.key_provider, case_id))
    row = DocumentAnalysis(version_id=version_id, case_id=case_id, layer_sealed=sealed,
                           words=words)
    return repo.add_analysis(session, row, anchors)


def open_layer(provider: KeyProvider, row: DocumentAnalysis) -> TextLayer:
    """The stored layer, authenticated (a tampered or foreign blob raises); ValueError when
    it does not decode as a layer (the worker that built it parsed a hostile file)."""
    plain = open_bytes(provider, row.layer_sealed, case_id=row.case_id,
                       object_type=LAYER_OBJECT_TYPE, object_id=row.version_id)
    return TextLayer.decode(plain)


def anchors_by_case(provider: KeyProvider, case_ids: list[uuid.UUID], words: list[str]
                    ) -> dict[uuid.UUID, list[int]]:
    """The evidence's anchors under each case's key (a destroyed case has none)."""
    out: dict[uuid.UUID, list[int]] = {}
    if len(words) < sh.K:
        return out
    hashes = sh.uncached_shingles(words)
    for case_id in case_ids:
        try:
            key = anchor_key(provider, case_id)
        except CaseDestroyed:
            continue
        out[case_id] = [int(a) for a in sh.keyed(hashes, key)]
    return out

