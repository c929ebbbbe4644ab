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
from app.auth import service as auth_service
from app.authz import policy_documents as pol
from app.authz.permissions import ROLE_PERMISSIONS, Permission, Role
from app.authz.policy import Membership
from app.authz.policy_ene import Viewer
from app.cases import service as case_service
from app.context import Principal
from app.db import between_transactions
from app.documents import reads, storage
from app.documents import repository as repo
from app.documents.inspection import PDF
from app.documents.tracing import words
from app.documents.tracing.evidence import Evidence, RawEvidence, to_evidence
from app.documents.tracing.ocr import make_ocr
from app.documents.tracing.schemas import (
    AdviceRead,
    AuditProof,
    LayerScoreRead,
    NotTraceableRead,
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


def member_cases(session: Session, user_id: uuid.UUID) -> dict[uuid.UUID, frozenset[Membership]]:
    """Live cases where the user holds any seat, with all its memberships."""
    by_case: dict[uuid.UUID, set[Membership]] = defaultdict(set)
    for m in repo.user_memberships(session, user_id):
        by_case[m.case_id].add(Membership(Role(m.role), m.party_id, m.reads_offers))
    return {cid: frozenset(ms) for cid, ms in sorted(by_case.items(), key=lambda kv: str(kv[0]))
            if not case_service.is_destroyed(session, cid)}


def _traces_in(memberships: frozenset[Membership]) -> bool:
    tracers = ROLE_PERMISSIONS[Permission.TRACE]
    return any(m.role in tracers for m in memberships)


def _target(doc: Document, version: DocumentVersion, downloads: list[DocumentDownload],
            svc: Services) -> Target:
    found = {str(d.id): d for d in downloads}
    cands = tuple(Candidate(
        id=key, tag=d.tag, channels=frozenset(d.channels),
        download_code=open_bytes(svc.key_provider, d.code_sealed, case_id=d.case_id,
                                 object_type=CODE_OBJECT_TYPE, object_id=d.id),
    ) for key, d in found.items())
    return Target(doc, version, cands, found)


def rights_on(session: Session, user_id: uuid.UUID, memberships: frozenset[Membership],
              doc: Document) -> tuple[bool, bool]:
    """Whether the user may trace the document, and whether it may read it."""
    facts = reads.facts_of(session, doc)
    sees = bool(pol.can_see_document(Viewer(user_id, memberships), facts))
    traces = _traces_in(memberships) and bool(pol.can_trace_document(memberships, facts))
    return traces, sees


@dataclass(frozen=True)
class Scope:
    """What one trace compares: the versions the caller may trace, and those it may only
    read (compared only to tell the caller "you may not trace this document")."""

    traceable: list[Target]
    readable: list[Target]
    filenames: dict[uuid.UUID, str]  # version id -> its name, for documents the caller reads


def _scope(session: Session, svc: Services, user_id: uuid.UUID,
           cases: dict[uuid.UUID, frozenset[Membership]], kind: str) -> Scope:
    rows = [(d, v) for d, v in repo.traced_versions(session, list(cases))
            if v.media_type in COMPATIBLE[kind]]
    downloads = repo.downloads_of_versions(session, [v.id for _, v in rows])
    traceable, readable, names = [], [], {}
    for doc, version in rows:
        traces, sees = rights_on(session, user_id, cases[doc.case_id], doc)
        if sees:
            names[version.id] = reads.display_name(svc, version)
        if traces:
            traceable.append(_target(doc, version, downloads[version.id], svc))
        elif sees:
            readable.append(_target(doc, version, downloads[version.id], svc))
    return Scope(traceable, readable, names)


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


def _strength(target: Target, result: CandidateResult, total_tests: int
              ) -> tuple[float, list[str]]:
    """The match's bound over every test of the trace, and the layers that alone agree."""
    agreeing = [s.layer for s in result.layers if s.p_value * total_tests < FP_TARGET]
    return min(1.0, result.bound * total_tests / target.tests), agreeing


def _match(target: Target, result: CandidateResult, total_tests: int,
           proof_for: dict[uuid.UUID, AuditProof], scope: Scope,
           names: dict[uuid.UUID, str]) -> TraceMatch:
    d = target.downloads[result.candidate_id]
    confidence, agreeing = _strength(target, result, total_tests)
    return TraceMatch(
        download_id=d.id, document_id=d.document_id, version=target.version.version,
        case_id=d.case_id, user_id=d.user_id, party_id=d.party_id,
        downloaded_at=d.downloaded_at, confidence=confidence,
        confidence_words=words.confidence_words(confidence),
        filename=scope.filenames.get(target.version.id), recipient_name=names.get(d.user_id),
        layers=agreeing, channels=list(d.channels), audit=proof_for[d.id],
        scores=[LayerScoreRead(layer=s.layer, agree=s.agree, compared=s.compared,
                               p_value=s.p_value) for s in result.layers],
    )


def proofs_of(session: Session, svc: Services, downloads: list[uuid.UUID]
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


@dataclass
class Outcome:
    """What the detectors said over a list of targets."""

    verdicts: set[str]
    found: set[str]
    hits: list[tuple[Target, CandidateResult]]
    errors: list[tuple[uuid.UUID, Issue]]


def _run(targets: list[Target], evidence: Evidence, svc: Services, ocr: object,
         total: int) -> Outcome:
    out = Outcome(set(), set(), [], [])
    for target in targets:
        got = _detect(target, evidence, svc, ocr, total)
        out.verdicts.add(got.verdict)
        out.found.update(got.layers)
        out.hits += [(target, r) for r in got.identified]
        out.errors += [(target.version.id, e) for e in got.errors]
    return out


def _not_traceable(scope: Scope, evidence: Evidence, svc: Services, ocr: object
                   ) -> list[NotTraceableRead]:
    """Readable documents the evidence is a copy of. Each is judged on its own (the bound
    is per document): the answer names a document the caller already reads, never a
    recipient, so a weaker test than an accusation's is not needed and not used."""
    out: dict[uuid.UUID, NotTraceableRead] = {}
    for target in scope.readable:
        got = _detect(target, evidence, svc, ocr, target.tests)
        if got.verdict != "no_watermark" and not got.errors:
            doc = target.doc
            out.setdefault(doc.id, NotTraceableRead(
                document_id=doc.id, case_id=doc.case_id,
                filename=scope.filenames[target.version.id]))
    return list(out.values())


def _verdict(outcome: Outcome) -> str:
    if outcome.hits:
        return "identified"
    if outcome.verdicts & {"inconclusive", "identified"} or outcome.errors:
        return "inconclusive"
    return "no_watermark"


def trace(session: Session, principal: Principal, svc: Services, *,
          raw: RawEvidence) -> TraceResult:
    # Parsing the evidence and detection are CPU work: they run between transactions, and
    # the write lock (SQLite) is taken only for the events at the end.
    between_transactions(session, reads_next=True)
    evidence = to_evidence(raw)
    scope = _scope(session, svc, principal.user_id,
                   member_cases(session, principal.user_id), evidence.kind)
    between_transactions(session)
    targets = scope.traceable
    total = max(1, sum(t.tests for t in targets))
    ocr = make_ocr(svc.settings.data_dir / "tmp") if evidence.kind == "images" else None
    outcome = _run(targets, evidence, svc, ocr, total)
    verdict = _verdict(outcome)
    refused = ([] if outcome.hits or outcome.errors
               else _not_traceable(scope, evidence, svc, ocr))
    trace_id = uuid.uuid4()
    for version_id, issue in outcome.errors:
        svc.originals.report(issue, version_id=version_id)
    hits = outcome.hits
    record(session, principal, "trace.run", "trace", trace_id, {
        "trace_id": trace_id, "verdict": verdict, "matches": len(hits),
        "evidence_sha256": evidence.sha256, "layers": sorted(outcome.found),
        "count": len(targets), "detector_errors": len(outcome.errors),
        "error_kinds": sorted({f"{e.stage}:{e.kind}" for _, e in outcome.errors}),
        "download_ids": sorted(str(t.downloads[r.candidate_id].id) for t, r in hits),
        "document_ids": sorted(str(r.document_id) for r in refused),
    })
    for target, r in hits:
        d = target.downloads[r.candidate_id]
        confidence, agreeing = _strength(target, r, total)
        record(session, principal, "trace.match", "document_download", d.id, {
            "trace_id": trace_id, "download_id": d.id, "document_id": d.document_id,
            "verdict": verdict, "layers": agreeing, "confidence": f"{confidence:.3g}"},
            case_id=d.case_id)
    proofs = proofs_of(session, svc, sorted({t.downloads[r.candidate_id].id for t, r in hits}))
    users = auth_service.user_rows(session, {t.downloads[r.candidate_id].user_id
                                             for t, r in hits})
    names = {uid: u.name for uid, u in users.items()}
    matches = sorted((_match(t, r, total, proofs, scope, names) for t, r in hits),
                     key=lambda m: (m.confidence, str(m.download_id)))
    return TraceResult(
        trace_id=trace_id, verdict=verdict,
        verdict_words=words.NOT_YOURS if refused else words.VERDICT_WORDS[verdict],
        advice=[] if hits else [AdviceRead(code=a.code, text=a.text)
                                for a in words.advice(evidence.kind, evidence.value)],
        not_traceable=refused, matches=matches, found_layers=sorted(outcome.found),
        documents_compared=len(targets), tests=total,
        errors=[TraceError(document_version_id=v, layer=e.stage, kind=e.kind)
                for v, e in outcome.errors])
