"""Who sees, downloads, uploads and traces documents (POLICY.md document rows), per endpoint
401 / 404 / 403 / valid, and the designation/audience rules."""

from __future__ import annotations

import pytest

from tests.api.documents.helpers import text_doc

EVERYONE = ("plaintiff_counsel", "plaintiff_client", "defense_counsel", "defense_client",
            "pro_se", "neutral", "auditor", "room_admin")
CLIENTS = ("plaintiff_client", "defense_client")


def _sees(api, room, doc_id: str) -> set[str]:  # noqa: ANN001
    seen = set()
    for who in EVERYONE:
        r = api.client.get(f"/api/v1/cases/{room.id}/documents/{doc_id}",
                           headers=room.users[who].headers)
        listed = api.client.get(f"/api/v1/cases/{room.id}/documents",
                                headers=room.users[who].headers)
        dl = api.download(room, doc_id, who)
        if r.status_code == 200:
            assert dl.status_code == 200
            assert doc_id in [d["id"] for d in listed.json()]
            seen.add(who)
        else:
            assert r.status_code in (403, 404) and dl.status_code == r.status_code, who
            if listed.status_code == 200:
                assert doc_id not in [d["id"] for d in listed.json()]
    return seen


def test_confidential_to_one_party(api):
    room = api.room()
    doc = api.document(room, text_doc(), audience=room.parties["defendant"])
    assert _sees(api, room, doc["id"]) == {"plaintiff_counsel", "plaintiff_client",
                                           "defense_counsel", "defense_client"}


def test_confidential_to_all(api):
    room = api.room()
    doc = api.document(room, text_doc())
    assert _sees(api, room, doc["id"]) == {"plaintiff_counsel", "plaintiff_client",
                                           "defense_counsel", "defense_client", "pro_se"}


def test_aeo_hides_from_clients_with_404(api):
    room = api.room()
    doc = api.document(room, text_doc(), designation="AEO")
    assert _sees(api, room, doc["id"]) == {"plaintiff_counsel", "defense_counsel", "pro_se"}
    r = api.client.get(f"/api/v1/cases/{room.id}/documents/{doc['id']}",
                       headers=room.users["defense_client"].headers)
    assert r.status_code == 404 and r.json()["code"] == "document_not_found"


def test_ene_document_evaluator_and_audience(api):
    room = api.room()
    session = api.ene_session(room)
    r = api.upload(room, text_doc(), designation="ENE")
    assert r.status_code == 422 and r.json()["code"] == "ene_session_required"
    doc = api.document(room, text_doc(), designation="ENE", ene_session_id=session["id"],
                       audience=room.parties["plaintiff"])
    assert _sees(api, room, doc["id"]) == {"plaintiff_counsel", "plaintiff_client", "neutral"}
    shared = api.document(room, text_doc(), designation="ENE", ene_session_id=session["id"])
    assert _sees(api, room, shared["id"]) == {"plaintiff_counsel", "plaintiff_client",
                                              "defense_counsel", "defense_client", "pro_se",
                                              "neutral"}


@pytest.mark.parametrize(("fields", "code"), [
    ({"designation": "SECRET"}, "invalid_designation"),
    ({"audience": "nobody"}, "invalid_audience"),
    ({"audience": ""}, "invalid_audience"),
    ({"audience": "00000000-0000-4000-8000-000000000000"}, "invalid_audience"),
    ({"ene_session_id": "00000000-0000-4000-8000-000000000000"}, "unknown_ene_session"),
])
def test_designation_and_audience_validation(api, fields, code):
    room = api.room()
    r = api.upload(room, text_doc(), **fields)
    assert (r.status_code, r.json()["code"]) == (422, code)


def test_upload_guard(api):
    room = api.room()
    url = f"/api/v1/cases/{room.id}/documents"
    files = {"file": ("a.txt", text_doc(), "text/plain")}
    data = {"designation": "CONFIDENTIAL", "audience": "all"}
    assert api.client.post(url, files=files, data=data).status_code == 401
    r = api.client.post(url, files=files, data=data, headers=room.users["outsider"].headers)
    assert r.status_code == 404
    for who in ("plaintiff_client", "defense_client", "neutral", "auditor", "room_admin"):
        r = api.client.post(url, files=files, data=data, headers=room.users[who].headers)
        assert r.status_code == 403, who
    for who in ("plaintiff_counsel", "pro_se"):
        r = api.client.post(url, files=files, data=data, headers=room.users[who].headers)
        assert r.status_code == 201, who


