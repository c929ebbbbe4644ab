"""The evidence report of a trace: a PDF a lawyer can hand to opposing counsel or a court.

It is rebuilt from the audit log, not from a stored result: the ``trace.run`` event names
the downloads the trace matched and each ``trace.match`` event its confidence and the
layers that agreed. So the report says no more than the log proves, and a report asked
for later carries a fresh inclusion proof under a newer signed head.

Invariants:
- only the user who ran the trace gets its report (anyone else: 404 ``trace_not_found``,
  audited); a match whose document the caller may no longer trace (a seat removed, a case
  destroyed) is left out and counted, never shown;
- the document is named by its filename only when the caller may read the document;
- the report holds the download's audit entry verbatim (the hashed bytes), its inclusion
  proof, the signed tree head and its checkpoint, and how to check all three offline.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import sequencer
from app.audit.entry import Entry, parse_entry
from app.audit.service import record
from app.auth import service as auth_service
from app.cases import service as case_service
from app.context import Principal
from app.documents import reads as documents_reads
from app.documents import repository as repo
from app.documents.tracing import service as tracing
from app.documents.tracing import words
from app.documents.tracing.schemas import AuditProof
from app.errors import NotFound
from app.kernel.papers import Caption, Section, render_pdf
from app.kernel.timefmt import court_moment
from app.models.audit import AuditEvent
from app.models.documents import DocumentDownload, DocumentVersion
from app.models.users import User
from app.refusals import refuse
from app.runtime import Services

MARKING = "CONFIDENTIAL - LEAK INVESTIGATION - prepared from the room's signed audit log"
DEFAULT_ZONE = "America/New_York"


class TraceNotFound(NotFound):
    code = "trace_not_found"


@dataclass(frozen=True)
class _Match:
    download: DocumentDownload
    confidence: str
    layers: list[str]
    proof: AuditProof
    entry: bytes


def _event(session: Session, object_type: str, object_id: str, action: str
           ) -> list[tuple[AuditEvent, Entry]]:
    rows = session.execute(select(AuditEvent).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id == object_id,
        AuditEvent.action == action).order_by(AuditEvent.leaf_index)).scalars()
    return [(row, parse_entry(row.entry)) for row in rows]


def _run_event(session: Session, principal: Principal, trace_id: uuid.UUID) -> Entry:
    found = [e for _, e in _event(session, "trace", str(trace_id), "trace.run")
             if e.actor_user_id == principal.user_id]
    if not found:
        refuse(session, principal, "trace.report", "trace", trace_id,
               TraceNotFound("No such trace of yours."))
    return found[0]


def _match_details(session: Session, trace_id: uuid.UUID, download_id: str
                   ) -> dict[str, object]:
    for _, entry in _event(session, "document_download", download_id, "trace.match"):
        if entry.details.get("trace_id") == str(trace_id):
            return entry.details
    return {}


def _traceable(session: Session, principal: Principal, svc: Services,
               downloads: list[DocumentDownload]
               ) -> tuple[list[DocumentDownload], dict[uuid.UUID, str]]:
    """The downloads whose documents the caller may still trace, and the names of the
    versions the caller may read."""
    cases = tracing.member_cases(session, principal.user_id)
    keep, names = [], {}
    for d in downloads:
        doc = repo.get_document(session, d.case_id, d.document_id)
        if doc is None or d.case_id not in cases:
            continue
        traces, reads = tracing.rights_on(session, principal.user_id, cases[d.case_id], doc)
        if not traces:
            continue
        keep.append(d)
        if reads:
            version = session.get(DocumentVersion, d.version_id)
            if version is not None:
                names[d.version_id] = f"{documents_reads.display_name(svc, version)} " \
                                      f"(version {version.version})"
    return keep, names


def build(session: Session, principal: Principal, svc: Services, trace_id: uuid.UUID
          ) -> bytes:
    # A fresh head covering every event so far: the trace's own events included.
    sequencer.head_covering_all(session, svc.log_signer)
    run = _run_event(session, principal, trace_id)
    ids = [uuid.UUID(str(x)) for x in run.details.get("download_ids", [])]
    rows = [session.get(DocumentDownload, i) for i in ids]
    downloads, names = _traceable(session, principal, svc, [d for d in rows if d is not None])
    proofs = tracing.proofs_of(session, svc, [d.id for d in downloads])
    matches = []
    for d in downloads:
        details = _match_details(session, trace_id, str(d.id))
        event = session.get(AuditEvent, proofs[d.id].leaf_index)
        assert event is not None  # the proof was just computed from it
        matches.append(_Match(d, str(details.get("confidence", "1")),
                              [str(x) for x in details.get("layers", [])], proofs[d.id],
                              event.entry))
    record(session, principal, "trace.report", "trace", trace_id,
           {"trace_id": trace_id, "matches": len(matches),
            "count": len(ids) - len(downloads)})
    return _render(session, run, matches, names, withheld=len(ids) - len(downloads))


def _zone_and_caption(session: Session, matches: list[_Match]) -> tuple[str, Caption | None]:
    case_ids = {m.download.case_id for m in matches}
    if len(case_ids) != 1:
        return DEFAULT_ZONE, None
    case = case_service.case_row(session, next(iter(case_ids)))
    if case is None:
        return DEFAULT_ZONE, None
    return case.court_timezone, case_service.caption_of(case)


def _render(session: Session, run: Entry, matches: list[_Match],
            names: dict[uuid.UUID, str], *, withheld: int) -> bytes:
    zone, caption = _zone_and_caption(session, matches)
    users = auth_service.user_rows(session, {m.download.user_id for m in matches}
                                   | ({run.actor_user_id} if run.actor_user_id else set()))
    tracer = users.get(run.actor_user_id) if run.actor_user_id else None
    verdict = str(run.details.get("verdict", "no_watermark"))
    sections: list[Section] = [("The trace", [
        f"Traced by: {tracer.name if tracer else 'unknown user'}",
        f"Traced at: {court_moment(run.timestamp, zone)} (audit event #{run.leaf_index})",
        f"SHA-256 of the evidence: {run.details.get('evidence_sha256', '')}",
        f"Result: {words.VERDICT_WORDS.get(verdict, verdict)}",
        *([f"{withheld} match(es) of this trace concern documents you may no longer "
           "trace and are left out of this report."] if withheld else []),
    ])]
    for n, m in enumerate(matches, start=1):
        sections.append(_match_section(session, n, m, names, users, zone))
    if matches:
        sections += [_head_section(matches[0].proof), _offline_section()]
    return render_pdf(title="Leak trace - evidence report", marking=MARKING,
                      sections=sections, caption=caption)


def _match_section(session: Session, n: int, m: _Match, names: dict[uuid.UUID, str],
                   users: dict[uuid.UUID, User], zone: str) -> Section:
    d = m.download
    party = case_service.party_row(session, d.case_id, d.party_id) if d.party_id else None
    user = users.get(d.user_id)
    bound = float(m.confidence)
    return (f"Match {n}", [
        f"Document: {names.get(d.version_id, 'a document you may trace but not read')}",
        f"Recipient: {user.name if user else 'unknown user'}"
        + (f", for {party.name}" if party else ""),
        f"Downloaded: {court_moment(d.downloaded_at, zone)}",
        f"Confidence: {words.confidence_words(bound)} (bound {bound:.3g}, over every "
        "statistical test of this trace)",
        f"Layers that agree: {', '.join(m.layers) or 'none alone; only together'}",
        f"The download's audit event #{m.proof.leaf_index}, as hashed into the log:",
        m.entry.decode("utf-8"),
        f"Leaf hash: {m.proof.leaf_hash}",
        f"Inclusion proof in a tree of {m.proof.tree_size} events "
        f"({len(m.proof.inclusion_proof)} hashes, leaf to root):",
        *m.proof.inclusion_proof,
    ])


def _head_section(proof: AuditProof) -> Section:
    head = proof.tree_head
    return ("The signed tree head", [
        f"Tree size: {head.tree_size}",
        f"Root hash: {head.root_hash}",
        f"Signed by key {head.key_id} ({head.algorithm}); signature (base64): "
        f"{head.signature}",
        "The same head as a C2SP tlog-checkpoint signed note:",
        *head.checkpoint.splitlines(),
    ])


def _offline_section() -> Section:
    return ("How to check this report offline", [
        "Long values (the entry, hashes, signatures) are broken across lines to fit the "
        "page: join their lines without spaces before checking them (a hyphen that ends "
        "such a line is part of the value).",
        "1. Hash the audit entry above as RFC 9162 hashes a leaf: SHA-256 of the byte 0x00 "
        "followed by the entry's bytes (UTF-8, exactly as printed). The "
        "result is the leaf hash.",
        "2. Recompute the root from the leaf hash, its index, the tree size and the "
        "inclusion proof with the algorithm of RFC 9162, section 2.1.3.2 (node = SHA-256 "
        "of 0x01, left, right). It must equal the root hash of the signed tree head.",
        "3. Verify the checkpoint's Ed25519 signature with the log's public key, "
        "published at /api/v1/audit/public-keys under the key id above; any C2SP "
        "signed-note verifier does this.",
        "4. To show the log was not rewritten since, ask the service for a consistency "
        "proof from this tree size to a later one (/api/v1/audit/consistency-proof) and "
        "check it against that later signed head.",
    ])


__all__ = ["TraceNotFound", "build"]
