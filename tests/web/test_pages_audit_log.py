"""The auditor's log: filters by person, action, document, date and outcome; names instead
of ids; the same selection exported as CSV and as a PDF report, each export audited; bad
filter values answer 422 on the page and the API, never 500."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from tests.web.helpers import sign_in_as


@pytest.fixture(scope="module")
def busy(web_api):  # noqa: ANN001, ANN201
    """A room with an offer, a refused action and a document upload."""
    room = web_api.room()
    offer = web_api.offer(room)
    # A client may not make offers: a refused (audited) attempt.
    r = web_api.client.post(f"/api/v1/cases/{room.id}/offers",
                            headers=room.users["plaintiff_client"].headers,
                            json={"from_party_id": room.parties["plaintiff"],
                                  "to_party_id": room.parties["defendant"],
                                  "amount_cents": 100, "terms": "t"})
    assert r.status_code == 403
    doc = web_api.document(room, b"An exhibit for the audit filters.\n")
    return room, offer, doc


def _rows(client, room, **params: str) -> list[dict[str, str]]:  # noqa: ANN001
    r = client.get(f"/cases/{room.id}/audit/events.csv", params=params)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(r.text)))


def test_filters_narrow_the_listing_and_its_exports(client, busy):  # noqa: ANN001
    room, offer, doc = busy
    sign_in_as(client, room.users["auditor"])
    everything = _rows(client, room)
    assert {"offer.make", "document.upload"} <= {row["action"] for row in everything}
    refused = _rows(client, room, outcome="denied")
    assert refused and {row["outcome"] for row in refused} == {"denied"}
    client_name = room.users["plaintiff_client"].email
    assert any(client_name in row["who"] for row in refused)  # a name, not an id
    mine = _rows(client, room, person=room.users["plaintiff_counsel"].id)
    assert mine and all(room.users["plaintiff_counsel"].email in r["who"] for r in mine)
    offers = _rows(client, room, action="offer.")
    assert offers and all(r["action"].startswith("offer.") for r in offers)
    exact = _rows(client, room, action="offer.make", outcome="ok")
    assert [r["object_id"] for r in exact] == [offer["id"]]
    one_doc = _rows(client, room, document=doc["id"])
    assert one_doc and {r["object_id"] for r in one_doc} == {doc["id"]}
    later = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    assert _rows(client, room, date_from=later) == []
    case = client.get(f"/api/v1/cases/{room.id}", headers=room.users["auditor"].headers).json()
    today = datetime.now(ZoneInfo(case["court_timezone"])).date()
    # Both ends are whole court days, the last one included.
    on_the_day = _rows(client, room, date_from=today.isoformat(), date_to=today.isoformat())
    assert {r["leaf_index"] for r in everything} <= {r["leaf_index"] for r in on_the_day}
    yesterday = (today - timedelta(days=1)).isoformat()
    assert _rows(client, room, date_to=yesterday) == []
    page = client.get(f"/cases/{room.id}/audit", params={"action": "offer.make"}).text
    assert "No event matches" not in page and "document.upload</td>" not in page
    assert f'value="{room.users["plaintiff_counsel"].id}"' in page  # the person choices


def test_details_name_parties_instead_of_ids(client, busy):  # noqa: ANN001
    room, _offer, _doc = busy
    sign_in_as(client, room.users["auditor"])
    [made] = _rows(client, room, action="offer.make", outcome="ok")
    assert "Acme Corp." in made["details"] or "Jane Doe" in made["details"]
    assert room.parties["defendant"] not in made["details"]


def test_the_pdf_report_carries_the_case_the_head_and_the_filters(client, busy):  # noqa: ANN001
    room, offer, _doc = busy
    sign_in_as(client, room.users["auditor"])
    r = client.get(f"/cases/{room.id}/audit/report.pdf", params={"action": "offer."})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "Audit report" in text and "Tree size" in text and "action: offer." in text
    assert "offer.make" in text and "document.upload" not in text
    assert "Mutual release" not in text  # metadata only


def test_each_export_is_an_audited_action(client, busy):  # noqa: ANN001
    room, _offer, _doc = busy
    sign_in_as(client, room.users["auditor"])
    before = len(_rows(client, room, action="audit.export"))
    after = _rows(client, room, action="audit.export")
    assert len(after) == before + 1  # the export listed itself
    assert "kind=csv" in after[-1]["details"]


@pytest.mark.parametrize("params", [
    {"outcome": "maybe"}, {"action": "DROP TABLE"}, {"person": "not-an-id"},
    {"date_from": "0001-01-01"}, {"date_to": "31/12/2030"}, {"document": "x" * 65},
])
def test_bad_filters_answer_422_never_500(client, busy, params):  # noqa: ANN001
    room, _offer, _doc = busy
    sign_in_as(client, room.users["auditor"])
    for path in ("/audit", "/audit/events.csv", "/audit/report.pdf"):
        assert client.get(f"/cases/{room.id}{path}", params=params).status_code == 422


def test_the_api_filters_the_same_way(web_api, busy):  # noqa: ANN001
    room, offer, _doc = busy
    headers = room.users["auditor"].headers
    r = web_api.client.get("/api/v1/audit/events", headers=headers, params={
        "case_id": room.id, "action": "offer.make", "outcome": "ok", "limit": 200})
    assert r.status_code == 200 and [e["object_id"] for e in r.json()] == [offer["id"]]
    bad = web_api.client.get("/api/v1/audit/events", headers=headers, params={
        "case_id": room.id, "since": "9999-12-31T23:59:59-12:00"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")


def test_a_member_without_the_audit_right_gets_no_export(client, busy):  # noqa: ANN001
    room, _offer, _doc = busy
    sign_in_as(client, room.users["plaintiff_client"])
    assert client.get(f"/cases/{room.id}/audit/events.csv").status_code == 403
    assert client.get(f"/cases/{room.id}/audit/report.pdf").status_code == 403
