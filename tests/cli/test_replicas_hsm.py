"""Replicas whose case keys live in one hardware security module: two ``settleroom serve``
processes on one PostgreSQL database and one bucket, both using the PKCS#11 provider on the
same SoftHSM2 token (as a deployment points every replica at one HSM partition or cloud
HSM cluster). A case opened through one replica wraps its key in the token; the other
replica unwraps it from there: a document uploaded through the first is downloaded through
the second and its copy traced back through the first. No key file is shared at all."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.keyfiles import AUDIT_KEY_FILE, JWT_KEY_FILE
from tests import dbutil, tools
from tests.api.documents.helpers import MARKER, text_doc
from tests.cli.test_replicas import Replicas
from tests.s3server import S3Server
from tests.serveproc import ServeProcess, base_env
from tests.unit.crypto.conftest import softhsm_lib

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.pkcs11,
    pytest.mark.skipif(not dbutil.pg_server_url(),
                       reason="replicas share a PostgreSQL database (SQLite is one process's)"),
]
TOKEN = "settleroom-replicas"
PIN = "2468-replica-pin"


def _token(root: Path) -> dict[str, object]:
    """A fresh SoftHSM2 token in its own directory; the settings that name it."""
    util = tools.require("softhsm2-util")
    pytest.importorskip("pkcs11")
    lib = softhsm_lib()
    if lib is None:
        pytest.fail("softhsm2-util is installed but its PKCS#11 library is not")
    (root / "tokens").mkdir(parents=True)
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    subprocess.run([util, "--init-token", "--free", "--label", TOKEN, "--so-pin", "0000",  # noqa: S603
                    "--pin", PIN], check=True, capture_output=True,
                   env={"SOFTHSM2_CONF": str(conf), "PATH": "/usr/bin:/bin"})
    return {"key_provider": "pkcs11", "pkcs11_library": lib, "pkcs11_token_label": TOKEN,
            "pkcs11_pin": PIN, "softhsm2_conf": conf}


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    root = tmp_path_factory.mktemp("hsm-replicas")
    token = _token(root / "hsm")
    conf = str(token.pop("softhsm2_conf"))
    s3 = S3Server()
    s3.start()
    started: list[ServeProcess] = []
    try:
        with dbutil.throwaway_pg_database() as url:
            shared = {**s3.settings(s3.new_bucket()), **token}
            env_a = base_env(root / "a" / "data", url, **shared)
            env_b = base_env(root / "b" / "data", url, **shared)
            for env in (env_a, env_b):
                env["SOFTHSM2_CONF"] = conf  # the HSM's own client setting, not ours
            started.append(ServeProcess(env_a, "a"))
            (root / "b" / "data").mkdir(parents=True, mode=0o700)
            for name in (JWT_KEY_FILE, AUDIT_KEY_FILE):
                shutil.copy2(root / "a" / "data" / name, root / "b" / "data" / name)
            started.append(ServeProcess(env_b, "b"))
            group = Replicas(started[0], started[1], env_b)
            yield group
            group.close()
            for proc in started:  # before the database is dropped
                proc.stop()
    finally:
        for proc in started:
            proc.stop()
        s3.stop()


def test_case_keys_in_one_hsm_serve_both_replicas(replicas: Replicas) -> None:
    a, b = replicas.api_a, replicas.api_b
    room = a.http_room()
    doc = a.document(room, text_doc())
    r = b.download(room, doc["id"], "defense_counsel")
    assert r.status_code == 200, r.text
    assert MARKER.encode() in r.content
    traced = a.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                           json={"text": r.content.decode()})
    assert traced.status_code == 200, traced.text
    assert [m["download_id"] for m in traced.json()["matches"]] == [r.headers["x-download-id"]]
    # A case opened through the second replica is read through the first just the same.
    other = b.http_room()
    doc = b.document(other, text_doc())
    assert a.download(other, doc["id"], "plaintiff_counsel").status_code == 200
    # The case keys are in the token, not on the replica's disk.
    assert not (Path(replicas.env_b["SETTLEROOM_DATA_DIR"]) / "keys" / "kek.json").exists()