def test_read_endpoints_guard(api):
    room = api.room()
    doc = api.document(room, text_doc())
    base = f"/api/v1/cases/{room.id}/documents"
    for path in (base, f"{base}/{doc['id']}", f"{base}/{doc['id']}/content"):
        assert api.client.get(path).status_code == 401
        assert api.client.get(path, headers=room.users["outsider"].headers).status_code == 404
        assert api.client.get(path, headers=room.users["auditor"].headers).status_code == 403
        assert api.client.get(path,
                              headers=room.users["defense_client"].headers).status_code == 200


def test_downloads_list_guard(api):
    room = api.room()
    doc = api.document(room, text_doc())
    d = api.download(room, doc["id"], "defense_client").headers["x-download-id"]
    url = f"/api/v1/cases/{room.id}/documents/{doc['id']}/downloads"
    assert api.client.get(url).status_code == 401
    assert api.client.get(url, headers=room.users["outsider"].headers).status_code == 404
    assert api.client.get(url, headers=room.users["defense_client"].headers).status_code == 403
    assert api.client.get(url, headers=room.users["defense_counsel"].headers).status_code == 403
    for who in ("auditor", "room_admin", "plaintiff_counsel"):
        r = api.client.get(url, headers=room.users[who].headers)
        assert r.status_code == 200, who
        assert [x["id"] for x in r.json()] == [d]
        assert r.json()[0]["user_id"] == room.users["defense_client"].id
        assert "code" not in r.json()[0] and "tag" not in r.json()[0]


def test_versions(api):
    room = api.room()
    doc = api.document(room, text_doc("FIRST-VERSION"))
    first = api.download(room, doc["id"], "defense_counsel")
    url = f"/api/v1/cases/{room.id}/documents/{doc['id']}/versions"
    files = {"file": ("v2.txt", text_doc("SECOND-VERSION"), "text/plain")}
    assert api.client.post(url, files=files,
                           headers=room.users["defense_counsel"].headers).status_code == 403
    r = api.client.post(url, files=files, headers=room.users["plaintiff_counsel"].headers)
    assert r.status_code == 201 and r.json()["version"] == 2 and r.json()["id"] == doc["id"]
    second = api.download(room, doc["id"], "defense_counsel")
    assert b"SECOND-VERSION" in second.content and b"FIRST-VERSION" in first.content
    rows = api.client.get(f"/api/v1/cases/{room.id}/documents/{doc['id']}/downloads",
                          headers=room.users["auditor"].headers).json()
    assert [(x["id"], x["version"]) for x in rows] == [
        (first.headers["x-download-id"], 1), (second.headers["x-download-id"], 2)]
    got = api.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                          json={"text": first.content.decode()}).json()
    assert [(m["download_id"], m["version"]) for m in got["matches"]] == [
        (first.headers["x-download-id"], 1)]


def test_channels_setting(api):
    room = api.room()
    url = f"/api/v1/cases/{room.id}/watermark-channels"
    assert api.client.get(url, headers=room.users["pro_se"].headers).json()["channels"] == [
        "canary", "geometry", "image", "metadata", "text"]
    for who in ("plaintiff_counsel", "auditor"):
        r = api.client.patch(url, json={"channels": []}, headers=room.users[who].headers)
        assert r.status_code == 403
    r = api.client.patch(url, json={"channels": ["bogus"]}, headers=room.admin.headers)
    assert r.status_code == 422
    r = api.client.patch(url, json={"channels": ["metadata"]}, headers=room.admin.headers)
    assert r.status_code == 200 and r.json()["channels"] == ["metadata"]
    doc = api.document(room, text_doc())
    copy = api.download(room, doc["id"], "defense_counsel")
    rows = api.client.get(f"/api/v1/cases/{room.id}/documents/{doc['id']}/downloads",
                          headers=room.users["auditor"].headers).json()
    assert rows[0]["channels"] == ["metadata"]
    # without the text channel the body is unchanged: only the footer marks the copy
    assert copy.content.decode().startswith(text_doc().decode().rstrip("\n")[:200])
    got = api.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                          json={"text": copy.content.decode()}).json()
    assert got["matches"][0]["channels"] == ["metadata"]
    assert "text" not in got["matches"][0]["layers"]


