"""Trace a leaked copy to the download it came from, or to no one.

Threat model: naming the wrong person is the worst outcome. So
- the evidence is compared with every document version that has downloads, in every case
  where the caller may trace (auditor, room admin, the uploading party's speaker), and
  only with those: a caller never learns of a match it may not see;
- each version is compared with its own downloads only (informed detection against the
  stored original), and a download is accused only when the union bound over EVERY test of
  this trace (all versions x their candidates x all layers) is below ``FP_TARGET``: the
  per-document target handed to ``detect`` is scaled by that document's share of tests,
  so the result does not depend on how many cases or documents there are or their order;
- versions are pre-filtered by evidence kind only (a PDF file can only carry the marks of
  a PDF), never by anything read from the marks;
- a detector that fails is never read as "no watermark": the failure (version id, layer or
  step, exception class; never a message, which may quote the document) is counted, logged,
  listed in the result's ``errors`` and in the audit event, and the verdict is then at most
  "inconclusive". Evidence that is simply not readable as a PDF or image is not a failure.
Originals come from the services' cache (``app.kernel.originals``): tracing against many
versions decrypts and analyses each at most once while it stays cached.
A trace is itself an audit event; each match carries its download's audit event with an
inclusion proof under a signed tree head that also covers the trace event.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.audit import log, sequencer
from app.audit.queries import head_read, leaf_indexes_of
from app.audit.service import record
from app.authz import policy_documents as pol
from app.authz.permissions import ROLE_PERMISSIONS, Permission, Role
from app.authz.policy import Membership
from app.cases import service as case_service
from app.context import Principal
from app.db import between_transactions
from app.documents import repository as repo
from app.documents import storage
from app.documents.inspection import PDF
from app.documents.tracing.evidence import Evidence, RawEvidence, to_evidence
from app.documents.tracing.ocr import make_ocr
from app.documents.tracing.schemas import (
    AuditProof,
    LayerScoreRead,
    TraceError,
    TraceMatch,
    TraceResult,
)
from app.models.audit import AuditEvent
from app.models.documents import CODE_OBJECT_TYPE, Document, DocumentDownload, DocumentVersion
from app.runtime import Services
from app.sealing import open_bytes
from app.watermark import LAYERS, MEDIA_TYPES, Candidate, CandidateResult, Issue, detect
from crypto.fingerprint import DEFAULT_FP_TARGET

FP_TARGET = DEFAULT_FP_TARGET
COMPATIBLE = {"text": MEDIA_TYPES, "pdf": frozenset({PDF}), "images": MEDIA_TYPES}


@dataclass(frozen=True)
class Target:
    doc: Document
    version: DocumentVersion
    candidates: tuple[Candidate, ...]
    downloads: dict[str, DocumentDownload]

    @property
    def tests(self) -> int:
        return max(1, len(self.candidates)) * len(LAYERS)


def traceable_cases(session: Session, user_id: uuid.UUID) -> dict[uuid.UUID, frozenset]:
    """Live cases where the user holds a role that may trace, with all its memberships."""
    by_case: dict[uuid.UUID, set[Membership]] = defaultdict(set)
    for m in repo.user_memberships(session, user_id):
        by_case[m.case_id].add(Membership(Role(m.role), m.party_id, m.reads_offers))
    tracers = ROLE_PERMISSIONS[Permission.TRACE]
    return {cid: frozenset(ms) for cid, ms in sorted(by_case.items(), key=lambda kv: str(kv[0]))
            if any(m.role in tracers for m in ms) and not case_service.is_destroyed(session, cid)}


def _targets(session: Session, svc: Services, cases: dict[uuid.UUID, frozenset],
             kind: str) -> list[Target]:
    rows = [(d, v) for d, v in repo.traced_versions(session, list(cases))
            if v.media_type in COMPATIBLE[kind] and pol.can_trace_document(
                cases[d.case_id], pol.DocumentFacts(d.uploader_party_id, d.designation,
                                                    d.audience_all))]
    downloads = repo.downloads_of_versions(session, [v.id for _, v in rows])
    out = []
    for doc, version in rows:
        found = {str(d.id): d for d in downloads[version.id]}
        cands = tuple(Candidate(
            id=key, tag=d.tag, channels=frozenset(d.channels),
            download_code=open_bytes(svc.key_provider, d.code_sealed, case_id=d.case_id,
                                     object_type=CODE_OBJECT_TYPE, object_id=d.id),
        ) for key, d in found.items())
        out.append(Target(doc, version, cands, found))
    return out


@dataclass(frozen=True)
class Compared:
    """What one version's detector said: verdict, identified results, layers, failures."""

    verdict: str
    identified: list[CandidateResult]
    layers: tuple[str, ...]
    errors: tuple[Issue, ...]


