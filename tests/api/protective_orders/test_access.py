"""Who sees designated documents once an order is entered (its tiers; a pro se party never
in an AEO audience of another party), and Exhibit A before the first opening: 409
``acknowledgment_required`` until the reader signed the order in force."""

from __future__ import annotations

import pytest

from tests.api.documents.helpers import text_doc
from tests.api.protective_orders.conftest import ORDER_SHA, TIERS, acknowledge, base, enter

pytestmark = pytest.mark.usefixtures("clock")
READERS = ("plaintiff_counsel", "plaintiff_client", "defense_counsel", "defense_client",
           "pro_se")


def _seen(api, room, doc_id: str) -> set[str]:  # noqa: ANN001
    return {who for who in READERS if api.client.get(
        f"{base(room)}/documents/{doc_id}", headers=room.users[who].headers).status_code == 200}


def _sign_all(api, room, sha: str = ORDER_SHA) -> None:  # noqa: ANN001
    for who in READERS:
        acknowledge(api, room, who, sha)


def test_without_an_order_the_rooms_own_rule_stands(api, room):
    doc = api.document(room, text_doc(), designation="AEO")
    assert _seen(api, room, doc["id"]) == {"plaintiff_counsel", "defense_counsel", "pro_se"}
    assert api.download(room, doc["id"], "pro_se").status_code == 200  # nothing to sign


def test_under_an_order_a_pro_se_party_never_reads_another_partys_aeo(api, room):
    enter(api, room)
    _sign_all(api, room)
    doc = api.document(room, text_doc(), designation="AEO")
    assert _seen(api, room, doc["id"]) == {"plaintiff_counsel", "defense_counsel"}
    r = api.download(room, doc["id"], "pro_se")
    assert r.status_code == 404 and r.json()["code"] == "document_not_found"
    listed = api.client.get(f"{base(room)}/documents", headers=room.users["pro_se"].headers)
    assert doc["id"] not in {d["id"] for d in listed.json()}
    # Even addressed to the pro se party alone.
    only = api.document(room, text_doc(), designation="AEO",
                        audience=room.parties["defendant2"])
    assert _seen(api, room, only["id"]) == {"plaintiff_counsel"}
    # The pro se party keeps its own AEO uploads.
    own = api.document(room, text_doc(), designation="AEO", by="pro_se")
    assert _seen(api, room, own["id"]) == {"plaintiff_counsel", "defense_counsel", "pro_se"}
    assert api.download(room, own["id"], "pro_se").status_code == 200


def test_a_confidential_tier_without_parties_keeps_clients_out(api, room):
    tiers = [{**TIERS[0], "audience": ["outside_counsel"]}, TIERS[1]]
    enter(api, room, tiers=tiers)
    doc = api.document(room, text_doc())
    # The producing party's own client keeps its access; the receiving clients lose it.
    assert _seen(api, room, doc["id"]) == {"plaintiff_counsel", "plaintiff_client",
                                           "defense_counsel"}


def test_the_first_opening_waits_for_exhibit_a(api, app, room):
    enter(api, room)
    doc = api.document(room, text_doc())
    r = api.download(room, doc["id"], "defense_counsel")
    assert r.status_code == 409 and r.json()["code"] == "acknowledgment_required"
    # The metadata stays readable: the reader learns what to sign before opening it.
    assert api.client.get(f"{base(room)}/documents/{doc['id']}",
                          headers=room.users["defense_counsel"].headers).status_code == 200
    # The producing party's own people need no acknowledgment for their own documents.
    assert api.download(room, doc["id"], "plaintiff_client").status_code == 200
    acknowledge(api, room, "defense_counsel")
    assert api.download(room, doc["id"], "defense_counsel").status_code == 200
    order = api.client.get(f"{base(room)}/protective-order",
                           headers=room.users["defense_counsel"].headers).json()
    assert order["acknowledged"] is True
    from tests.api.offers.conftest import events_named
    refused = events_named(app, "document.download", "denied")
    assert [e.details["reason"] for e in refused] == ["acknowledgment_required"]


def test_a_replaced_order_needs_a_new_acknowledgment(api, room, clock):
    enter(api, room)
    doc = api.document(room, text_doc())
    acknowledge(api, room, "defense_counsel")
    assert api.download(room, doc["id"], "defense_counsel").status_code == 200
    clock.advance(days=1)
    amended = enter(api, room, text="AMENDED STIPULATED PROTECTIVE ORDER.\n")
    r = api.download(room, doc["id"], "defense_counsel")
    assert r.status_code == 409 and r.json()["code"] == "acknowledgment_required"
    # Signing the old hash binds nobody to the new order.
    r = api.client.post(f"{base(room)}/protective-order/acknowledgments",
                        headers=room.users["defense_counsel"].headers,
                        json={"typed_name": "Dana Defense", "order_sha256": ORDER_SHA})
    assert r.status_code == 409 and r.json()["code"] == "order_mismatch"
    acknowledge(api, room, "defense_counsel", amended["sha256"])
    assert api.download(room, doc["id"], "defense_counsel").status_code == 200
    listed = api.client.get(f"{base(room)}/protective-order/acknowledgments",
                            headers=room.users["auditor"].headers).json()
    assert [(a["order_sha256"], a["current"]) for a in listed] == [
        (ORDER_SHA, False), (amended["sha256"], True)]


def test_ene_documents_are_not_governed_by_the_order(api, room):
    enter(api, room)
    session = api.ene_session(room)
    doc = api.document(room, text_doc(), designation="ENE", ene_session_id=session["id"])
    assert api.download(room, doc["id"], "neutral").status_code == 200
    assert api.download(room, doc["id"], "defense_client").status_code == 200
