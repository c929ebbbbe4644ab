"""Pages whose action ends its reads before long work (``between_transactions``): a copy of
a large PDF, downloaded or viewed (spool files: SETTLEROOM_PDF_SPOOL_ABOVE_BYTES is 0 here),
and a trace. They work also when the request first advances the browser session's idle
clock (the previous request is over a minute old): that write is committed first."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pikepdf
import pytest
from sqlalchemy import update

from app.db import transaction
from app.models.web import WebSession
from tests.api.documents.helpers import pdf_doc
from tests.api.documents.test_spooled_downloads import open_spool_files
from tests.web.helpers import sign_in_as


@pytest.fixture
def spooled(web_app, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setattr(web_app.state.services.settings, "pdf_spool_above_bytes", 0)
    return web_app.state.settings.data_dir


def _idle_for_a_while(app, user_id: str) -> None:  # noqa: ANN001
    """The browser's last request is minutes old: the next one advances its idle clock."""
    with transaction(app.state.sessionmaker) as session:
        session.execute(update(WebSession).where(WebSession.user_id == uuid.UUID(user_id))
                        .values(last_seen_at=app.state.services.now() - timedelta(minutes=5)))


def test_the_download_page_streams_a_spooled_copy(api, client, web_app, spooled, tmp_path):  # noqa: ANN001
    room = api.room()
    doc = api.document(room, pdf_doc(), filename="order.pdf")
    reader = room.users["defense_counsel"]
    sign_in_as(client, reader)
    _idle_for_a_while(web_app, reader.id)
    r = client.get(f"/cases/{room.id}/documents/{doc['id']}/download")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith("attachment")
    assert int(r.headers["content-length"]) == len(r.content)
    (tmp_path / "copy.pdf").write_bytes(r.content)
    with pikepdf.open(tmp_path / "copy.pdf") as copy:
        assert str(copy.docinfo["/SettleroomTag"]).isdigit()
    rows = api.client.get(f"/api/v1/cases/{room.id}/documents/{doc['id']}/downloads",
                          headers=room.users["auditor"].headers).json()
    assert [(d["id"], d["user_id"]) for d in rows] == [(r.headers["x-download-id"], reader.id)]
    assert open_spool_files(spooled) == []


def test_the_viewer_renders_a_spooled_copy(api, client, web_app, spooled):  # noqa: ANN001
    room = api.room()
    doc = api.document(room, pdf_doc(), filename="order.pdf")
    reader = room.users["pro_se"]
    sign_in_as(client, reader)
    _idle_for_a_while(web_app, reader.id)
    page = client.get(f"/cases/{room.id}/documents/{doc['id']}/view")
    assert page.status_code == 200, page.text
    assert 'src="data:image/png;base64,' in page.text and "%PDF" not in page.text
    rows = api.client.get(f"/api/v1/cases/{room.id}/documents/{doc['id']}/downloads",
                          headers=room.users["auditor"].headers).json()
    assert [d["user_id"] for d in rows] == [reader.id]
    assert open_spool_files(spooled) == []


def test_a_trace_submitted_after_a_minute_on_the_page_is_run(client, room, web_app):  # noqa: ANN001
    sign_in_as(client, room.users["auditor"])
    page = client.get(f"/cases/{room.id}/traces").text
    action = re.search(r'action="([^"]+/traces\?csrf_token=[0-9a-f]+)"', page)
    assert action
    _idle_for_a_while(web_app, room.users["auditor"].id)  # choosing the file took a while
    r = client.post(action.group(1), files={"file": ("found.txt", b"Nothing here.\n",
                                                     "text/plain")})
    assert r.status_code == 200 and "Result:" in r.text, r.text[-2000:]
