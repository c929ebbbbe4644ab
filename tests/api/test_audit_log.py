"""The audit log as a verifiable Merkle log, through HTTP: signed tree heads and C2SP
checkpoints, proofs that verify with crypto.merkle, case-scoped events, export bundles."""

from __future__ import annotations

import base64
import json
from datetime import datetime

import pytest

from app.audit.bundle import BundleError, verify_bundle
from crypto import merkle, signing


@pytest.fixture
def room(api):
    return api.room()


def head(api, user):
    r = api.client.get("/api/v1/audit/tree-head", headers=user.headers)
    assert r.status_code == 200, r.text
    return r.json()


def keys(api, user):
    return {k["key_id"]: k for k in api.client.get("/api/v1/audit/public-keys",
                                                    headers=user.headers).json()}


def test_tree_head_is_signed_and_its_checkpoint_verifies_with_the_note_key(api, room):
    user = room.users["plaintiff_client"]
    h = head(api, user)
    key = keys(api, user)[h["key_id"]]
    public = signing.load_public_key_pem(key["public_key_pem"].encode())
    ts_ms = round(datetime.fromisoformat(h["timestamp"]).timestamp() * 1000)
    signed = signing.TreeHead(h["tree_size"], bytes.fromhex(h["root_hash"]), ts_ms,
                              h["key_id"], base64.b64decode(h["signature"]))
    signing.verify_tree_head(signed, public)
    with pytest.raises(signing.InvalidSignature):
        signing.verify_tree_head(signing.TreeHead(h["tree_size"] + 1, signed.root_hash, ts_ms,
                                                  h["key_id"], signed.signature), public)
    origin, size, root = signing.verify_checkpoint(h["checkpoint"], key["note_verifier_key"])
    assert (size, root.hex()) == (h["tree_size"], h["root_hash"])
    assert h["checkpoint"].splitlines()[:3] == [origin, str(size),
                                                base64.b64encode(root).decode()]
    assert h["algorithm"] == "Ed25519"


def test_head_is_reused_until_new_events_arrive(api, room):
    user = room.users["auditor"]
    first = head(api, user)
    assert head(api, user)["tree_size"] == first["tree_size"]
    api.client.patch(f"/api/v1/cases/{room.id}", headers=room.admin.headers,
                     json={"trial_date": "2027-01-04"})
    assert head(api, user)["tree_size"] > first["tree_size"]


def test_anonymous_gets_401_on_audit_endpoints(client):
    for path in ("/api/v1/audit/tree-head", "/api/v1/audit/public-keys",
                 "/api/v1/audit/consistency-proof?first=1&second=1"):
        assert client.get(path).status_code == 401


def test_case_events_for_auditor_and_room_admin_only(api, room):
    for who, want in [("auditor", 200), ("room_admin", 200), ("plaintiff_counsel", 403),
                      ("neutral", 403), ("outsider", 404)]:
        r = api.client.get(f"/api/v1/audit/events?case_id={room.id}",
                           headers=room.users[who].headers)
        assert r.status_code == want, who
    events = api.client.get(f"/api/v1/audit/events?case_id={room.id}&limit=200",
                            headers=room.users["auditor"].headers).json()
    assert events and all(e["case_id"] == room.id for e in events)
    assert set(events[0]) == {"leaf_index", "timestamp", "case_id", "actor_user_id",
                              "actor_party_id", "action", "outcome", "object_type",
                              "object_id", "details", "case_seq", "verified"}
    # The case's events are numbered 1, 2, 3... without gaps.
    assert [e["case_seq"] for e in events] == list(range(1, len(events) + 1))
    after = api.client.get(f"/api/v1/audit/events?case_id={room.id}&after="
                           f"{events[0]['leaf_index']}&limit=1",
                           headers=room.users["auditor"].headers).json()
    assert after[0]["leaf_index"] == events[1]["leaf_index"]


