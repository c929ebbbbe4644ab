"""The document room: folders (sealed paths, scoped like the documents in them), deletion
before any copy exists, and numbered productions with Bates numbers and their index."""

from __future__ import annotations

import csv
import io
import json

import pikepdf
import pypdfium2 as pdfium
import pytest

from tests.api.documents.helpers import pdf_doc, png_doc, text_doc
from tests.api.offers.conftest import audit_events
from tests.papers import assert_court_ready
from tests.web.helpers import sign_in_as

SECRET_PATH = "Privileged/Smoking gun drafts"


def _url(room, tail: str = "") -> str:  # noqa: ANN001
    return f"/api/v1/cases/{room.id}{tail}"


def _get(api, room, who: str, tail: str):  # noqa: ANN001, ANN202
    return api.client.get(_url(room, tail), headers=room.users[who].headers)


def _send(api, room, who: str, method: str, tail: str, body=None):  # noqa: ANN001, ANN202
    return api.client.request(method, _url(room, tail), headers=room.users[who].headers,
                              json=body)


def _folder(api, room, path: str, who: str = "plaintiff_counsel") -> dict:  # noqa: ANN001
    r = _send(api, room, who, "POST", "/folders", {"path": path})
    assert r.status_code == 201, r.text
    return r.json()


def _details_text(app, room) -> str:  # noqa: ANN001
    return json.dumps([[e.action, e.object_id, e.details] for e in audit_events(app, room.id)])


# --------------------------------------------------------------------------- folders
def test_folders_group_documents_and_never_reveal_what_a_member_may_not_see(api, app):
    room = api.room()
    shared = api.document(room, text_doc("SHARED-1"))
    aeo = api.document(room, text_doc("AEO-1"), designation="AEO")
    open_folder = _folder(api, room, " Discovery /  First requests ")
    assert open_folder["path"] == "Discovery/First requests"
    secret = _folder(api, room, SECRET_PATH)
    for doc, folder in ((shared, open_folder), (aeo, secret)):
        r = _send(api, room, "plaintiff_counsel", "PATCH", f"/documents/{doc['id']}",
                  {"folder_id": folder["id"]})
        assert r.status_code == 200, r.text
        assert r.json()["folder"] == folder["path"]
    listed = {d["id"]: d for d in _get(api, room, "defense_client", "/documents").json()}
    assert listed[shared["id"]]["folder"] == "Discovery/First requests"
    assert aeo["id"] not in listed
    # The defendant's client sees the folder holding a document it sees, never the other.
    paths = [f["path"] for f in _get(api, room, "defense_client", "/folders").json()]
    assert paths == ["Discovery/First requests"]
    counsel = {f["path"]: f["document_count"]
               for f in _get(api, room, "defense_counsel", "/folders").json()}
    assert counsel == {"Discovery/First requests": 1, SECRET_PATH: 1}
    mine = {f["path"]: f["document_count"]
            for f in _get(api, room, "plaintiff_client", "/folders").json()}
    assert mine == {"Discovery/First requests": 1, SECRET_PATH: 0}  # the AEO stays hidden
    # An empty folder is the party's own business.
    _folder(api, room, "Empty for now")
    assert "Empty for now" not in [f["path"] for f in
                                   _get(api, room, "defense_counsel", "/folders").json()]
    assert SECRET_PATH not in _details_text(app, room)
    assert "Smoking" not in _details_text(app, room)


def test_rename_and_refusals(api, app):
    room = api.room()
    folder = _folder(api, room, "Drafts")
    other = _folder(api, room, "Final")
    r = _send(api, room, "plaintiff_counsel", "PATCH", f"/folders/{folder['id']}",
              {"path": "Expert reports"})
    assert r.status_code == 200 and r.json()["path"] == "Expert reports"
    r = _send(api, room, "plaintiff_counsel", "PATCH", f"/folders/{folder['id']}",
              {"path": "final"})
    assert r.status_code == 409 and r.json()["code"] == "folder_exists"
    r = _send(api, room, "plaintiff_counsel", "POST", "/folders", {"path": "FINAL"})
    assert r.status_code == 409 and r.json()["code"] == "folder_exists"
    for bad in ("a//b", "/", "x\x00y", "/".join("abcdefghi")):
        r = _send(api, room, "plaintiff_counsel", "POST", "/folders", {"path": bad})
        assert r.status_code == 422 and r.json()["code"] == "invalid_folder_path", bad
    # The other side cannot see, rename or file into the plaintiff's folders.
    r = _send(api, room, "defense_counsel", "PATCH", f"/folders/{other['id']}",
              {"path": "Mine now"})
    assert r.status_code == 404 and r.json()["code"] == "folder_not_found"
    theirs = api.document(room, text_doc("DEF-1"), by="defense_counsel")
    r = _send(api, room, "defense_counsel", "PATCH", f"/documents/{theirs['id']}",
              {"folder_id": other["id"]})
    assert r.status_code == 404 and r.json()["code"] == "folder_not_found"
    r = _send(api, room, "plaintiff_counsel", "PATCH", f"/documents/{theirs['id']}",
              {"folder_id": other["id"]})
    assert r.status_code == 403 and r.json()["code"] == "not_the_folder_party"
    r = _send(api, room, "plaintiff_client", "POST", "/folders", {"path": "Client"})
    assert r.status_code == 403
    r = _send(api, room, "outsider", "GET", "/folders")
    assert r.status_code == 404
    assert "Expert reports" not in _details_text(app, room)


