"""The room's own papers state the filing check of their text: a Rule 68 filing package, a
costs export or a memorandum that quotes designated material carries the sealing warning
on every page and names the designation, the designating party and the district's rule."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.papers import assert_within_margins

PROTECTED = (
    "Declarant states that the proprietary pricing model assigns a weight of seventeen "
    "percent to regional freight volatility and recalibrates every quarter using the "
    "vendor rebates negotiated with the three largest carriers in the western region.")
WARNING = "WARNING - CONTAINS MATERIAL DESIGNATED IN THE ROOM"


def _pages(content: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def room(api):
    room = api.room()
    api.consent_all(room)
    declaration = ("DECLARATION OF A. WITNESS\n" + PROTECTED + "\n"
                   "I declare under penalty of perjury that the foregoing is true.\n").encode()
    api.document(room, declaration, filename="witness-declaration.txt")
    return room


def _accepted_rule68(api, room, terms: str) -> dict:  # noqa: ANN001
    offer = api.rule68_offer(room, terms=terms)
    r = api.client.post(f"/api/v1/cases/{room.id}/rule68-offers/{offer['id']}/accept",
                        headers=room.users["plaintiff_counsel"].headers)
    assert r.status_code == 200, r.text
    return offer


def test_a_clean_filing_package_says_it_was_checked(api, room):
    offer = _accepted_rule68(api, room, "Judgment against Acme for the sum stated")
    r = api.client.get(f"/api/v1/cases/{room.id}/rule68-offers/{offer['id']}/filing-package",
                       headers=room.users["defense_counsel"].headers)
    assert r.status_code == 200
    text = " ".join(_pages(r.content))
    assert "Filing check" in text and "no protected material was found" in text
    assert WARNING not in text


def test_a_filing_package_quoting_a_designated_declaration_warns_on_every_page(api, room):
    offer = _accepted_rule68(api, room, "Judgment for the sum stated. " + PROTECTED)
    r = api.client.get(f"/api/v1/cases/{room.id}/rule68-offers/{offer['id']}/filing-package",
                       headers=room.users["defense_counsel"].headers)
    assert r.status_code == 200
    pages = _pages(r.content)
    assert all(WARNING in page and "N.D. Cal. Civ. L.R. 79-5" in page for page in pages)
    text = " ".join(pages)
    assert "Filing check - sealing warning" in text
    assert "designated CONFIDENTIAL by Jane Doe" in text
    assert_within_margins(r.content)
    # The costs-only export of the same offer is checked too.
    r = api.client.get(f"/api/v1/cases/{room.id}/rule68-offers/{offer['id']}/export",
                       headers=room.users["plaintiff_counsel"].headers)
    assert all(WARNING in page for page in _pages(r.content))


def test_a_memorandum_is_not_flagged_for_its_own_terms_but_for_a_quoted_declaration(api, room):
    def memorandum(terms: str, to_party: str, by: str) -> str:
        # one pair settles once: each memorandum is of another pair's acceptance
        offer = api.offer(room, terms=terms, to_party=to_party)
        r = api.client.post(f"/api/v1/cases/{room.id}/offers/{offer['id']}/accept",
                            headers=room.users[by].headers,
                            json={"terms_sha256": offer["terms_sha256"]})
        assert r.status_code == 200, r.text
        r = api.client.get(f"/api/v1/cases/{room.id}/offers/{offer['id']}/memorandum",
                           headers=room.users["plaintiff_counsel"].headers)
        assert r.status_code == 200
        return " ".join(_pages(r.content))

    own = ("Mutual release of every claim in the action; dismissal with prejudice within "
           "ten days; each side bears its own fees and costs; no admission of liability.")
    text = memorandum(own, "defendant", "defense_counsel")
    assert "no protected material was found" in text and WARNING not in text
    text = memorandum("Release and payment. " + PROTECTED, "defendant2", "pro_se")
    assert WARNING in text and "designated CONFIDENTIAL by Jane Doe" in text


def test_the_paper_check_is_audited_without_content(api, room):
    offer = _accepted_rule68(api, room, "Judgment for the sum stated. " + PROTECTED)
    api.client.get(f"/api/v1/cases/{room.id}/rule68-offers/{offer['id']}/filing-package",
                   headers=room.users["defense_counsel"].headers)
    events = api.client.get(f"/api/v1/audit/events?case_id={room.id}&limit=200",
                            headers=room.users["auditor"].headers).json()
    checks = [e for e in events if e["action"] == "filing.check"]
    assert checks and checks[-1]["details"]["kind"] == "paper"
    assert checks[-1]["details"]["verdict"] == "protected_material_found"
    assert "freight" not in str(events) and "witness-declaration" not in str(events)
