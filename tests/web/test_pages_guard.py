"""Upload and trace pages check CSRF and membership before reading their body, as the API
routers do: a non-member or a forged form gets its refusal and leaves nothing on disk.

"Before the body is read" is observed directly: the request body is an async generator
served through httpx's ASGI transport, which pulls it only when the application reads.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests import aio
from tests.web.helpers import page_csrf, sign_in_as

BOUNDARY = "settleroom-test-boundary"
PAGES = ["documents", "documents/{doc}/versions", "traces"]


def _multipart(fields: dict[str, str], content: bytes = b"Leaked settlement letter.\n") -> bytes:
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
             .encode() for k, v in fields.items()]
    parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="letter.txt"\r\nContent-Type: text/plain\r\n\r\n'.encode()
                 + content + b"\r\n")
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _post_streamed(app, client, path: str, body: bytes,  # noqa: ANN001
                   headers: dict[str, str] | None = None) -> tuple[httpx.Response, bool]:
    """POST ``body`` through the ASGI app; also answer whether the app pulled any of it."""
    pulled = False

    async def stream() -> AsyncIterator[bytes]:
        nonlocal pulled
        pulled = True
        yield body

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver",
                                     cookies=dict(client.cookies)) as ac:
            return await ac.post(path, content=stream(), headers={
                "content-type": f"multipart/form-data; boundary={BOUNDARY}", **(headers or {})})

    return aio.run(go()), pulled


def _files(folder: Path) -> set[Path]:
    return set(folder.rglob("*")) if folder.exists() else set()


@pytest.fixture
def data_dir(web_app) -> Path:  # noqa: ANN001
    return Path(web_app.state.settings.data_dir)


@pytest.mark.parametrize("case", ["room", "unknown"])
def test_a_non_member_upload_is_404_and_creates_no_folder(client, room, data_dir, case):
    target = room.id if case == "room" else str(uuid.uuid4())
    sign_in_as(client, room.users["outsider"])
    token = page_csrf(client)  # the outsider's own, valid token
    before = _files(data_dir)
    r = client.post(f"/cases/{target}/documents", params={"csrf_token": token},
                    data={"designation": "CONFIDENTIAL", "audience_mode": "all"},
                    files={"file": ("letter.txt", b"Not for this room.\n", "text/plain")})
    assert r.status_code == 404 and "visible only to its members" in r.text
    assert not (data_dir / "blobs" / target).exists()
    assert _files(data_dir) == before


def test_a_non_member_trace_is_404_and_writes_nothing(client, room, data_dir):
    sign_in_as(client, room.users["outsider"])
    token = page_csrf(client)
    before = _files(data_dir)
    r = client.post(f"/cases/{room.id}/traces", params={"csrf_token": token},
                    files={"file": ("found.txt", b"Suspect text.\n", "text/plain")})
    assert r.status_code == 404
    assert _files(data_dir) == before


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("token", ["missing", "wrong", "in_body_only"])
def test_a_forged_form_is_refused_before_the_body_is_read(web_app, client, room, data_dir,
                                                          page, token):
    counsel = "plaintiff_counsel" if page != "traces" else "auditor"
    sign_in_as(client, room.users[counsel])
    good = page_csrf(client)
    path = f"/cases/{room.id}/" + page.format(doc=uuid.uuid4())
    query = {"wrong": "?csrf_token=" + "0" * 64}.get(token, "")
    fields = {"csrf_token": good} if token == "in_body_only" else {}
    before = _files(data_dir)
    r, pulled = _post_streamed(web_app, client, path + query, _multipart(fields))
    assert r.status_code == 403 and "security token" in r.text
    assert not pulled, "the body was read before the CSRF check"
    assert _files(data_dir) == before


@pytest.mark.parametrize("page", PAGES)
def test_a_non_member_is_refused_before_the_body_is_read(web_app, client, room, data_dir,
                                                         page):
    sign_in_as(client, room.users["outsider"])
    path = f"/cases/{room.id}/" + page.format(doc=uuid.uuid4())
    r, pulled = _post_streamed(web_app, client, path, _multipart({}),
                               headers={"X-CSRF-Token": page_csrf(client)})
    assert r.status_code == 404
    assert not pulled, "the body was read before the membership check"
    assert not (data_dir / "blobs" / room.id).exists()


def test_a_member_without_the_right_is_refused_before_the_body_is_read(web_app, client, room):
    sign_in_as(client, room.users["auditor"])  # may trace, may not upload
    r, pulled = _post_streamed(web_app, client, f"/cases/{room.id}/documents",
                               _multipart({}), headers={"X-CSRF-Token": page_csrf(client)})
    assert r.status_code == 403 and not pulled


def test_a_form_page_refuses_a_multipart_body_unread(web_app, client, room):
    """Pages with form fields would have the framework parse (and spool) a multipart body
    before their guard; they refuse it instead."""
    sign_in_as(client, room.users["plaintiff_counsel"])
    r, pulled = _post_streamed(web_app, client, f"/cases/{room.id}/offers",
                               _multipart({"csrf_token": page_csrf(client)}))
    assert r.status_code == 415 and not pulled


def test_the_upload_form_posts_its_token_in_the_action_url(api, client, data_dir):
    fresh = api.room()
    sign_in_as(client, fresh.users["plaintiff_counsel"])
    page = client.get(f"/cases/{fresh.id}/documents").text
    action = re.search(r'<form method="post" action="([^"]+)" enctype="multipart/form-data"',
                       page)
    assert action and "?csrf_token=" in action.group(1)
    r = client.post(action.group(1).replace("&amp;", "&"),
                    data={"designation": "CONFIDENTIAL", "audience_mode": "all",
                          "party_id": fresh.parties["plaintiff"]},
                    files={"file": ("order.txt", b"Scheduling order.\n", "text/plain")})
    assert r.status_code == 200 and "Document uploaded" in r.text
    assert (data_dir / "blobs" / fresh.id).is_dir()


def test_the_trace_form_posts_its_token_in_the_action_url(client, room):
    sign_in_as(client, room.users["auditor"])
    page = client.get(f"/cases/{room.id}/traces").text
    action = re.search(r'action="([^"]+/traces\?csrf_token=[0-9a-f]+)"', page)
    assert action
    r = client.post(action.group(1), files={"file": ("found.txt", b"Nothing here.\n",
                                                     "text/plain")})
    assert r.status_code == 200 and "Result:" in r.text


def test_a_traced_copy_shows_the_words_and_links_the_evidence_report(client, room, web_api):
    """The page names the document and the recipient in words and offers the report PDF,
    which the same signed-in tracer downloads."""
    doc = web_api.document(room, b"Letter of the plaintiff, marked for each reader.\n" * 40)
    leaked = web_api.download(room, doc["id"], "defense_counsel").content
    sign_in_as(client, room.users["plaintiff_counsel"])
    page = client.get(f"/cases/{room.id}/traces").text
    action = re.search(r'action="([^"]+/traces\?csrf_token=[0-9a-f]+)"', page)
    assert action
    r = client.post(action.group(1), files={"file": ("found.txt", leaked, "text/plain")})
    assert r.status_code == 200 and "recipient identified" in r.text, r.text[-2000:]
    assert doc["filename"] in r.text and "coincidence" in r.text
    link = re.search(r'href="(/cases/[^"]+/traces/[^"]+/report\.pdf)"', r.text)
    assert link
    pdf = client.get(link.group(1))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