# --------------------------------------------------------------------------- delete
def test_uploader_deletes_before_any_copy_leaving_a_tombstone(api, app):
    room = api.room()
    doc = api.document(room, text_doc("DEL-1"), filename="settlement-draft.txt")
    r = _send(api, room, "defense_counsel", "DELETE", f"/documents/{doc['id']}")
    assert r.status_code == 403 and r.json()["code"] == "not_the_uploading_party"
    assert _get(api, room, "plaintiff_counsel", f"/documents/{doc['id']}").status_code == 200
    blobs_before = list((app.state.settings.data_dir / "blobs" / room.id).rglob("*"))
    assert any(p.name == doc["version_id"] for p in blobs_before)
    r = _send(api, room, "plaintiff_counsel", "DELETE", f"/documents/{doc['id']}")
    assert r.status_code == 204, r.text
    r = _get(api, room, "plaintiff_counsel", f"/documents/{doc['id']}")
    assert r.status_code == 404 and r.json()["code"] == "document_not_found"
    assert not any(p.name == doc["version_id"] for p in
                   (app.state.settings.data_dir / "blobs" / room.id).rglob("*"))
    events = [e for e in audit_events(app, room.id) if e.action == "document.delete"
              and e.outcome == "ok"]
    assert len(events) == 1 and events[0].details["document_id"] == doc["id"]
    assert "settlement-draft" not in _details_text(app, room)
    from sqlalchemy import select

    from app.db import transaction
    from app.models.documents import DocumentTombstone, DocumentVersion
    with transaction(app.state.sessionmaker) as session:
        stone = session.get(DocumentTombstone, __import__("uuid").UUID(doc["id"]))
        assert stone is not None and stone.versions == 1 and stone.designation == "CONFIDENTIAL"
        assert session.execute(select(DocumentVersion).where(
            DocumentVersion.document_id == stone.document_id)).first() is None


@pytest.mark.parametrize("how", ["download", "view"])
def test_delete_refused_once_a_copy_exists(api, client, how):  # noqa: ANN001
    room = api.room()
    doc = api.document(room, text_doc("DEL-2"))
    if how == "download":
        assert api.download(room, doc["id"], "defense_counsel").status_code == 200
    else:  # reading it in the browser makes a copy too
        sign_in_as(client, room.users["defense_client"])
        assert client.get(f"/cases/{room.id}/documents/{doc['id']}/view").status_code == 200
    r = _send(api, room, "plaintiff_counsel", "DELETE", f"/documents/{doc['id']}")
    assert r.status_code == 409 and r.json()["code"] == "document_already_accessed"
    assert _get(api, room, "plaintiff_counsel", f"/documents/{doc['id']}").status_code == 200


def test_client_and_pro_se_of_another_party_cannot_delete(api):
    room = api.room()
    doc = api.document(room, text_doc("DEL-3"))
    r = _send(api, room, "plaintiff_client", "DELETE", f"/documents/{doc['id']}")
    assert r.status_code == 403
    r = _send(api, room, "pro_se", "DELETE", f"/documents/{doc['id']}")
    assert r.status_code == 403 and r.json()["code"] == "not_the_uploading_party"


# --------------------------------------------------------------------------- productions
def _pages(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as p:
        return len(p.pages)


def _page_texts(pdf: bytes) -> list[str]:
    return [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf)]


