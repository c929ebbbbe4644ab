"""Crypto-shredding a case: keys destroyed and checked gone, a signed certificate that the
CLI verifies, 410 for content, the log still verifies, an older backup cannot be read."""

from __future__ import annotations

import json

import pytest

from app import cli
from app.audit.verify import verify_log
from app.cases.certificate import CertificateError, verify_certificate
from app.sealing import CaseDestroyed, open_json, seal_json
from crypto.errors import KeyDestroyed


@pytest.fixture
def room(api):
    return api.room()


def destroy(api, room, caption="Doe v. Acme Corp.", who="room_admin"):
    return api.client.post(f"/api/v1/cases/{room.id}/destroy",
                           headers=room.users[who].headers, json={"confirm_caption": caption})


def test_only_the_room_admin_with_the_caption_may_destroy(api, room):
    assert destroy(api, room, who="auditor").status_code == 403
    assert destroy(api, room, who="outsider").status_code == 404
    r = destroy(api, room, caption="Doe v. Acme")
    assert r.status_code == 422 and r.json()["code"] == "caption_mismatch"
    assert api.client.get(f"/api/v1/cases/{room.id}",
                          headers=room.admin.headers).status_code == 200


def test_destruction_shreds_keys_and_issues_a_verifiable_certificate(api, app, room, tmp_path,
                                                                      monkeypatch, capsys):
    provider = app.state.services.key_provider
    binding = {"case_id": room.id, "object_type": "probe", "object_id": "x"}
    blob = seal_json(provider, {"amount_cents": 123}, **binding)  # content sealed earlier
    assert open_json(provider, blob, **binding) == {"amount_cents": 123}
    r = destroy(api, room)
    assert r.status_code == 200, r.text
    cert = r.json()["certificate"]
    payload = verify_certificate(json.dumps(r.json()).encode())
    assert payload["case_id"] == room.id and payload["key_fingerprints"]
    assert not provider.has_keys(room.id)
    # A backup taken before destruction holds blobs that can no longer be opened.
    with pytest.raises(CaseDestroyed):
        open_json(provider, blob, **binding)
    with pytest.raises(KeyDestroyed):
        provider.unwrap(room.id, 1, b"\0" * 60)
    # Any changed byte of the certificate fails; the CLI agrees.
    tampered = dict(cert, payload={**cert["payload"], "case_id": "00000000-0000-0000-0000-"
                                   "000000000000"})
    with pytest.raises(CertificateError):
        verify_certificate(json.dumps(tampered).encode())
    path = tmp_path / "cert.json"
    path.write_text(json.dumps(r.json()))
    assert cli.main(["certificate", "verify", str(path)]) == 0
    path.write_text(json.dumps(tampered))
    assert cli.main(["certificate", "verify", str(path)]) == 1
    # The log keeps every event and still verifies.
    with app.state.sessionmaker() as session:
        assert verify_log(session).ok


def test_after_destruction_content_answers_410_and_metadata_stays(api, room):
    assert destroy(api, room).status_code == 200
    again = destroy(api, room)
    assert again.status_code == 410 and again.json()["code"] == "case_destroyed"
    assert api.client.get(f"/api/v1/cases/{room.id}",
                          headers=room.admin.headers).status_code == 200
    events = api.client.get(f"/api/v1/audit/events?case_id={room.id}&limit=200",
                            headers=room.users["auditor"].headers).json()
    assert events[-1]["action"] == "case.destroy"
