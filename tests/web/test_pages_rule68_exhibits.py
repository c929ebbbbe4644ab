"""The Rule 68 page offers the case's PDF documents as exhibits of the filing package (a
checkbox each); the package made from the form carries the exhibit and, the exhibit being
designated, the sealing warning on every page."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests.api.documents.helpers import pdf_doc, text_doc
from tests.web.helpers import sign_in_as

WARNING = "WARNING - CONTAINS MATERIAL DESIGNATED IN THE ROOM"


def test_the_filing_package_form_attaches_a_checked_pdf(web_api, client, room):
    offer = web_api.rule68_offer(room)
    r = web_api.client.post(f"/api/v1/cases/{room.id}/rule68-offers/{offer['id']}/accept",
                            headers=room.users["plaintiff_counsel"].headers)
    assert r.status_code == 200, r.text
    pdf = web_api.document(room, pdf_doc(), filename="exhibit-declaration.pdf")
    text = web_api.document(room, text_doc(), filename="plain-notes.txt")
    sign_in_as(client, room.users["defense_counsel"])
    page = client.get(f"/cases/{room.id}/rule68").text
    action = f'action="/cases/{room.id}/rule68/{offer["id"]}/filing-package"'
    assert action in page
    form = page[page.index(action):]
    form = form[:form.index("</form>")]
    assert re.search(rf'type="checkbox" name="attach" value="{pdf["id"]}"', form)
    assert "exhibit-declaration.pdf" in form
    assert text["id"] not in form  # only PDFs can be attached
    r = client.get(f"/cases/{room.id}/rule68/{offer['id']}/filing-package",
                   params={"attach": pdf["id"]})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(r.content)).pages]
    assert all(WARNING in p for p in pages)
    assert any(f"Exhibit A (document {pdf['id']})" in p for p in pages)
    r = client.get(f"/cases/{room.id}/rule68/{offer['id']}/filing-package",
                   params={"attach": text["id"]})
    assert r.status_code == 422
