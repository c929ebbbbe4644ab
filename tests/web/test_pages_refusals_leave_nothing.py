"""A refused web upload leaves nothing behind, and a free-text court time zone is refused
with the form, never a raw 500: regressions of the first web review, where a refused `.docx`
left a half-made document that made the Documents page and the API list answer 500 for
every member, and "Pacific" as a time zone answered a raw error page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.helpers import page_csrf, sign_in_as

DOCX = (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"\x00" * 64
        + b"[Content_Types].xml")
BROKEN_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n%%EOF\n"


def _upload_action(client, case_id: str) -> str:  # noqa: ANN001
    page = client.get(f"/cases/{case_id}/documents").text
    action = re.search(r'<form method="post" action="([^"]+)" enctype="multipart/form-data"',
                       page)
    assert action, "the Documents page has an upload form"
    return action.group(1).replace("&amp;", "&")


def _blob_files(web_app, case_id: str) -> list[Path]:  # noqa: ANN001
    folder = Path(web_app.state.settings.data_dir) / "blobs" / case_id
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.mark.parametrize(("name", "content", "media_type"), [
    ("brief.docx", DOCX,
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("scan.pdf", BROKEN_PDF, "application/pdf"),
], ids=["docx", "broken-pdf"])
def test_a_refused_web_upload_leaves_no_document_and_every_page_still_answers(
        api, client, web_app, name, content, media_type):  # noqa: ANN001
    fresh = api.room()
    counsel = fresh.users["plaintiff_counsel"]
    sign_in_as(client, counsel)
    r = client.post(_upload_action(client, fresh.id),
                    data={"designation": "CONFIDENTIAL", "audience_mode": "all",
                          "party_id": fresh.parties["plaintiff"]},
                    files={"file": (name, content, media_type)})
    assert 400 <= r.status_code < 500, r.status_code
    assert name not in r.text  # a filename is confidential: never echoed in a refusal
    assert _blob_files(web_app, fresh.id) == []
    for role in ("plaintiff_counsel", "plaintiff_client", "defense_counsel", "pro_se"):
        sign_in_as(client, fresh.users[role])
        assert client.get(f"/cases/{fresh.id}/documents").status_code == 200
        listed = api.client.get(f"/api/v1/cases/{fresh.id}/documents",
                                headers=fresh.users[role].headers)
        assert listed.status_code == 200 and listed.json() == []


@pytest.mark.parametrize("zone", ["Pacific", "PST", "../../etc/passwd", "America/Nowhere"])
def test_a_free_text_court_time_zone_is_refused_on_the_form(api, client, zone):
    owner = api.user()
    sign_in_as(client, owner)
    before = client.get("/").text.count("<tr")
    r = client.post("/cases", data={"csrf_token": page_csrf(client, "/"),
                                    "caption": "Doe v. Roe", "court": "N.D. Cal.",
                                    "court_timezone": zone})
    assert r.status_code in (400, 422), r.status_code
    assert "time zone" in r.text.lower()
    assert client.get("/").text.count("<tr") == before


def _version_action(client, case_id: str) -> str:  # noqa: ANN001
    page = client.get(f"/cases/{case_id}/documents").text
    action = re.search(r'action="([^"]+/versions\?[^"]+)"', page)
    assert action, "the Documents page has a new-version form"
    return action.group(1).replace("&amp;", "&")


def test_go_back_of_a_refused_upload_returns_to_the_documents_form(api, client):  # noqa: ANN001
    fresh = api.room()
    api.upload(fresh, b"A letter to be replaced by a new version.\n")
    sign_in_as(client, fresh.users["plaintiff_counsel"])
    documents = f"/cases/{fresh.id}/documents"
    fields = {"designation": "CONFIDENTIAL", "audience_mode": "all",
              "party_id": fresh.parties["plaintiff"]}
    for action in (_upload_action(client, fresh.id), _version_action(client, fresh.id)):
        # Sent without the page script: no header names the page, and pages send no
        # Referer; the form's action names it.
        assert "from_page=" in action
        r = client.post(action, data=fields,
                        files={"file": ("brief.docx", DOCX, "application/octet-stream")})
        assert 400 <= r.status_code < 500, r.status_code
        assert f'<a href="{documents}">Go back</a>' in r.text
    # Only a path of this site is taken as the way back.
    action = _upload_action(client, fresh.id).split("&from_page=")[0]
    r = client.post(action + "&from_page=https://elsewhere.example/phish", data=fields,
                    files={"file": ("brief.docx", DOCX, "application/octet-stream")})
    assert "elsewhere.example" not in r.text
    assert f'<a href="/cases/{fresh.id}">Go back</a>' in r.text
