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
The evidence is compared only with the versions the trace index points to
(``candidates``: its tags, the anchors of its text); a version it skips shares no tag and no
anchor with the evidence, so its detector would have read nothing, and the union bound
still counts it. Text evidence is read against each version's stored text layer
(``app.documents.analysis``), never its original; files and page images against the
originals from the services' cache (``app.kernel.originals``).
Transactions: the scope, then the index, are read in two short read transactions; the
evidence is surveyed and compared between transactions, holding no lock and no snapshot;
the events (and any text layer a trace had to build) are written in one short write
transaction at the end.
A trace is itself an audit event; each match carries its download's audit event with an
inclusion proof under a signed tree head that also covers the trace event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.audit import log, sequencer
from app.audit.queries import head_read, leaf_indexes_of
from app.audit.service import record
from app.auth import service as auth_service
from app.context import Principal
from app.db import between_transactions
from app.documents import analysis, reads, storage
from app.documents import repository as repo
from app.documents.tracing import candidates, words
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
from app.documents.tracing.scope import Scope, load_scope, member_cases, rights_on
from app.models.audit import AuditEvent
from app.models.documents import (
    CODE_OBJECT_TYPE,
    Document,
    DocumentAnalysis,
    DocumentDownload,
    DocumentVersion,
)
from app.runtime import Services
from app.sealing import open_bytes
from app.watermark import (
    LAYERS,
    Candidate,
    CandidateResult,
    Issue,
    Prepared,
    TextEvidence,
    TextLayer,
    detect,
    detect_text,
    text_layer,
)
from crypto.fingerprint import DEFAULT_FP_TARGET

FP_TARGET = DEFAULT_FP_TARGET
__all__ = ["FP_TARGET", "member_cases", "proofs_of", "rights_on", "trace"]


@dataclass(frozen=True)
class Target:
    doc: Document
    version: DocumentVersion
    candidates: tuple[Candidate, ...]
    downloads: dict[str, DocumentDownload]
    stored: DocumentAnalysis | None  # the version's stored text layer, if any

    @property
    def tests(self) -> int:
        return max(1, len(self.candidates)) * len(LAYERS)


def _target(doc: Document, version: DocumentVersion, downloads: list[DocumentDownload],
            stored: DocumentAnalysis | None, svc: Services) -> Target:
    found = {str(d.id): d for d in downloads}
    cands = tuple(Candidate(
        id=key, tag=d.tag, channels=frozenset(d.channels), scheme=d.mark_scheme,
        download_code=open_bytes(svc.key_provider, d.code_sealed, case_id=d.case_id,
                                 object_type=CODE_OBJECT_TYPE, object_id=d.id),
    ) for key, d in found.items())
    return Target(doc, version, cands, found, stored)


@dataclass(frozen=True)
class Compared:
    """What one version's detector said: verdict, identified results, layers, failures, and
    the version's text layer when the trace had to build it."""

    verdict: str
    identified: list[CandidateResult]
    layers: tuple[str, ...]
    errors: tuple[Issue, ...]
    built: TextLayer | None = None


def _stored_layer(target: Target, svc: Services) -> TextLayer | None:
    """The version's stored text layer, or None: none stored, or one that does not read
    back as this version's (the worker that built it parsed a hostile file). A layer that
    fails authentication raises, like its original would."""
    if target.stored is None:
        return None
    try:
        layer = analysis.open_layer(svc.key_provider, target.stored)
    except ValueError:
        return None
    return layer if layer.media_type == target.version.media_type else None


def _fresh_layer(original: Prepared, media_type: str) -> TextLayer | None:
    """A layer built from the original (never fatal: the detector then reads the original
    itself, layer by layer, and reports what fails)."""
    try:
        return text_layer(original, media_type)
    except Exception:  # noqa: BLE001 - see above
        return None


