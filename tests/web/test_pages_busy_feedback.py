"""Every operation that can take seconds is marked for the page script's busy feedback
(``data-busy``: what it is doing, and no second submission): the Rule 68 filing package and
costs export, the settlement memorandum, "Download my copy", the production index and
"Number and produce", like uploads, traces and audit verification."""

from __future__ import annotations

import re

from tests.web.helpers import page_csrf, sign_in_as


def _busy_link(html: str, href_tail: str) -> str:
    """The data-busy text of the link whose address ends with ``href_tail``."""
    tag = re.search(r'<a [^>]*href="[^"]*' + re.escape(href_tail) + r'"[^>]*>', html)
    assert tag, f"no link to {href_tail}"
    busy = re.search(r'data-busy="([^"]+)"', tag.group(0))
    assert busy, f"the link to {href_tail} gives no busy feedback"
    return busy.group(1)


def test_papers_and_copies_say_they_are_being_prepared(api, client):  # noqa: ANN001
    room = api.room()
    offer = api.offer(room)
    r = api.client.post(f"/api/v1/cases/{room.id}/offers/{offer['id']}/accept",
                        headers=room.users["defense_counsel"].headers,
                        json={"terms_sha256": offer["terms_sha256"]})
    assert r.status_code == 200, r.text
    api.consent_all(room)
    open_r68, accepted_r68 = api.rule68_offer(room), api.rule68_offer(room)
    r = api.client.post(f"/api/v1/cases/{room.id}/rule68-offers/{accepted_r68['id']}/accept",
                        headers=room.users["plaintiff_counsel"].headers, json={})
    assert r.status_code == 200, r.text
    produced = api.document(room, b"A page to produce.\n", filename="produced.txt")
    api.document(room, b"Another document, not produced yet.\n", filename="later.txt")
    sign_in_as(client, room.users["plaintiff_counsel"])
    r = client.post(f"/cases/{room.id}/productions", data={
        "csrf_token": page_csrf(client), "prefix": "BUSY", "document_id": [produced["id"]]})
    assert r.status_code == 200, r.text

    offers = client.get(f"/cases/{room.id}/offers").text
    assert "memorandum" in _busy_link(offers, f"/offers/{offer['id']}/memorandum")
    rule68 = client.get(f"/cases/{room.id}/rule68").text
    assert "costs export" in _busy_link(rule68, f"/rule68/{open_r68['id']}/export")
    package = re.search(r'<form method="get" action="[^"]*/rule68/' + accepted_r68["id"]
                        + r'/filing-package"[^>]*>', rule68)
    assert package and 'data-busy="Preparing the filing package' in package.group(0)
    docs = client.get(f"/cases/{room.id}/documents").text
    assert "copy" in _busy_link(docs, f"/documents/{produced['id']}/download")
    assert "index" in _busy_link(docs, "/index.pdf") and "index" in _busy_link(docs, "/index.csv")
    produce = re.search(r'<form [^>]*action="/cases/[^"]+/productions"[^>]*>', docs)
    assert produce and re.search(r'data-busy="Numbering[^"]+"', produce.group(0))
