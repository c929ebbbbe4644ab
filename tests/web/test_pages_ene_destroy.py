"""Pages: sharing an existing ENE evaluation (evaluator only), and destroying a case (room
admin only) with its certificate and the content tabs' 410 in words."""

from __future__ import annotations

import json

import pytest

from tests.web.helpers import page_csrf, sign_in_as


@pytest.fixture(scope="module")
def evaluated(web_api, room):  # noqa: ANN001, ANN201
    """An ENE session whose evaluation is shared with the plaintiff only."""
    ene = web_api.ene_session(room)
    r = web_api.client.post(
        f"/api/v1/cases/{room.id}/ene-sessions/{ene['id']}/evaluation",
        headers=room.users["neutral"].headers,
        json={"body": "Liability is likely; damages are modest.",
              "share_with_party_ids": [room.parties["plaintiff"]]})
    assert r.status_code == 201, r.text
    return ene


def test_evaluator_shares_the_evaluation_unchanged(client, room, evaluated):
    path = f"/cases/{room.id}/ene/{evaluated['id']}/evaluation"
    sign_in_as(client, room.users["neutral"])
    assert path in client.get(f"/cases/{room.id}/ene/{evaluated['id']}").text
    page = client.get(path)
    assert "Share this evaluation with more parties" in page.text and "Version 1" in page.text
    r = client.post(path + "/share", data={
        "csrf_token": page_csrf(client, path), "party_ids": [room.parties["defendant"]]})
    assert r.status_code == 200 and "its text is unchanged" in r.text
    shared = r.text.split("\n  shared with ", 1)[1].split("</p>")[0]
    assert "Version 1" in r.text and "Jane Doe" in shared and "Acme Corp." in shared
    sign_in_as(client, room.users["defense_counsel"])
    seen = client.get(path)
    assert seen.status_code == 200 and "damages are modest" in seen.text


def test_parties_get_no_share_form_and_are_refused(client, room, evaluated):
    path = f"/cases/{room.id}/ene/{evaluated['id']}/evaluation"
    sign_in_as(client, room.users["plaintiff_counsel"])
    page = client.get(path)
    assert page.status_code == 200 and "/evaluation/share" not in page.text
    r = client.post(path + "/share", data={
        "csrf_token": page_csrf(client, path), "party_ids": [room.parties["defendant2"]]})
    assert r.status_code == 403 and "access policy" in r.text


def test_only_the_room_admin_is_offered_destruction(client, room):
    for who in ("plaintiff_counsel", "auditor", "neutral"):
        sign_in_as(client, room.users[who])
        assert "/destroy" not in client.get(f"/cases/{room.id}").text
        r = client.post(f"/cases/{room.id}/destroy", data={
            "csrf_token": page_csrf(client), "confirm_caption": "x"})
        assert r.status_code == 403 and "access policy" in r.text


def test_room_admin_destroys_a_case_and_gets_the_certificate(web_api, client):
    from app.cases.certificate import verify_certificate
    from crypto import signing
    doomed = web_api.room()
    sign_in_as(client, doomed.admin)
    assert f"/cases/{doomed.id}/destroy" in client.get(f"/cases/{doomed.id}").text
    page = client.get(f"/cases/{doomed.id}/destroy")
    assert "cannot be undone" in page.text and 'name="confirm_caption"' in page.text
    token = page_csrf(client, f"/cases/{doomed.id}/destroy")
    wrong = client.post(f"/cases/{doomed.id}/destroy", data={
        "csrf_token": token, "confirm_caption": "Not the caption"})
    assert wrong.status_code == 422 and "exact caption must be typed" in wrong.text
    caption = client.get(f"/cases/{doomed.id}").text.split(
        'class="case-caption">')[1].split("<")[0]
    import html
    r = client.post(f"/cases/{doomed.id}/destroy", data={
        "csrf_token": token, "confirm_caption": html.unescape(caption)})
    assert r.status_code == 200 and "Destruction certificate" in r.text
    assert 'download="destruction-certificate-' in r.text
    cert = html.unescape(r.text.split('id="certificate"')[1].split(">", 1)[1].split("</pre>")[0])
    log_key = signing.public_key_to_pem(web_api.app.state.services.audit_key.public_key())
    assert verify_certificate(cert.encode(), log_key)["case_id"] == doomed.id
    assert json.loads(cert)["payload"]["key_fingerprints"]
    sign_in_as(client, doomed.users["plaintiff_counsel"])
    gone = client.get(f"/cases/{doomed.id}/documents")
    assert gone.status_code == 410 and "content is gone" in gone.text
    assert "case keys were destroyed" in gone.text
    sign_in_as(client, doomed.admin)
    assert client.get(f"/cases/{doomed.id}/destroy").status_code == 410
