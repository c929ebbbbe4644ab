"""Offline bundle verification proves completeness: a case's numbered events must run
without a gap, events logged before the counter (format 1) still verify, and their count
is bound by the first numbered event. Bundles are built here from scratch, no database."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime

import pytest

from app.audit.bundle import BUNDLE_FORMAT, BundleError, verify_bundle
from app.audit.entry import build_entry
from crypto import merkle, signing
from crypto.canonical import canonical_json

CASE = uuid.UUID("5d1f0c36-8f0a-4b53-9a2e-9f0d3c7e2a11")
OTHER = uuid.UUID("0b7e2a11-8f0a-4b53-9a2e-9f0d3c7e5d1f")
ORIGIN = "test.example/audit-log"
KEY = signing.generate_private_key()
WHEN = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def fields(case_id: uuid.UUID | None, action: str = "case.update") -> dict:
    return {"case_id": case_id, "actor_user_id": None, "actor_party_id": None,
            "action": action, "outcome": "ok", "object_type": "case",
            "object_id": None if case_id is None else str(case_id), "details": {}}


def old_entry(index: int, case_id: uuid.UUID | None) -> bytes:
    """A format 1 entry, as logged before the per-case counter."""
    doc = json.loads(build_entry(index, WHEN, fields(case_id)))
    doc["v"] = 1
    return canonical_json(doc)


def log_of(kinds: list[str]) -> list[bytes]:
    """A log whose leaves are, in order: "old" (format 1 of CASE), "new" (format 2 of
    CASE, numbered in turn), "other" (format 2 of another case), "none" (no case)."""
    entries, number = [], {CASE: 0, OTHER: 0}
    for index, kind in enumerate(kinds):
        if kind == "old":
            entries.append(old_entry(index, CASE))
            number[CASE] += 1
            continue
        case = {"new": CASE, "other": OTHER, "none": None}[kind]
        extra = {}
        if case is not None:
            number[case] += 1
            extra["case_seq"] = number[case]
        entries.append(build_entry(index, WHEN, {**fields(case), **extra}))
    return entries


def bundle(entries: list[bytes], *, leave_out: tuple[int, ...] = ()) -> bytes:
    """A signed bundle of CASE's events in ``entries`` (but ``leave_out``)."""
    leaves = [merkle.leaf_hash(e) for e in entries]
    root = merkle.root_from_leaf_hashes(leaves)
    head = signing.sign_tree_head(KEY, len(leaves), root, 1_795_000_000_000)
    mine = [i for i, e in enumerate(entries)
            if json.loads(e).get("case_id") == str(CASE) and i not in leave_out]
    payload = {
        "format": BUNDLE_FORMAT, "origin": ORIGIN, "case_id": str(CASE),
        "exported_at": "2026-11-29T09:00:00Z",
        "tree_head": {"tree_size": len(leaves), "root_hash": root.hex(),
                      "timestamp_ms": head.timestamp_ms, "key_id": head.key_id,
                      "signature": base64.b64encode(head.signature).decode(),
                      "checkpoint": signing.make_checkpoint(ORIGIN, len(leaves), root, KEY,
                                                            ORIGIN)},
        "public_keys": [],
        "events": [{"leaf_index": i, "entry": entries[i].decode(),
                    "inclusion_proof": [p.hex() for p in merkle.inclusion_proof(leaves, i)]}
                   for i in mine],
    }
    return canonical_json(signing.sign_document(payload, KEY))


PEM = signing.public_key_to_pem(KEY.public_key())


def test_a_complete_bundle_proves_every_number():
    report = verify_bundle(bundle(log_of(["new", "other", "new", "none", "new"])), PEM)
    assert (report.events, report.numbered) == (3, 3)


@pytest.mark.parametrize(("left_out", "message"), [
    ((0,), "event 1 of the case missing"),
    ((2,), "event 2 of the case missing"),
    ((2, 4), "events 2 to 3 of the case missing"),
])
def test_an_event_left_out_shows_as_a_gap(left_out, message):
    entries = log_of(["new", "other", "new", "none", "new", "new"])
    with pytest.raises(BundleError, match=message):
        verify_bundle(bundle(entries, leave_out=left_out), PEM)


def test_the_last_events_left_out_are_not_a_gap():
    """A tail cut before export is no gap in the bundle: ``audit verify`` finds rows
    missing from the log, and the export's own event is always the case's last."""
    entries = log_of(["new", "new", "new"])
    assert verify_bundle(bundle(entries, leave_out=(2,)), PEM).numbered == 2


def test_events_logged_before_the_counter_still_verify_and_are_counted():
    entries = log_of(["old", "other", "old", "new", "none", "new"])
    report = verify_bundle(bundle(entries), PEM)
    assert (report.events, report.numbered) == (4, 4)
    # Leaving out an old event: the first numbered one no longer follows their count.
    with pytest.raises(BundleError, match="event 2 of the case missing"):
        verify_bundle(bundle(entries, leave_out=(2,)), PEM)


def test_a_bundle_of_old_events_only_proves_inclusion_not_completeness():
    report = verify_bundle(bundle(log_of(["old", "old", "other"])), PEM)
    assert (report.events, report.numbered) == (2, 0)


def test_an_old_event_after_numbered_ones_or_a_repeated_number_fails():
    entries = log_of(["new", "old"])
    with pytest.raises(BundleError, match="without a case number after numbered"):
        verify_bundle(bundle(entries), PEM)
    first = log_of(["new"])[0]
    again = build_entry(1, WHEN, {**fields(CASE), "case_seq": 1})
    with pytest.raises(BundleError, match="repeated or out of order"):
        verify_bundle(bundle([first, again]), PEM)


def test_a_format_2_event_of_a_case_without_a_number_fails():
    unnumbered = build_entry(0, WHEN, fields(CASE))
    with pytest.raises(BundleError, match="case_seq"):
        verify_bundle(bundle([unnumbered]), PEM)
