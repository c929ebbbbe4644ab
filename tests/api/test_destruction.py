"""Crypto-shredding a case: keys destroyed and checked gone, a signed certificate that the
CLI verifies, 410 for content, the log still verifies, an older backup cannot be read."""

from __future__ import annotations

import json

import pytest

from app import cli
from app.audit.verify import verify_log
from app.cases.certificate import CertificateError, verify_certificate
from app.sealing import CaseDestroyed, open_json, seal_json
from crypto import signing
from crypto.errors import KeyDestroyed


def log_key(app) -> bytes:
    return signing.public_key_to_pem(app.state.services.audit_key.public_key())


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
    payload = verify_certificate(json.dumps(r.json()).encode(), log_key(app))
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
        verify_certificate(json.dumps(tampered).encode(), log_key(app))
    path, key_file = tmp_path / "cert.json", tmp_path / "log-key.pem"
    path.write_text(json.dumps(r.json()))
    key_file.write_bytes(log_key(app))
    assert cli.main(["certificate", "verify", str(path), "--public-key", str(key_file)]) == 0
    path.write_text(json.dumps(tampered))
    assert cli.main(["certificate", "verify", str(path), "--public-key", str(key_file)]) == 1
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


def _forged(cert: dict) -> dict:
    """The certificate re-signed by another key, which it carries as its own: what a forger
    hands over to claim a destruction that never happened."""
    from app.cases.certificate import make_certificate

    rogue = signing.generate_private_key()
    payload = cert["payload"]
    return make_certificate(rogue, case_id=payload["case_id"],
                            destroyed_at=payload["destroyed_at"],
                            fingerprints=payload["key_fingerprints"],
                            tree_head=payload["tree_head"])


@pytest.fixture
def certificate_files(api, app, room, tmp_path):
    r = destroy(api, room)
    assert r.status_code == 200, r.text
    genuine, forged = tmp_path / "cert.json", tmp_path / "forged.json"
    genuine.write_text(json.dumps(r.json()))
    forged.write_text(json.dumps({"certificate": _forged(r.json()["certificate"])}))
    return genuine, forged


def test_a_certificate_is_not_checked_against_the_key_it_carries(certificate_files, capsys):
    genuine, forged = certificate_files
    for path in (genuine, forged):
        assert cli.main(["certificate", "verify", str(path)]) == 1
        assert "no trusted key" in capsys.readouterr().err


def test_the_pinned_key_is_named_and_a_forged_certificate_refused(app, certificate_files,
                                                                  tmp_path, capsys):
    genuine, forged = certificate_files
    key_file = tmp_path / "log-key.pem"
    key_file.write_bytes(log_key(app))
    kid = signing.key_id(app.state.services.audit_key)
    assert cli.main(["certificate", "verify", str(genuine), "--public-key",
                     str(key_file)]) == 0
    assert f"signed by key {kid} (pinned: key file {key_file})" in capsys.readouterr().out
    assert cli.main(["certificate", "verify", str(forged), "--public-key", str(key_file)]) == 1
    assert "signed by a key other than the trusted one" in capsys.readouterr().err


def test_the_key_published_by_the_service_is_fetched_with_a_token(api, app, room,
                                                                 certificate_files,
                                                                 monkeypatch, capsys):
    genuine, forged = certificate_files
    monkeypatch.setattr(cli, "_http_client", lambda: api.client)
    kid = signing.key_id(app.state.services.audit_key)
    url = "http://127.0.0.1"  # the test client answers any loopback address
    monkeypatch.delenv("SETTLEROOM_TOKEN", raising=False)
    assert cli.main(["certificate", "verify", str(genuine), "--url", url]) == 1
    assert "SETTLEROOM_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("SETTLEROOM_TOKEN", room.users["auditor"].headers[
        "Authorization"].removeprefix("Bearer "))
    assert cli.main(["certificate", "verify", str(genuine), "--url", url]) == 0
    assert f"signed by key {kid} (published by {url})" in capsys.readouterr().out
    assert cli.main(["certificate", "verify", str(forged), "--url", url]) == 1
    assert "which http://127.0.0.1 does not publish" in capsys.readouterr().err
    assert cli.main(["certificate", "verify", str(genuine), "--url",
                     "http://keys.example"]) == 1
    assert "must use https://" in capsys.readouterr().err


def test_on_the_server_its_own_audit_key_is_used(app, certificate_files, monkeypatch,
                                                 tmp_path, capsys):
    from tests.conftest import make_settings

    genuine, forged = certificate_files
    settings = app.state.settings
    monkeypatch.setattr(cli, "get_settings", lambda: make_settings(settings.data_dir,
                                                                   settings.database_url))
    assert cli.main(["certificate", "verify", str(genuine), "--server"]) == 0
    assert f"this server's audit key in {settings.data_dir}" in capsys.readouterr().out
    assert cli.main(["certificate", "verify", str(forged), "--server"]) == 1
    monkeypatch.setattr(cli, "get_settings", lambda: make_settings(tmp_path / "elsewhere",
                                                                   settings.database_url))
    assert cli.main(["certificate", "verify", str(genuine), "--server"]) == 1
    assert "no audit signing key" in capsys.readouterr().err
