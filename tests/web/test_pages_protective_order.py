"""The protective order page: the room admin records the order, a reader is stopped before
a designated document until signing Exhibit A on the page, challenges show their deadlines,
a clawback stops downloads and the recipient certifies; roles without a right get no form
and the server refuses them."""

from __future__ import annotations

import re

from tests.web.helpers import page_csrf, sign_in_as

ORDER = "STIPULATED PROTECTIVE ORDER entered in Doe v. Acme Corp.\n"


def _page(client, room) -> str:  # noqa: ANN001
    r = client.get(f"/cases/{room.id}/protective-order")
    assert r.status_code == 200, r.text
    return r.text


def _post(client, room, suffix: str, data: dict):  # noqa: ANN001, ANN202
    token = page_csrf(client, f"/cases/{room.id}/protective-order")
    return client.post(f"/cases/{room.id}/protective-order{suffix}",
                       data={"csrf_token": token, **data})


def test_order_exhibit_a_challenge_and_clawback_through_the_pages(api, client, room):
    doc = api.document(room, b"Plaintiff's pricing memorandum.\n")
    sign_in_as(client, room.admin)
    page = _page(client, room)
    assert "No protective order is recorded" in page and "Record the order" in page
    r = _post(client, room, "", {
        "text": ORDER, "entered_on": "2026-10-15",
        "confidential_name": "CONFIDENTIAL",
        "confidential_audience": ["outside_counsel", "parties"],
        "aeo_name": "HIGHLY CONFIDENTIAL - ATTORNEYS' EYES ONLY",
        "aeo_audience": ["outside_counsel", "parties"]})
    assert r.status_code == 200 and "Protective order recorded" in r.text
    assert "HIGHLY CONFIDENTIAL - ATTORNEYS&#39; EYES ONLY" in r.text
    # The AEO tier lists the parties; the room still shows counsel alone.
    row = re.search(r"ATTORNEYS&#39; EYES ONLY</th>.*?</tr>", r.text, re.S).group(0)
    assert row.endswith("<td>counsel</td></tr>")
    assert "never sees attorneys'-eyes-only material of another party" in r.text

    sign_in_as(client, room.users["defense_counsel"])
    r = client.get(f"/cases/{room.id}/documents/{doc['id']}/download")
    assert r.status_code == 409 and "Exhibit A" in r.text
    page = _page(client, room)
    assert 'name="typed_name"' in page
    sha = re.search(r'name="order_sha256" value="([0-9a-f]{64})"', page).group(1)
    r = _post(client, room, "/acknowledgments", {"typed_name": "Dana Defense",
                                                 "order_sha256": sha})
    assert r.status_code == 200 and "Exhibit A signed" in r.text and "Dana Defense" in r.text
    assert client.get(f"/cases/{room.id}/documents/{doc['id']}/download").status_code == 200
    pdf = re.search(r'href="(/cases/[^"]+\.pdf)"', r.text).group(1)
    got = client.get(pdf)
    assert got.status_code == 200 and got.content.startswith(b"%PDF")

    r = _post(client, room, "/challenges", {"document_id": doc["id"],
                                            "reason": "Public in the annual report."})
    assert r.status_code == 200 and "Notice of the challenge given" in r.text
    assert "Public in the annual report." in r.text

    sign_in_as(client, room.users["plaintiff_counsel"])
    page = _page(client, room)
    assert "Public in the annual report." in page
    r = _post(client, room, "/clawbacks", {"document_id": doc["id"],
                                           "basis": "Attorney-client privilege."})
    assert r.status_code == 200 and "Document clawed back" in r.text

    sign_in_as(client, room.users["defense_counsel"])
    r = client.get(f"/cases/{room.id}/documents/{doc['id']}/download")
    assert r.status_code == 409 and "26(b)(5)(B)" in r.text
    page = _page(client, room)
    assert "/clawbacks/" in page and "I certify that every copy I held is" in page
    r = _post(client, room, f"/clawbacks/{doc['id']}/certify", {"action": "destroyed"})
    assert r.status_code == 200 and "Certification recorded" in r.text
    assert "destroyed on" in r.text and "I certify that every copy" not in r.text


def test_a_client_gets_no_form_and_is_refused(api, client, room):
    sign_in_as(client, room.users["plaintiff_client"])
    page = _page(client, room)
    assert "Record the order" not in page and "Give notice of the challenge" not in page
    assert "Claw back: stop every download now" not in page
    r = _post(client, room, "", {"text": ORDER, "entered_on": "2026-10-15",
                                 "confidential_name": "CONFIDENTIAL",
                                 "confidential_audience": ["outside_counsel"]})
    assert r.status_code == 403
    doc = api.document(room, b"Another exhibit.\n")
    r = _post(client, room, "/clawbacks", {"document_id": doc["id"], "basis": "Privilege."})
    assert r.status_code == 403