def _detect(target: Target, evidence: Evidence, svc: Services, ocr: object,
            total_tests: int) -> Compared:
    original = storage.open_prepared(svc.originals, svc.key_provider, svc.blob_store,
                                     target.version)
    value = evidence.value
    if evidence.kind == "images" and isinstance(value, bytes):
        value = [value]
    try:
        det = detect(value, original, target.version.media_type, target.candidates,
                     ocr=ocr,  # type: ignore[arg-type]
                     fp_target=FP_TARGET * target.tests / total_tests)
    except Exception as e:  # noqa: BLE001 - reported as an error of this version, below
        # Layers fail alone inside detect; what escapes is scoring itself: nothing was read.
        return Compared("inconclusive", [], (), (Issue.of("detect", e),))
    return Compared(det.verdict, [r for r in det.results if r.identified], det.found_layers,
                    det.errors)


def _match(session: Session, target: Target, result: CandidateResult, total_tests: int,
           proof_for: dict[uuid.UUID, AuditProof]) -> TraceMatch:
    d = target.downloads[result.candidate_id]
    scale = total_tests / target.tests
    agreeing = [s.layer for s in result.layers if s.p_value * total_tests < FP_TARGET]
    return TraceMatch(
        download_id=d.id, document_id=d.document_id, version=target.version.version,
        case_id=d.case_id, user_id=d.user_id, party_id=d.party_id,
        downloaded_at=d.downloaded_at, confidence=min(1.0, result.bound * scale),
        layers=agreeing, channels=list(d.channels), audit=proof_for[d.id],
        scores=[LayerScoreRead(layer=s.layer, agree=s.agree, compared=s.compared,
                               p_value=s.p_value) for s in result.layers],
    )


def _proofs(session: Session, svc: Services, downloads: list[uuid.UUID]
            ) -> dict[uuid.UUID, AuditProof]:
    """Each download's event with its inclusion proof under one head that also covers this
    trace's events: sequenced here, in the trace's transaction."""
    if not downloads:
        return {}
    head = sequencer.head_covering_all(session, svc.log_signer)
    leaves = leaf_indexes_of(session, object_type="document_download",
                             action="document.download", object_ids=downloads)
    out = {}
    for download_id in downloads:
        leaf = leaves[download_id]
        event = session.get(AuditEvent, leaf)
        assert event is not None
        out[download_id] = AuditProof(
            leaf_index=leaf, leaf_hash=event.leaf_hash.hex(), tree_size=head.tree_size,
            root_hash=head.root_hash.hex(), tree_head=head_read(head),
            inclusion_proof=[p.hex() for p in log.inclusion_proof(session, leaf,
                                                                  head.tree_size)])
    return out


def trace(session: Session, principal: Principal, svc: Services, *,
          raw: RawEvidence) -> TraceResult:
    # Parsing the evidence and detection are CPU work: they run between transactions, and
    # the write lock (SQLite) is taken only for the events at the end.
    between_transactions(session, reads_next=True)
    evidence = to_evidence(raw)
    targets = _targets(session, svc, traceable_cases(session, principal.user_id),
                       evidence.kind)
    between_transactions(session)
    total = max(1, sum(t.tests for t in targets))
    ocr = make_ocr(svc.settings.data_dir / "tmp") if evidence.kind == "images" else None
    verdicts, found, hits = set(), set(), []
    errors: list[tuple[uuid.UUID, Issue]] = []
    for target in targets:
        got = _detect(target, evidence, svc, ocr, total)
        verdicts.add(got.verdict)
        found.update(got.layers)
        hits += [(target, r) for r in got.identified]
        errors += [(target.version.id, e) for e in got.errors]
    verdict = ("identified" if hits else
               "inconclusive" if verdicts & {"inconclusive", "identified"} or errors
               else "no_watermark")
    trace_id = uuid.uuid4()
    for version_id, issue in errors:
        svc.originals.report(issue, version_id=version_id)
    record(session, principal, "trace.run", "trace", trace_id, {
        "trace_id": trace_id, "verdict": verdict, "matches": len(hits),
        "evidence_sha256": evidence.sha256, "layers": sorted(found), "count": len(targets),
        "detector_errors": len(errors),
        "error_kinds": sorted({f"{e.stage}:{e.kind}" for _, e in errors}),
    })
    for target, r in hits:
        d = target.downloads[r.candidate_id]
        record(session, principal, "trace.match", "document_download", d.id, {
            "trace_id": trace_id, "download_id": d.id, "document_id": d.document_id,
            "verdict": verdict}, case_id=d.case_id)
    proofs = _proofs(session, svc, sorted({t.downloads[r.candidate_id].id for t, r in hits}))
    matches = sorted((_match(session, t, r, total, proofs) for t, r in hits),
                     key=lambda m: (m.confidence, str(m.download_id)))
    return TraceResult(trace_id=trace_id, verdict=verdict, matches=matches,
                       found_layers=sorted(found), documents_compared=len(targets),
                       tests=total, errors=[TraceError(document_version_id=v, layer=e.stage,
                                                       kind=e.kind) for v, e in errors])
