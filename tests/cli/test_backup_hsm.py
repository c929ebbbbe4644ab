"""Backup and restore with the case keys in a PKCS#11 token (SoftHSM2): the keys never
leave the token, so the backup's key folder holds no case key file, only which key versions
each case has; a restore against the same token brings every document back, one against a
token without those keys is refused with nothing written, and a case destroyed after the
backup stays destroyed with its certificate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.api.documents.helpers import MARKER, text_doc
from tests.cli.test_backup import settleroom
from tests.cli.test_replicas_hsm import _token
from tests.serveproc import ServeProcess, admin_api, base_env

pytestmark = [pytest.mark.pkcs11, pytest.mark.once]


def _env(root: Path, name: str, token: dict[str, object], conf: str) -> dict[str, str]:
    env = base_env(root / name / "data", None, **token)
    env["SOFTHSM2_CONF"] = conf  # the HSM's own client setting, not ours
    return env


def test_the_keys_stay_in_the_token_and_a_restore_finds_them_there(tmp_path: Path) -> None:
    token = _token(tmp_path / "hsm")
    conf = str(token.pop("softhsm2_conf"))
    env = _env(tmp_path, "live", token, conf)
    proc = ServeProcess(env, "live")
    try:
        api = admin_api(proc)
        kept, gone = api.http_room(), api.http_room()
        doc = api.document(kept, text_doc())["id"]
        api.document(gone, text_doc("GONE-ROOM-MARKER"))
        backup = tmp_path / "backup"
        done = settleroom(env, "backup", "--to", str(backup))
        assert done.returncode == 0, done.stderr
        caption = api.client.get(f"/api/v1/cases/{gone.id}",
                                 headers=gone.admin.headers).json()["caption"]
        r = api.client.post(f"/api/v1/cases/{gone.id}/destroy", headers=gone.admin.headers,
                            json={"confirm_caption": caption})
        assert r.status_code == 200, r.text
        certificate = tmp_path / "certificate.json"
        certificate.write_text(r.text)
        api.client.close()
    finally:
        proc.stop()
    shutil.rmtree(tmp_path / "live")

    keys = backup / "keys"
    assert not (keys / "cases").exists()
    manifest = json.loads((keys / "manifest.json").read_text())
    assert manifest["provider"] == "pkcs11"
    assert manifest["cases"] == {kept.id: {"versions": [1]}, gone.id: {"versions": [1]}}

    other = _token(tmp_path / "other-hsm")
    other_conf = str(other.pop("softhsm2_conf"))
    elsewhere = _env(tmp_path, "elsewhere", other, other_conf)
    done = settleroom(elsewhere, "restore", "--from", str(backup), "--destroyed",
                      str(certificate))
    assert done.returncode == 1 and "lacks key versions" in done.stderr, done.stderr
    assert not (tmp_path / "elsewhere" / "data" / "blobs").exists()

    fresh = _env(tmp_path, "restored", token, conf)
    done = settleroom(fresh, "restore", "--from", str(backup), "--destroyed",
                      str(certificate))
    assert done.returncode == 0, done.stderr
    assert settleroom(fresh, "audit", "verify").returncode == 0
    proc = ServeProcess(fresh, "restored")
    try:
        api = admin_api(proc)
        r = api.download(kept, doc, "defense_counsel")
        assert r.status_code == 200, r.text
        assert MARKER.encode() in r.content
        r = api.client.get(f"/api/v1/cases/{gone.id}/documents",
                           headers=gone.users["plaintiff_counsel"].headers)
        assert r.status_code in (404, 410), r.text
        api.client.close()
    finally:
        proc.stop()