def test_inclusion_and_consistency_proofs_verify(api, room):
    auditor = room.users["auditor"]
    first = head(api, auditor)
    api.client.patch(f"/api/v1/cases/{room.id}", headers=room.admin.headers,
                     json={"trial_date": "2027-01-04"})
    second = head(api, auditor)
    assert second["tree_size"] > first["tree_size"]  # the tree grew: a real proof to check
    events = api.client.get(f"/api/v1/audit/events?case_id={room.id}&limit=200",
                            headers=auditor.headers).json()
    newest = events[-1]
    assert newest["action"] == "case.update" and newest["leaf_index"] >= first["tree_size"]
    for e in [*events[:: max(1, len(events) // 5)], newest]:
        r = api.client.get(f"/api/v1/audit/events/{e['leaf_index']}/inclusion-proof"
                           f"?tree_size={second['tree_size']}", headers=auditor.headers)
        p = r.json()
        merkle.verify_inclusion(bytes.fromhex(p["leaf_hash"]), p["leaf_index"], p["tree_size"],
                                [bytes.fromhex(x) for x in p["proof"]],
                                bytes.fromhex(second["root_hash"]))
    c = api.client.get(f"/api/v1/audit/consistency-proof?first={first['tree_size']}"
                       f"&second={second['tree_size']}", headers=auditor.headers).json()
    proof = [bytes.fromhex(x) for x in c["proof"]]
    assert proof  # never empty when 0 < first < second
    merkle.verify_consistency(first["tree_size"], second["tree_size"],
                              bytes.fromhex(first["root_hash"]),
                              bytes.fromhex(second["root_hash"]), proof)
    with pytest.raises(merkle.ProofError):  # the proof binds the old root to the new one
        merkle.verify_consistency(first["tree_size"], second["tree_size"],
                                  bytes.fromhex(second["root_hash"]),
                                  bytes.fromhex(second["root_hash"]), proof)


def test_proof_requests_are_scoped_and_validated(api, room):
    auditor, counsel = room.users["auditor"], room.users["plaintiff_counsel"]
    events = api.client.get(f"/api/v1/audit/events?case_id={room.id}",
                            headers=auditor.headers).json()
    leaf = events[0]["leaf_index"]
    assert api.client.get(f"/api/v1/audit/events/{leaf}/inclusion-proof",
                          headers=counsel.headers).status_code == 403
    assert api.client.get("/api/v1/audit/events/0/inclusion-proof",  # a platform event
                          headers=auditor.headers).status_code == 404
    assert api.client.get(f"/api/v1/audit/events/{leaf}/inclusion-proof?tree_size={leaf}",
                          headers=auditor.headers).json()["code"] == "invalid_tree_size"
    assert api.client.get("/api/v1/audit/events/999999/inclusion-proof",
                          headers=auditor.headers).status_code == 404
    assert api.client.get("/api/v1/audit/consistency-proof?first=5&second=99999999",
                          headers=auditor.headers).status_code == 422


def export(api, room, who="auditor"):
    r = api.client.get(f"/api/v1/cases/{room.id}/audit/export", headers=room.users[who].headers)
    assert r.status_code == 200, r.text
    return r.content


def test_export_bundle_verifies_offline_and_pins_the_key(api, room):
    data = export(api, room)
    report = verify_bundle(data)
    assert report.case_id == room.id and report.events > 10 and not report.key_pinned
    assert report.numbered == report.events  # every event of the case, none missing
    key = keys(api, room.users["auditor"])[json.loads(data)["key_id"]]["public_key_pem"]
    assert verify_bundle(data, key.encode()).key_pinned
    other = signing.public_key_to_pem(signing.generate_private_key().public_key())
    with pytest.raises(BundleError):
        verify_bundle(data, other)


def test_changing_any_byte_of_the_bundle_makes_it_fail(api, room):
    data = export(api, room)
    step = max(1, len(data) // 400)
    for i in range(0, len(data), step):
        flipped = bytearray(data)
        flipped[i] = (flipped[i] + 1) % 256 if chr(flipped[i]) != "9" else ord("8")
        with pytest.raises(BundleError):
            verify_bundle(bytes(flipped))


def test_export_needs_audit_rights(api, room):
    for who, want in [("plaintiff_counsel", 403), ("outsider", 404)]:
        r = api.client.get(f"/api/v1/cases/{room.id}/audit/export",
                           headers=room.users[who].headers)
        assert r.status_code == want


def test_a_head_is_signed_at_least_once_a_minute_while_events_arrive(api, app, monkeypatch):
    from datetime import UTC, timedelta

    from sqlalchemy import func, select

    from app.audit import sequencer
    from app.audit import service as audit_service
    from app.models.audit import TreeHead

    def heads():
        with app.state.sessionmaker() as s:
            return s.execute(select(func.count()).select_from(TreeHead)).scalar_one()

    owner = api.user()
    case_id = api.case(owner)
    start = heads()
    base = datetime.now(UTC)
    for minute in (1, 2, 3):
        for module in (audit_service, sequencer):  # the actions' and the sequencer's clock
            monkeypatch.setattr(module, "utcnow",
                                lambda m=minute: base + timedelta(seconds=61 * m))
        api.client.patch(f"/api/v1/cases/{case_id}", headers=owner.headers,
                         json={"trial_date": f"2027-0{minute}-04"})
        api.client.patch(f"/api/v1/cases/{case_id}", headers=owner.headers,
                         json={"trial_date": f"2027-0{minute}-05"})
    assert heads() == start + 3  # one per minute, not one per event