def test_production_numbers_pages_across_productions_and_stamps_every_copy(api, app):
    room = api.room()
    pdf = api.document(room, pdf_doc(), filename="order.pdf")
    note = api.document(room, text_doc("PROD-1"), filename="letter.txt")
    image = api.document(room, png_doc(), filename="photo.png")
    n = _pages(pdf_doc())
    r = _send(api, room, "plaintiff_counsel", "POST", "/productions",
              {"document_ids": [pdf["id"], note["id"]], "prefix": "doe"})
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["bates_first"], first["bates_last"]) == ("DOE000001", f"DOE{n + 1:06d}")
    assert [(d["bates_first"], d["page_count"]) for d in first["documents"]] == [
        ("DOE000001", n), (f"DOE{n + 1:06d}", 1)]
    second = _send(api, room, "plaintiff_counsel", "POST", "/productions",
                   {"document_ids": [image["id"]], "prefix": "DOE"}).json()
    assert second["bates_first"] == f"DOE{n + 2:06d}"  # numbers continue
    r = _send(api, room, "plaintiff_counsel", "POST", "/productions",
              {"document_ids": [note["id"]], "prefix": "DOE"})
    assert r.status_code == 409 and r.json()["code"] == "already_produced"
    # Every page of a downloaded copy carries its number; the text copy and the image too.
    copy = api.download(room, pdf["id"], "defense_counsel").content
    for k, text in enumerate(_page_texts(copy)):
        assert f"DOE{k + 1:06d}" in text
    assert f"DOE{n + 1:06d}" in api.download(room, note["id"], "pro_se").text
    listed = {d["id"]: d for d in _get(api, room, "defense_client", "/documents").json()}
    assert listed[pdf["id"]]["bates_last"] == f"DOE{n:06d}"
    # A produced document stays.
    r = _send(api, room, "plaintiff_counsel", "DELETE", f"/documents/{image['id']}")
    assert r.status_code == 409 and r.json()["code"] == "document_produced"


def test_production_index_csv_and_pdf(api, app):
    room = api.room()
    docs = [api.document(room, text_doc(f"IDX-{i}"), filename=f"=exhibit-{i}.txt",
                         designation="AEO") for i in range(3)]
    production = _send(api, room, "plaintiff_counsel", "POST", "/productions",
                       {"document_ids": [d["id"] for d in docs], "prefix": "SMITH"}).json()
    tail = f"/productions/{production['id']}"
    r = _get(api, room, "defense_counsel", tail + "/index.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["bates_first", "bates_last", "document", "designation", "pages",
                       "produced"]
    assert [row[:5] for row in rows[1:]] == [
        [f"SMITH{i + 1:06d}", f"SMITH{i + 1:06d}", f"'=exhibit-{i}.txt", "AEO", "1"]
        for i in range(3)]
    r = _get(api, room, "defense_counsel", tail + "/index.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    text = "\n".join(_page_texts(r.content))
    assert "SMITH000001" in text and "SMITH000003" in text and "=exhibit-2.txt" in text
    assert_court_ready(r.content, text, signer="Plaintiff-Counsel", declaration=False)
    # Clients never see AEO documents: nor the production, nor its index.
    for who in ("defense_client", "plaintiff_client", "auditor", "outsider"):
        r = _get(api, room, who, tail + "/index.csv")
        assert r.status_code in (403, 404), who
        if r.status_code == 404:
            assert r.json()["code"] in ("production_not_found", "case_not_found"), who
    assert _get(api, room, "defense_client", "/productions").json() == []
    assert "exhibit" not in _details_text(app, room)


@pytest.mark.parametrize(("body", "code", "status"), [
    ({"prefix": "AB1"}, "invalid_bates_prefix", 422),
    ({"prefix": "-X"}, "invalid_bates_prefix", 422),
    ({"mixed": True}, "mixed_production_audience", 422),
    ({"theirs": True}, "not_own_document", 422),
    ({"twice": True}, "duplicate_document", 422),
])
def test_production_refusals(api, body, code, status):
    room = api.room()
    a = api.document(room, text_doc("R-1"))
    b = api.document(room, text_doc("R-2"), designation="AEO")
    c = api.document(room, text_doc("R-3"), by="defense_counsel")
    ids = [a["id"]]
    if body.get("mixed"):
        ids = [a["id"], b["id"]]
    if body.get("theirs"):
        ids = [c["id"]]
    if body.get("twice"):
        ids = [a["id"], a["id"]]
    r = _send(api, room, "plaintiff_counsel", "POST", "/productions",
              {"document_ids": ids, "prefix": body.get("prefix", "DOE")})
    assert r.status_code == status and r.json()["code"] == code, r.text
