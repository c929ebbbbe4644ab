"""The in-browser viewer: a reader sees page images of a copy marked for them alone, the
view is recorded like a download, and an image of a viewed page traces back to that reader.
No PDF reaches the browser."""

from __future__ import annotations

import base64
import html
import re

from tests.api.documents.helpers import order_text, pdf_doc
from tests.web.helpers import sign_in_as


def _images(html: str) -> list[bytes]:
    return [base64.b64decode(b) for b in re.findall(r'src="data:image/png;base64,([^"]+)"', html)]


def test_viewing_a_pdf_shows_images_records_a_download_and_traces_to_the_reader(
        api, client):  # noqa: ANN001
    room = api.room()
    doc = api.document(room, pdf_doc(order_text()[:6000]))
    reader = room.users["defense_counsel"]
    sign_in_as(client, reader)
    listing = client.get(f"/cases/{room.id}/documents").text
    assert f'/documents/{doc["id"]}/view"' in listing
    page = client.get(f"/cases/{room.id}/documents/{doc['id']}/view")
    assert page.status_code == 200 and "%PDF" not in page.text
    images = _images(page.text)
    assert images and all(i.startswith(b"\x89PNG") for i in images)
    assert "traceable to you" in page.text
    rows = api.client.get(f"/api/v1/cases/{room.id}/documents/{doc['id']}/downloads",
                          headers=room.users["auditor"].headers).json()
    assert [r["user_id"] for r in rows] == [reader.id]
    traced = api.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                             files=[("file", ("page.png", images[0], "image/png"))])
    assert traced.status_code == 200, traced.text
    result = traced.json()
    assert result["verdict"] == "identified", result
    assert [m["user_id"] for m in result["matches"]] == [reader.id]


def test_a_text_document_is_shown_as_its_marked_text(api, client):  # noqa: ANN001
    room = api.room()
    doc = api.document(room, order_text()[:3000].encode())
    sign_in_as(client, room.users["plaintiff_client"])
    page = client.get(f"/cases/{room.id}/documents/{doc['id']}/view")
    assert page.status_code == 200 and 'class="viewer-text"' in page.text
    shown = html.unescape(page.text.split('class="viewer-text">')[1].split("</pre>")[0])
    # The reader's marked copy: the letter's words, carrying this reader's marks.
    traced = api.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                             json={"text": shown}).json()
    assert [m["user_id"] for m in traced["matches"]] == [room.users["plaintiff_client"].id]


def test_a_reader_who_may_not_see_it_gets_no_view(api, client):  # noqa: ANN001
    room = api.room()
    doc = api.document(room, b"For the plaintiff's side only.\n",
                       audience=room.parties["plaintiff"])
    sign_in_as(client, room.users["defense_counsel"])
    assert client.get(f"/cases/{room.id}/documents/{doc['id']}/view").status_code == 404
    rows = api.client.get(f"/api/v1/cases/{room.id}/documents/{doc['id']}/downloads",
                          headers=room.users["auditor"].headers).json()
    assert rows == []
