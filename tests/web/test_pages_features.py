"""Pages for the rest of the API: document versions, download records and watermark
channels; each allowed role gets the form and the action works, others get no form and
the server refuses."""

from __future__ import annotations

import pytest

from tests.web.helpers import page_csrf, sign_in_as


def _file(name: str = "v2.txt", body: bytes = b"Version two of the order.\n"):
    return {"file": (name, body, "text/plain")}


def test_uploader_counsel_uploads_a_new_version(api, client, room):
    doc = api.document(room, b"Version one of the order.\n")
    sign_in_as(client, room.users["plaintiff_counsel"])
    page = client.get(f"/cases/{room.id}/documents")
    assert f'/documents/{doc["id"]}/versions?csrf_token=' in page.text
    r = client.post(f"/cases/{room.id}/documents/{doc['id']}/versions", files=_file(),
                    params={"csrf_token": page_csrf(client)})
    assert r.status_code == 200 and "New version uploaded" in r.text
    assert "version 2" in r.text


def test_other_party_gets_no_version_form_and_is_refused(api, client, room):
    doc = api.document(room, b"Plaintiff's exhibit.\n")
    sign_in_as(client, room.users["defense_counsel"])
    page = client.get(f"/cases/{room.id}/documents")
    assert doc["id"] in page.text
    assert f'/documents/{doc["id"]}/versions?csrf_token=' not in page.text
    assert f'/documents/{doc["id"]}/downloads"' not in page.text
    r = client.post(f"/cases/{room.id}/documents/{doc['id']}/versions", files=_file(),
                    params={"csrf_token": page_csrf(client)})
    assert r.status_code == 403 and "Only the uploading party may replace" in r.text


def test_client_may_not_upload_a_version(api, client, room):
    doc = api.document(room, b"Exhibit for the client test.\n")
    sign_in_as(client, room.users["plaintiff_client"])
    page = client.get(f"/cases/{room.id}/documents")
    assert f'/documents/{doc["id"]}/versions?csrf_token=' not in page.text
    r = client.post(f"/cases/{room.id}/documents/{doc['id']}/versions", files=_file(),
                    params={"csrf_token": page_csrf(client)})
    assert r.status_code == 403


@pytest.mark.parametrize("who", ["plaintiff_counsel", "auditor", "room_admin"])
def test_tracers_see_who_downloaded(api, client, room, who):
    doc = api.document(room, b"Order to be downloaded.\n")
    assert api.download(room, doc["id"], "defense_counsel").status_code == 200
    sign_in_as(client, room.users[who])
    if who == "plaintiff_counsel":
        entry = client.get(f"/cases/{room.id}/documents").text
    else:
        entry = client.get(f"/cases/{room.id}/audit?after=0").text
        entry += client.get(f"/cases/{room.id}/audit").text
    assert f'/documents/{doc["id"]}/downloads"' in entry
    r = client.get(f"/cases/{room.id}/documents/{doc['id']}/downloads")
    assert r.status_code == 200
    assert room.users["defense_counsel"].email in r.text and "Acme Corp." in r.text


@pytest.mark.parametrize(("who", "status"), [("defense_counsel", 403),
                                             ("plaintiff_client", 403), ("neutral", 403)])
def test_non_tracers_may_not_read_download_records(api, client, room, who, status):
    doc = api.document(room, b"Records are for tracers.\n")
    sign_in_as(client, room.users[who])
    r = client.get(f"/cases/{room.id}/documents/{doc['id']}/downloads")
    assert r.status_code == status
    assert "Leak tracing is for the auditor" in r.text or "access policy" in r.text


def test_room_admin_sets_watermark_channels(client, room):
    sign_in_as(client, room.admin)
    page = client.get(f"/cases/{room.id}/documents")
    assert page.status_code == 200 and "Watermark channels (room admin)" in page.text
    assert 'name="channel" type="checkbox" value="canary" checked' in page.text
    r = client.post(f"/cases/{room.id}/watermark-channels", data={
        "csrf_token": page_csrf(client), "channel": ["text", "metadata"]})
    assert r.status_code == 200 and "Watermark channels saved" in r.text
    assert 'value="text" checked' in r.text and 'value="canary" checked' not in r.text
    client.post(f"/cases/{room.id}/watermark-channels", data={
        "csrf_token": page_csrf(client),
        "channel": ["canary", "geometry", "image", "metadata", "text"]})


def test_counsel_gets_no_channel_form_and_is_refused(client, room):
    sign_in_as(client, room.users["plaintiff_counsel"])
    assert "Watermark channels" not in client.get(f"/cases/{room.id}/documents").text
    r = client.post(f"/cases/{room.id}/watermark-channels", data={
        "csrf_token": page_csrf(client), "channel": ["text"]})
    assert r.status_code == 403 and "access policy" in r.text


def test_auditor_has_no_documents_tab(client, room):
    sign_in_as(client, room.users["auditor"])
    r = client.get(f"/cases/{room.id}/documents")
    assert r.status_code == 403
