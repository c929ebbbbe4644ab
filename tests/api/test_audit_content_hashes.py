"""Hashes of confidential content in the audit log are keyed per case.

An auditor or room admin may not see offers or documents, but reads their audit events and
exports. A plain SHA-256 of offer terms lets them confirm guesses of the amount (a $75,000
offer fell in 151 guesses), so events carry an HMAC under a per-case key held by the key
provider instead: equal content gives equal values within a case (an auditor can still see
that the accepted terms are the offered ones), nothing outside the case can recompute it.
The offer's own parties keep the plain ``terms_sha256`` they need to accept."""

from __future__ import annotations

import json
import uuid

from tests.api.documents.helpers import text_doc

OVERSEERS = ("auditor", "room_admin")


def _events(api, room, who) -> list[dict]:  # noqa: ANN001
    """Every event of the case, page by page, as the caller is served them."""
    events: list[dict] = []
    while True:
        params = {"case_id": room.id, "limit": 200,
                  **({"after": events[-1]["leaf_index"]} if events else {})}
        r = api.client.get("/api/v1/audit/events", params=params,
                           headers=room.users[who].headers)
        assert r.status_code == 200, r.text
        if not r.json():
            return events
        events += r.json()


def _export(api, room, who):  # noqa: ANN001, ANN202
    r = api.client.get(f"/api/v1/cases/{room.id}/audit/export",
                       headers=room.users[who].headers)
    assert r.status_code == 200, r.text
    return r.text


def _details(api, room, action):  # noqa: ANN001, ANN202
    events = _events(api, room, "auditor")
    return [e["details"] for e in events if e["action"] == action and e["outcome"] == "ok"]


def _content_everywhere(api, room):  # noqa: ANN001, ANN202
    """An offer made and accepted, a Rule 68 offer served and accepted, a document uploaded,
    replaced and downloaded; returns the plain hashes the parties saw."""
    offer = api.offer(room, amount_cents=7_500_000, terms="Payment of $75,000")
    r = api.client.post(f"/api/v1/cases/{room.id}/offers/{offer['id']}/accept",
                        headers=room.users["defense_counsel"].headers,
                        json={"terms_sha256": offer["terms_sha256"]})
    assert r.status_code == 200, r.text
    api.consent_all(room)
    r68 = api.rule68_offer(room)
    r = api.client.post(f"/api/v1/cases/{room.id}/rule68-offers/{r68['id']}/accept",
                        headers=room.users["plaintiff_counsel"].headers,
                        json={"terms_sha256": r68["terms_sha256"]})
    assert r.status_code == 200, r.text
    doc = api.document(room, text_doc("FIRST"))
    r = api.client.post(f"/api/v1/cases/{room.id}/documents/{doc['id']}/versions",
                        files={"file": ("v2.txt", text_doc("SECOND"), "text/plain")},
                        headers=room.users["plaintiff_counsel"].headers)
    assert r.status_code == 201, r.text
    assert api.download(room, doc["id"], "defense_counsel").status_code == 200
    return [offer["terms_sha256"], r68["terms_sha256"], doc["sha256"], r.json()["sha256"]]


def test_overseers_never_see_plain_content_hashes(api):
    room = api.room()
    plain = _content_everywhere(api, room)
    for who in OVERSEERS:
        shown = json.dumps(_events(api, room, who)) + _export(api, room, who)
        for digest in plain:
            assert digest not in shown, who
        assert '"terms_sha256"' not in shown and '"sha256"' not in shown, who


def test_keyed_values_stable_within_a_case_and_distinct_across_cases(api):
    room = api.room()
    _content_everywhere(api, room)
    made, accepted = _details(api, room, "offer.make"), _details(api, room, "offer.accept")
    assert len(made) == len(accepted) == 1
    mac = made[0]["terms_mac"]
    assert len(mac) == 64 and accepted[0]["terms_mac"] == mac
    served, taken = _details(api, room, "rule68.serve"), _details(api, room, "rule68.accept")
    assert served[0]["terms_mac"] == taken[0]["terms_mac"] != mac
    uploads = _details(api, room, "document.upload")
    replaced = _details(api, room, "document.replace")
    downloads = _details(api, room, "document.download")
    assert downloads[0]["content_mac"] == replaced[0]["content_mac"]
    assert uploads[0]["content_mac"] != replaced[0]["content_mac"]

    # The same terms in another case: the same plain hash for its parties, another keyed one.
    other = api.room()
    again = api.offer(other, amount_cents=7_500_000, terms="Payment of $75,000")
    first = api.client.get(f"/api/v1/cases/{room.id}/offers",
                           headers=room.users["plaintiff_counsel"].headers).json()
    assert again["terms_sha256"] in json.dumps(first)
    other_mac = _details(api, other, "offer.make")[0]["terms_mac"]
    assert other_mac != mac and len(other_mac) == 64


def test_events_from_before_keyed_hashes_are_served_without_plain_digests(api):
    """An event written by an earlier version with a plain ``terms_sha256`` keeps it in its
    (append-only, hashed) entry, but the events API leaves it out."""
    from app.audit import repository
    from app.audit.sequencer import mark_pending
    from app.db import transaction
    from app.models.base import utcnow

    room = api.room()
    legacy = "ab" * 32
    with transaction(api.app.state.sessionmaker) as session:
        repository.insert_pending(session, timestamp=utcnow(), fields={
            "case_id": uuid.UUID(room.id), "actor_user_id": None, "actor_party_id": None,
            "action": "offer.make", "outcome": "ok", "object_type": "settlement_offer",
            "object_id": "legacy", "details": {"terms_sha256": legacy, "sha256": legacy,
                                               "offer_id": "legacy"}})
        mark_pending(session)
    events = [e for e in _events(api, room, "room_admin") if e["object_id"] == "legacy"]
    assert [e["details"] for e in events] == [{"offer_id": "legacy"}]