def _detect(target: Target, evidence: Evidence, text: TextEvidence | None, svc: Services,
            ocr: object, total_tests: int) -> Compared:
    """Text evidence (``text``) is read against the version's text layer: stored, or built
    from the original (and then stored, for a version stored before the index). Reading
    the original fails the whole trace as it always did (503 when the store is down)."""
    media_type = target.version.media_type
    fp_target = FP_TARGET * target.tests / total_tests
    layer = _stored_layer(target, svc) if text is not None else None
    original = None if layer is not None else storage.open_prepared(
        svc.originals, svc.key_provider, svc.blob_store, target.version)
    if original is not None and (text is not None or target.stored is None):
        fresh = _fresh_layer(original, media_type)
        layer = layer or fresh
    built = layer if target.stored is None else None
    value = evidence.value
    try:
        if text is not None and layer is not None:
            det = detect_text(text, layer, target.candidates, fp_target=fp_target)
        else:
            if evidence.kind == "images" and isinstance(value, bytes):
                value = [value]
            det = detect(value, original, media_type, target.candidates,
                         ocr=ocr,  # type: ignore[arg-type]
                         fp_target=fp_target)
    except Exception as e:  # noqa: BLE001 - reported as an error of this version, below
        # Layers fail alone inside detect; what escapes is scoring itself: nothing was read.
        return Compared("inconclusive", [], (), (Issue.of("detect", e),), built)
    return Compared(det.verdict, [r for r in det.results if r.identified], det.found_layers,
                    det.errors, built)


def _strength(target: Target, result: CandidateResult, total_tests: int
              ) -> tuple[float, list[str]]:
    """The match's bound over every test of the trace, and the layers that alone agree."""
    agreeing = [s.layer for s in result.layers if s.p_value * total_tests < FP_TARGET]
    return min(1.0, result.bound * total_tests / target.tests), agreeing


