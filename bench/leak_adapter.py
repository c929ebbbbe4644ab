"""In-process leakbench adapter for settleroom's watermark package (app.watermark).

It plays the server: per (document, recipient) download it draws a random 32-byte download code
and keeps, in memory only, what the server stores: the original (prepared once, as the server's
originals cache holds it, so its analysis is reused by every download and trace), each
download's code and tag. `detect` gets only the evidence and the candidate ids; it tries every
stored original of a matching kind (the union bound is widened by that number) and names a
recipient only on the verdict "identified".

Run through bench/run_leak.sh (it sets PYTHONPATH so `app` and `crypto` import).
SETTLEROOM_LEGEND_POSITION (footer | header | diagonal, default footer) chooses where the copies
carry their visible legend, as a case's setting does; SETTLEROOM_ORDER_LEGEND=1 adds the
protective order's page legend ("CONFIDENTIAL - SUBJECT TO PROTECTIVE ORDER").
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from leakbench import corpus, tools  # noqa: E402

import app.watermark as wm  # noqa: E402
from app.watermark import LEGENDS, Candidate, MarkSpec, authentication_tag  # noqa: E402

NAME = "settleroom"
MEDIA = {"text", "pdf"}
EVIDENCE = {"text", "pdf", "images"}
MAX_WORKERS = 1  # the "server state" below lives in this process

_TAG_KEY = secrets.token_bytes(32)
_ORIGINALS: dict[str, tuple[wm.Prepared, str]] = {}  # sha256 -> (prepared original, media type)
_DOWNLOADS: dict[tuple[str, str], tuple[bytes, str]] = {}  # (sha, recipient) -> (code, tag)
_POSITION = os.environ.get("SETTLEROOM_LEGEND_POSITION", "footer")
_ORDER_LEGEND = ("CONFIDENTIAL - SUBJECT TO PROTECTIVE ORDER"
                 if os.environ.get("SETTLEROOM_ORDER_LEGEND") == "1" else "")


def _media(doc: bytes) -> str:
    return "application/pdf" if tools.is_pdf(doc) else "text/plain"


def embed(doc: bytes, recipient_id: str) -> bytes:
    sha = hashlib.sha256(doc).hexdigest()
    media = _media(doc)
    if sha not in _ORIGINALS:
        _ORIGINALS[sha] = (wm.prepare(doc, media), media)
    prepared = _ORIGINALS[sha][0]
    code = secrets.token_bytes(32)
    tag = authentication_tag(_TAG_KEY, code)
    _DOWNLOADS[(sha, recipient_id)] = (code, tag)
    mark = MarkSpec(
        download_code=code,
        recipient_name=corpus.RECIPIENT_NAMES.get(recipient_id, "Recipient"),
        party_name="Leakbench Plaintiff LLC",
        designation="CONFIDENTIAL",
        legend=LEGENDS[1],
        tag=tag,
        position=_POSITION,
        order_legend=_ORDER_LEGEND,
    )
    return wm.embed(prepared, media, mark)


def _candidates(sha: str, candidate_ids: list[str]) -> list[Candidate]:
    out = []
    for cid in candidate_ids:
        got = _DOWNLOADS.get((sha, cid))
        if got is None:  # never issued: still a candidate, with a code nobody holds
            seed = hashlib.sha256(_TAG_KEY + sha.encode() + cid.encode()).digest()
            got = (seed, authentication_tag(_TAG_KEY, seed))
        out.append(Candidate(cid, got[0], got[1]))
    return out


def detect(evidence, candidate_ids):
    if tools.is_images(evidence):
        kinds = {"application/pdf"}
    elif tools.is_pdf(evidence):
        kinds = {"application/pdf"}
    else:
        evidence = tools.as_text(evidence) or ""
        kinds = {"application/pdf", "text/plain"}
    docs = [(sha, d, m) for sha, (d, m) in _ORIGINALS.items() if m in kinds]
    if not docs:
        return None
    target = 1e-6 / len(docs)
    best = None
    for sha, doc, media in docs:
        det = wm.detect(evidence, doc, media, _candidates(sha, candidate_ids),
                        ocr=tools.ocr, fp_target=target)
        if det.verdict == "identified":
            top = det.results[0]
            if best is None or top.bound < best[0]:
                best = (top.bound, top.candidate_id)
    if os.environ.get("SETTLEROOM_LEAK_DEBUG") and best is None:
        print("[settleroom] abstain", file=sys.stderr)
    return best[1] if best else None
