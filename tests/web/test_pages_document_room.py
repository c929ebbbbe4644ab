"""The documents page as a document room: folders (created, renamed, documents filed and
listed under them), deletion before any copy, and productions with their index links.
Each form is labelled, the groups have headings, and the other side sees only what the
API would show it."""

from __future__ import annotations

import re

from tests.web.helpers import page_csrf, sign_in_as


def _docs(client, room) -> str:  # noqa: ANN001
    page = client.get(f"/cases/{room.id}/documents")
    assert page.status_code == 200
    return page.text


def test_folders_on_the_page(api, client, room):  # noqa: ANN001
    doc = api.document(room, b"An exhibit for the folder test.\n", filename="exhibit-f.txt")
    sign_in_as(client, room.users["plaintiff_counsel"])
    html = _docs(client, room)
    assert 'for="folder-path">New folder' in html and '<h2 id="folders-h">Folders</h2>' in html
    r = client.post(f"/cases/{room.id}/folders",
                    data={"csrf_token": page_csrf(client), "path": "Page test/Exhibits"})
    assert r.status_code == 200 and "Folder created." in r.text
    folder_id = re.search(r'/folders/([0-9a-f-]{36})"', r.text).group(1)
    assert f'for="move-{doc["id"]}">Folder of exhibit-f.txt' in r.text
    r = client.post(f"/cases/{room.id}/documents/{doc['id']}/folder",
                    data={"csrf_token": page_csrf(client), "folder_id": folder_id})
    assert r.status_code == 200 and "Document filed." in r.text
    assert '<th colspan="6" scope="rowgroup">Folder: Page test/Exhibits</th>' in r.text
    r = client.post(f"/cases/{room.id}/folders/{folder_id}",
                    data={"csrf_token": page_csrf(client), "path": "Page test/Trial exhibits"})
    assert r.status_code == 200 and "Folder: Page test/Trial exhibits" in r.text
    r = client.post(f"/cases/{room.id}/folders",
                    data={"csrf_token": page_csrf(client), "path": "Page test/Empty"})
    assert r.status_code == 200
    # The other side sees the folder of a document it sees, never the empty one, and no
    # folder form of the plaintiff's.
    sign_in_as(client, room.users["defense_client"])
    html = _docs(client, room)
    assert "Folder: Page test/Trial exhibits" in html
    assert "Page test/Empty" not in html and f"move-{doc['id']}" not in html


def test_delete_on_the_page_until_a_copy_exists(api, client, room):  # noqa: ANN001
    gone = api.document(room, b"A draft uploaded by mistake.\n", filename="mistake.txt")
    kept = api.document(room, b"A document someone read.\n", filename="read-one.txt")
    assert api.download(room, kept["id"], "defense_counsel").status_code == 200
    sign_in_as(client, room.users["plaintiff_counsel"])
    html = _docs(client, room)
    assert 'aria-label="Delete mistake.txt"' in html
    r = client.post(f"/cases/{room.id}/documents/{gone['id']}/delete",
                    data={"csrf_token": page_csrf(client)})
    assert r.status_code == 200 and "Document deleted" in r.text and "mistake.txt" not in r.text
    r = client.post(f"/cases/{room.id}/documents/{kept['id']}/delete",
                    data={"csrf_token": page_csrf(client)})
    assert r.status_code == 409 and "downloaded or viewed" in r.text
    sign_in_as(client, room.users["defense_counsel"])
    assert 'aria-label="Delete read-one.txt"' not in _docs(client, room)


def test_produce_on_the_page_and_read_the_index(api, client, room):  # noqa: ANN001
    doc = api.document(room, b"A document to produce from the page.\n",
                       filename="to-produce.txt")
    sign_in_as(client, room.users["plaintiff_counsel"])
    html = _docs(client, room)
    assert '<h2 id="productions-h">Productions</h2>' in html
    assert f'for="prod-{doc["id"]}">to-produce.txt' in html and 'for="prod-prefix"' in html
    r = client.post(f"/cases/{room.id}/productions", data={
        "csrf_token": page_csrf(client), "prefix": "PAGE", "document_id": [doc["id"]]})
    assert r.status_code == 200 and "Production numbered" in r.text
    assert re.search(r"Bates PAGE\d{6}", r.text)
    link = re.search(r'href="(/cases/[^"]+/index\.pdf)"', r.text).group(1)
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    sign_in_as(client, room.users["defense_client"])
    csv_text = client.get(link.replace(".pdf", ".csv")).text
    assert "to-produce.txt" in csv_text and "PAGE" in csv_text
    r = client.post(f"/cases/{room.id}/productions", data={
        "csrf_token": page_csrf(client), "prefix": "PAGE", "document_id": [doc["id"]]})
    assert r.status_code == 403