def _match(target: Target, result: CandidateResult, total_tests: int,
           proof_for: dict[uuid.UUID, AuditProof], filenames: dict[uuid.UUID, str],
           names: dict[uuid.UUID, str]) -> TraceMatch:
    d = target.downloads[result.candidate_id]
    confidence, agreeing = _strength(target, result, total_tests)
    return TraceMatch(
        download_id=d.id, document_id=d.document_id, version=target.version.version,
        case_id=d.case_id, user_id=d.user_id, party_id=d.party_id,
        downloaded_at=d.downloaded_at, confidence=confidence,
        confidence_words=words.confidence_words(confidence),
        filename=filenames.get(target.version.id), recipient_name=names.get(d.user_id),
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
    built: dict[uuid.UUID, tuple[Target, TextLayer]]


def _run(targets: list[Target], evidence: Evidence, text: TextEvidence | None,
         svc: Services, ocr: object, total: int) -> Outcome:
    out = Outcome(set(), set(), [], [], {})
    for target in targets:
        got = _detect(target, evidence, text, svc, ocr, total)
        out.verdicts.add(got.verdict)
        out.found.update(got.layers)
        out.hits += [(target, r) for r in got.identified]
        out.errors += [(target.version.id, e) for e in got.errors]
        if got.built is not None:
            out.built[target.version.id] = (target, got.built)
    return out


def _not_traceable(targets: list[Target], evidence: Evidence, text: TextEvidence | None,
                   svc: Services, ocr: object,
                   built: dict[uuid.UUID, tuple[Target, TextLayer]]) -> list[NotTraceableRead]:
    """Readable documents the evidence is a copy of. Each is judged on its own (the bound
    is per document): the answer names a document the caller already reads, never a
    recipient, so a weaker test than an accusation's is not needed and not used."""
    out: dict[uuid.UUID, NotTraceableRead] = {}
    for target in targets:
        got = _detect(target, evidence, text, svc, ocr, target.tests)
        if got.built is not None:
            built[target.version.id] = (target, got.built)
        if got.verdict != "no_watermark" and not got.errors:
            doc = target.doc
            out.setdefault(doc.id, NotTraceableRead(
                document_id=doc.id, case_id=doc.case_id,
                filename=reads.display_name(svc, target.version)))
    return list(out.values())


def _verdict(outcome: Outcome) -> str:
    if outcome.hits:
        return "identified"
    if outcome.verdicts & {"inconclusive", "identified"} or outcome.errors:
        return "inconclusive"
    return "no_watermark"


@dataclass(frozen=True)
class Compare:
    """The targets of one trace: those the caller traces and those it only reads."""

    traceable: list[Target]
    readable: list[Target]
    reads: set[uuid.UUID]  # versions whose names the caller may read


def _compare(session: Session, svc: Services, scope: Scope, chosen: set[str] | None
             ) -> Compare:
    """Load and open what comparing the chosen versions needs (every version: None)."""
    picked = [(uuid.UUID(v.id), v) for v in scope.versions if chosen is None or v.id in chosen]
    picked.sort(key=lambda p: str(p[0]))
    ids = [i for i, _ in picked]
    rows = {v.id: (d, v) for d, v in repo.rows_of_versions(session, ids)}
    downloads = repo.downloads_of_versions(session, ids)
    stored = repo.analyses_of(session, ids)
    traceable: list[Target] = []
    readable: list[Target] = []
    for version_id, v in picked:
        doc, version = rows[version_id]
        target = _target(doc, version, downloads[version_id], stored.get(version_id), svc)
        (traceable if v.traces else readable).append(target)
    return Compare(traceable, readable, {i for i, v in picked if v.reads})


def _store_built(session: Session, svc: Services,
                 built: dict[uuid.UUID, tuple[Target, TextLayer]]) -> None:
    """Text layers this trace had to build (versions stored before the index)."""
    for version_id, (target, layer) in sorted(built.items(), key=lambda kv: str(kv[0])):
        analysis.store(session, svc, case_id=target.version.case_id, version_id=version_id,
                       layer=layer)


def _select(session: Session, svc: Services, principal: Principal, evidence: Evidence,
            ocr: object) -> tuple[Scope, Compare, set[str]]:
    """The two read phases: the scope, then (the evidence surveyed between transactions)
    the index and the chosen versions' rows. Also the layers the evidence shows whatever
    the original, which every comparison skipped would have reported."""
    scope = load_scope(session, principal.user_id, member_cases(session, principal.user_id),
                       evidence.kind)
    between_transactions(session, reads_next=True)
    found = candidates.survey_of(evidence, ocr, scope)  # type: ignore[arg-type]
    chosen = candidates.choose(session, svc, scope, evidence.kind, found)
    shown = set(found.found) if found is not None and scope.traceable else set()
    return scope, _compare(session, svc, scope, chosen), shown


def trace(session: Session, principal: Principal, svc: Services, *,
          raw: RawEvidence) -> TraceResult:
    # Parsing the evidence and detection are CPU work: they run between transactions, and
    # the write lock (SQLite) is taken only for the events at the end.
    between_transactions(session, reads_next=True)
    evidence = to_evidence(raw)
    ocr = make_ocr(svc.settings.data_dir / "tmp") if evidence.kind == "images" else None
    scope, compare, shown = _select(session, svc, principal, evidence, ocr)
    between_transactions(session)
    total = scope.tests
    value = evidence.value
    text = TextEvidence.of(value) if evidence.kind == "text" and isinstance(value, str) else None
    outcome = _run(compare.traceable, evidence, text, svc, ocr, total)
    outcome.found |= shown
    if shown:
        outcome.verdicts.add("inconclusive")
    verdict = _verdict(outcome)
    refused = ([] if outcome.hits or outcome.errors
               else _not_traceable(compare.readable, evidence, text, svc, ocr, outcome.built))
    trace_id = uuid.uuid4()
    for version_id, issue in outcome.errors:
        svc.originals.report(issue, version_id=version_id)
    hits = outcome.hits
    _store_built(session, svc, outcome.built)
    record(session, principal, "trace.run", "trace", trace_id, {
        "trace_id": trace_id, "verdict": verdict, "matches": len(hits),
        "evidence_sha256": evidence.sha256, "layers": sorted(outcome.found),
        "count": len(scope.traceable), "detector_errors": len(outcome.errors),
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
    filenames = {t.version.id: reads.display_name(svc, t.version) for t, _ in hits
                 if t.version.id in compare.reads}
    matches = sorted((_match(t, r, total, proofs, filenames, names) for t, r in hits),
                     key=lambda m: (m.confidence, str(m.download_id)))
    return TraceResult(
        trace_id=trace_id, verdict=verdict,
        verdict_words=words.NOT_YOURS if refused else words.VERDICT_WORDS[verdict],
        advice=[] if hits else [AdviceRead(code=a.code, text=a.text)
                                for a in words.advice(evidence.kind, evidence.value)],
        not_traceable=refused, matches=matches, found_layers=sorted(outcome.found),
        documents_compared=len(scope.traceable), tests=total,
        errors=[TraceError(document_version_id=v, layer=e.stage, kind=e.kind)
                for v, e in outcome.errors])