def test_download_headers(api):
    room = api.room()
    doc = api.document(room, text_doc(), filename="Order \u00e9.txt")
    r = api.download(room, doc["id"], "pro_se")
    assert r.headers["content-disposition"].startswith('attachment; filename="Order e.txt"')
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-download-id"]
    assert r.headers["content-type"].startswith("text/plain")


def test_closed_ene_session_documents_are_read_only(api):
    """A closed ENE session is read-only for its exhibits too: no new document, no new
    version; the exhibits stay readable and each refusal is audited."""
    room = api.room()
    session = api.ene_session(room)
    doc = api.document(room, text_doc("EXHIBIT-V1"), designation="ENE",
                       ene_session_id=session["id"])
    r = api.client.post(f"/api/v1/cases/{room.id}/ene-sessions/{session['id']}/close",
                        headers=room.users["neutral"].headers, json={"outcome": "settled"})
    assert r.status_code == 200
    r = api.upload(room, text_doc(), designation="ENE", ene_session_id=session["id"])
    assert r.status_code == 409 and r.json()["code"] == "session_closed"
    url = f"/api/v1/cases/{room.id}/documents/{doc['id']}/versions"
    files = {"file": ("v2.txt", text_doc("EXHIBIT-V2"), "text/plain")}
    r = api.client.post(url, files=files, headers=room.users["plaintiff_counsel"].headers)
    assert r.status_code == 409 and r.json()["code"] == "session_closed"
    got = api.download(room, doc["id"], "neutral")
    assert got.status_code == 200 and b"EXHIBIT-V1" in got.content
    read = api.client.get(f"/api/v1/cases/{room.id}/documents/{doc['id']}",
                          headers=room.users["plaintiff_counsel"].headers).json()
    assert read["version"] == 1
    events = api.client.get("/api/v1/audit/events", params={"case_id": room.id, "limit": 200},
                            headers=room.users["auditor"].headers).json()
    denied = [(e["action"], e["details"].get("reason")) for e in events
              if e["outcome"] == "denied"]
    assert ("document.replace", "session_closed") in denied
    assert ("document.upload", "session_closed") in denied


def test_download_records_show_where_from_only_to_the_downloaders_side(api):
    """Download records hold who and when for every tracer; the address and browser of a
    download are shown only to the downloader and to members acting for its party."""
    room = api.room()
    doc = api.document(room, text_doc())
    url = f"/api/v1/cases/{room.id}/documents/{doc['id']}/content"
    theirs = api.client.get(url, headers={**room.users["defense_client"].headers,
                                          "User-Agent": "DefenseBrowser/7.1"})
    ours = api.client.get(url, headers={**room.users["plaintiff_client"].headers,
                                        "User-Agent": "PlaintiffBrowser/2.0"})
    assert theirs.status_code == ours.status_code == 200
    listing = f"/api/v1/cases/{room.id}/documents/{doc['id']}/downloads"
    for who in ("plaintiff_counsel", "auditor", "room_admin"):
        r = api.client.get(listing, headers=room.users[who].headers)
        assert r.status_code == 200, who
        rows = {x["id"]: x for x in r.json()}
        other = rows[theirs.headers["x-download-id"]]
        assert other["user_id"] == room.users["defense_client"].id and other["downloaded_at"]
        assert other["client_address"] is None and other["user_agent"] is None, who
        assert "DefenseBrowser" not in r.text, who
    mine = {x["id"]: x for x in api.client.get(
        listing, headers=room.users["plaintiff_counsel"].headers).json()}
    own = mine[ours.headers["x-download-id"]]
    assert own["user_agent"] == "PlaintiffBrowser/2.0" and own["client_address"]
