"""Exhibits attached to a Rule 68 filing package (``?attach=<document_id>``): each is the
caller's own watermarked copy, made and recorded by the download path (so every refusal
of a download refuses the attachment, and a leak of the filed exhibit traces back to the
caller); a designated exhibit puts the sealing warning on every page of the package and
is listed in its filing check with its designation, designating party and sealing rule."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.api.documents.helpers import pdf_doc, text_doc
from tests.api.protective_orders.conftest import acknowledge, base, enter

WARNING = "WARNING - CONTAINS MATERIAL DESIGNATED IN THE ROOM"
MAKER = "defense_counsel"


def _pages(content: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def room(api):  # noqa: ANN001, ANN201
    return api.room()


@pytest.fixture
def offer(api, room) -> dict:  # noqa: ANN001
    api.consent_all(room)
    offer = api.rule68_offer(room)
    r = api.client.post(f"{base(room)}/rule68-offers/{offer['id']}/accept",
                        headers=room.users["plaintiff_counsel"].headers)
    assert r.status_code == 200, r.text
    return offer


def _package(api, room, offer: dict, *doc_ids: str, who: str = MAKER):  # noqa: ANN001, ANN202
    query = "&".join(f"attach={d}" for d in doc_ids)
    return api.client.get(f"{base(room)}/rule68-offers/{offer['id']}/filing-package?{query}",
                          headers=room.users[who].headers)


def test_a_designated_exhibit_warns_on_every_page_and_is_listed(api, room, offer):
    doc = api.document(room, pdf_doc(), filename="declaration.pdf")
    r = _package(api, room, offer, doc["id"])
    assert r.status_code == 200, r.text
    pages = _pages(r.content)
    exhibit_pages = len(PdfReader(io.BytesIO(pdf_doc())).pages)
    plain = _pages(_package(api, room, offer).content)
    assert len(pages) == len(plain) + 1 + exhibit_pages  # the paper, a slip page, the exhibit
    assert all(WARNING in page for page in pages)
    assert all("N.D. Cal. Civ. L.R. 79-5" in page for page in pages[:len(plain) + 1])
    text = " ".join(pages)
    assert "Filing check - sealing warning" in text
    assert (f"Exhibit A (document {doc['id']}) is material designated CONFIDENTIAL by "
            "Jane Doe") in text
    assert pages[len(plain)].startswith(WARNING) and "Exhibit A" in pages[len(plain)]
    # The package without exhibits stays clean: the warning comes from the exhibit.
    assert not any(WARNING in page for page in plain)


def test_the_attached_copy_is_the_callers_recorded_download_and_traces_to_the_caller(
        api, room, offer):
    doc = api.document(room, pdf_doc(), filename="declaration.pdf")
    r = _package(api, room, offer, doc["id"])
    assert r.status_code == 200, r.text
    downloads = api.client.get(f"{base(room)}/documents/{doc['id']}/downloads",
                               headers=room.users["auditor"].headers).json()
    assert [d["user_id"] for d in downloads] == [room.users[MAKER].id]
    download_id = downloads[0]["id"]
    assert f"the copy of download {download_id}" in " ".join(_pages(r.content))
    got = api.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                          files=[("file", ("filed.pdf", r.content, "application/pdf"))])
    assert got.status_code == 200, got.text
    matches = got.json()["matches"]
    assert [(m["download_id"], m["user_id"]) for m in matches] == [
        (download_id, room.users[MAKER].id)]


def test_the_package_and_its_copies_are_audited_with_ids_only(api, app, room, offer):
    doc = api.document(room, pdf_doc(), filename="zebra-declaration.pdf")
    assert _package(api, room, offer, doc["id"]).status_code == 200
    events = api.client.get(f"/api/v1/audit/events?case_id={room.id}&limit=200",
                            headers=room.users["auditor"].headers).json()
    package = [e for e in events if e["action"] == "rule68.filing_package"][-1]
    download = [e for e in events if e["action"] == "document.download"][-1]
    assert package["details"]["document_ids"] == [doc["id"]]
    assert package["details"]["download_ids"] == [download["details"]["download_id"]]
    assert "zebra" not in str(events)


def test_refusals_of_an_attachment_carry_the_download_codes(api, room, offer):
    text = api.document(room, text_doc(), filename="notes.txt")
    r = _package(api, room, offer, text["id"])
    assert r.status_code == 422 and r.json()["code"] == "attachment_not_pdf"
    hidden = api.document(room, pdf_doc(), audience=room.parties["plaintiff"])
    r = _package(api, room, offer, hidden["id"])
    assert r.status_code == 404 and r.json()["code"] == "document_not_found"
    pdf = api.document(room, pdf_doc())
    r = _package(api, room, offer, pdf["id"], pdf["id"])
    assert r.status_code == 422 and r.json()["code"] == "duplicate_attachment"
    r = api.client.get(f"{base(room)}/rule68-offers/{offer['id']}/filing-package?attach=x",
                       headers=room.users[MAKER].headers)
    assert r.status_code == 422 and r.headers["content-type"].startswith(
        "application/problem+json")
    r = api.client.delete(f"{base(room)}/documents/{pdf['id']}",
                          headers=room.users["plaintiff_counsel"].headers)
    assert r.status_code == 204, r.text
    r = _package(api, room, offer, pdf["id"])
    assert r.status_code == 404 and r.json()["code"] == "document_not_found"



def test_an_unsigned_exhibit_a_and_a_clawback_refuse_the_attachment(api, room, offer):
    enter(api, room)
    doc = api.document(room, pdf_doc())
    r = _package(api, room, offer, doc["id"])
    assert r.status_code == 409 and r.json()["code"] == "acknowledgment_required"
    acknowledge(api, room, MAKER)
    assert _package(api, room, offer, doc["id"]).status_code == 200
    r = api.client.post(f"{base(room)}/documents/{doc['id']}/clawback",
                        headers=room.users["plaintiff_counsel"].headers,
                        json={"basis": "privileged e-mail produced by mistake"})
    assert r.status_code == 201, r.text
    r = _package(api, room, offer, doc["id"])
    assert r.status_code == 409 and r.json()["code"] == "clawed_back"


def test_a_package_refused_for_its_offer_makes_no_copy(api, room):
    api.consent_all(room)
    offer = api.rule68_offer(room)
    doc = api.document(room, pdf_doc())
    r = _package(api, room, offer, doc["id"])
    assert r.status_code == 409 and r.json()["code"] == "offer_not_accepted"
    downloads = api.client.get(f"{base(room)}/documents/{doc['id']}/downloads",
                               headers=room.users["auditor"].headers).json()
    assert downloads == []
