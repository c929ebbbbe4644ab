"""A real ``settleroom witness`` process (its own key and storage, on a free loopback port)
cosigns every head the service publishes, and ``settleroom audit verify`` checks the log
against it. The two insider attacks that pass a check of the database alone (the tail
deleted with the later heads; history rewritten with every head deleted) fail here."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from app import cli
from app.audit.publisher import publish_all
from app.audit.verify import build_levels, verify_log
from app.audit.witnesses import WitnessConfig
from app.models.audit import AuditEvent, TreeHead, WitnessCosignature
from app.witness.service import load_key
from crypto import merkle, signing
from crypto import witness as wire
from tests.conftest import make_settings

WITNESS_NAME = "witness.test/w1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(directory: Path, log_keys: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SETTLEROOM_")}
    args = [sys.executable, "-m", "app.cli", "witness", "serve", "--dir", str(directory),
            "--name", WITNESS_NAME, "--port", str(port)]
    for key in log_keys:
        args += ["--log-key", key]
    proc = subprocess.Popen(args, env=env, cwd=Path.cwd(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=1) as poll:  # one client for every attempt (tests.serveproc)
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read() if proc.stderr else "witness exited")
            try:
                poll.get(f"{url}/{'0' * 64}/checkpoint")
                return proc, url
            except httpx.HTTPError:
                time.sleep(0.05)
    proc.kill()
    raise AssertionError("the witness did not start")


class WitnessProcess:
    def __init__(self, directory: Path, log_keys: list[str]) -> None:
        self.directory, self.log_keys = directory, log_keys
        self.verifier_key = wire.cosigner_verifier_key(WITNESS_NAME, load_key(directory))
        self.proc, self.url = _start(directory, log_keys)

    @property
    def config(self) -> WitnessConfig:
        return WitnessConfig(self.url, self.verifier_key, WITNESS_NAME)

    def restart(self) -> None:
        self.stop()
        self.proc, self.url = _start(self.directory, self.log_keys)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(30)


@pytest.fixture
def witness(app, tmp_path) -> Iterator[WitnessProcess]:
    log_vkey = signing.note_verifier_key(app.state.settings.log_origin,
                                         app.state.services.audit_key)
    process = WitnessProcess(tmp_path / "witness", [log_vkey])
    yield process
    process.stop()


def publish(app, witness: WitnessProcess) -> tuple[int, dict[str, str]]:
    with httpx.Client(timeout=30) as client:
        return publish_all(app.state.sessionmaker, [witness.config], client)


def new_head(api, room) -> int:
    response = api.client.get("/api/v1/audit/tree-head", headers=room.admin.headers)
    assert response.status_code == 200
    return int(response.json()["tree_size"])


@pytest.fixture
def witnessed(api, app, witness):
    """A room whose log grew over three heads, each cosigned by the witness in turn."""
    room = api.room()
    for _ in range(3):
        api.offer(room)
        new_head(api, room)
        done, failed = publish(app, witness)
        assert done >= 1 and not failed
    return room


def verify_cli(app, monkeypatch, capsys, witness: WitnessProcess | None) -> tuple[int, str]:
    monkeypatch.setattr(cli, "get_settings", lambda: make_settings(
        app.state.settings.data_dir, app.state.settings.database_url))
    args = ["audit", "verify"]
    if witness is not None:
        args += ["--witness", witness.url, "--witness-key", witness.verifier_key]
    code = cli.main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def raw(app, statements: list[str], params: dict | None = None) -> None:
    """As an insider with database superuser rights: the append-only triggers bypassed."""
    engine = app.state.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for table in ("audit_events", "audit_subtrees", "tree_heads"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))
        for statement in statements:
            conn.execute(text(statement), params or {})


def log_size(app) -> int:
    with app.state.sessionmaker() as s:
        return int(s.execute(text("SELECT tree_size FROM audit_log_state")).scalar_one())


def test_every_head_is_cosigned_and_served(witnessed, api, app, witness, monkeypatch, capsys):
    room = witnessed
    with app.state.sessionmaker() as s:
        heads = s.execute(select(func.count()).select_from(TreeHead)).scalar_one()
        cosigned = s.execute(select(func.count()).select_from(WitnessCosignature)).scalar_one()
        latest = s.execute(select(func.max(TreeHead.tree_size))).scalar_one()
    assert heads >= 3 and cosigned == heads
    assert api.client.get("/api/v1/audit/checkpoint").status_code == 401
    served = api.client.get("/api/v1/audit/checkpoint", headers=room.admin.headers)
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/plain")
    log_vkey = witness.log_keys[0]
    assert wire.open_checkpoint(served.text, [log_vkey]).tree_size == latest
    assert wire.verify_cosignature(served.text, witness.verifier_key) > 0
    own = httpx.get(f"{witness.url}/{wire.origin_hash(app.state.settings.log_origin)}"
                    "/checkpoint").text  # the witness's own record agrees
    assert wire.parse_checkpoint_text(signing.split_note(own)[0]).tree_size == latest
    code, out = verify_cli(app, monkeypatch, capsys, witness)
    assert code == 0 and f"witness {WITNESS_NAME} cosigned size {latest}" in out


def test_nothing_is_served_before_a_witness_cosigned(api, app):
    room = api.room()
    answer = api.client.get("/api/v1/audit/checkpoint", headers=room.admin.headers)
    assert answer.status_code == 404 and answer.json()["code"] == "checkpoint_not_witnessed"


def test_deleting_the_tail_and_the_later_heads_fails_verification(
        witnessed, api, app, witness, monkeypatch, capsys):
    n = log_size(app)
    keep = n - 4
    raw(app, [f"DELETE FROM audit_events WHERE leaf_index >= {keep}",
              f'DELETE FROM audit_subtrees WHERE "end" > {keep}',
              "DELETE FROM witness_cosignatures WHERE tree_head_id IN (SELECT id FROM "
              f"tree_heads WHERE tree_size > {keep})",
              f"DELETE FROM tree_heads WHERE tree_size > {keep}",
              f"UPDATE audit_log_state SET tree_size = {keep}"])
    with app.state.sessionmaker() as s:
        assert verify_log(s).ok  # the database alone no longer shows it
    code, out = verify_cli(app, monkeypatch, capsys, None)
    assert code == 0
    code, out = verify_cli(app, monkeypatch, capsys, witness)
    assert code == 1
    assert f"first bad entry: leaf {keep}" in out
    assert f"cosigned {n} entries" in out and "were deleted" in out
    # The truncated log gets no further cosignature, whatever it signs next.
    api.offer(witnessed)
    new_head(api, witnessed)
    done, failed = publish(app, witness)
    assert done == 0 and failed[WITNESS_NAME] in ("witness_ahead_of_log", "http_422")


def test_rewriting_history_and_deleting_every_head_fails_verification(
        witnessed, app, witness, monkeypatch, capsys):
    with app.state.sessionmaker() as s:
        rows = s.execute(select(AuditEvent.leaf_index, AuditEvent.entry)
                         .order_by(AuditEvent.leaf_index)).all()
    entries = [bytes(e) for _, e in rows]
    fields = json.loads(entries[3])
    fields["outcome"] = "denied"
    entries[3] = json.dumps(fields, separators=(",", ":"), sort_keys=True).encode()
    leaves = [merkle.leaf_hash(e) for e in entries]
    levels = build_levels(leaves)
    raw(app, ["UPDATE audit_events SET entry = :e, leaf_hash = :h, outcome = 'denied' "
              "WHERE leaf_index = 3", "DELETE FROM audit_subtrees",
              "DELETE FROM witness_cosignatures", "DELETE FROM tree_heads"],
        {"e": entries[3], "h": leaves[3]})
    with app.state.engine.begin() as conn:
        for k, level in enumerate(levels):
            for start, h in enumerate(level):
                conn.execute(text('INSERT INTO audit_subtrees (start, "end", hash) '
                                  "VALUES (:s, :e, :h)"),
                             {"s": start << k, "e": (start + 1) << k, "h": h})
    with app.state.sessionmaker() as s:
        assert verify_log(s, deep=True).ok  # consistent with itself, and no head to contradict
    code, out = verify_cli(app, monkeypatch, capsys, witness)
    assert code == 1
    assert "history was rewritten" in out


def test_deleted_heads_alone_are_noticed(witnessed, api, app, witness, monkeypatch, capsys):
    """The entries kept, the heads but the first deleted and the log grown: the head the
    witness holds is gone from the database. (The first head stays so that the sequencer
    does not sign the current size again at once, which would restore the deleted head.)"""
    # The background sequencer signs the current size once the newest head is older than
    # the interval: with only the first (old) head left, a slow run would re-sign the
    # deleted one. A long interval leaves signing to the test's own requests.
    sequencer = app.state.sequencer
    monkeypatch.setattr(sequencer, "_signer", dataclasses.replace(sequencer.signer,
                                                                  interval_seconds=10**6))
    first = "(SELECT min(id) FROM tree_heads)"
    raw(app, [f"DELETE FROM witness_cosignatures WHERE tree_head_id <> {first}",
              f"DELETE FROM tree_heads WHERE id <> {first}"])
    api.offer(witnessed)
    new_head(api, witnessed)
    code, out = verify_cli(app, monkeypatch, capsys, witness)
    assert code == 1 and "heads were deleted" in out, out


def test_a_checkpoint_file_from_the_witness_is_a_record_too(
        witnessed, app, witness, tmp_path, monkeypatch, capsys):
    origin = app.state.settings.log_origin
    saved = tmp_path / "witness-checkpoint.txt"
    saved.write_text(httpx.get(f"{witness.url}/{wire.origin_hash(origin)}/checkpoint").text)
    monkeypatch.setattr(cli, "get_settings", lambda: make_settings(
        app.state.settings.data_dir, app.state.settings.database_url))
    assert cli.main(["audit", "verify", "--witness", str(saved),
                     "--witness-key", witness.verifier_key]) == 0
    other = wire.cosigner_verifier_key(WITNESS_NAME, signing.generate_private_key())
    assert cli.main(["audit", "verify", "--witness", str(saved), "--witness-key", other]) == 1
    assert "no valid cosignature" in capsys.readouterr().err


def test_the_witness_speaks_the_protocol_and_keeps_its_state(app, tmp_path):
    """Status codes and bodies of c2sp.org/tlog-witness, over HTTP, across a restart."""
    origin = "other.test/log"
    key = signing.generate_private_key()
    process = WitnessProcess(tmp_path / "w", [signing.note_verifier_key(origin, key)])
    leaves = [merkle.leaf_hash(b"%d" % i) for i in range(30)]

    def body(old: int, size: int, tree: list[bytes] = leaves) -> bytes:
        proof = merkle.consistency_proof(tree[:size], old) if 0 < old < size else []
        cp = signing.make_checkpoint(origin, size, merkle.root_from_leaf_hashes(tree[:size]),
                                     key, origin)
        return wire.encode_add_checkpoint(old, proof, cp)

    def post(data: bytes) -> httpx.Response:
        return httpx.post(f"{process.url}/add-checkpoint", content=data, timeout=30)

    try:
        ok = post(body(0, 10))
        assert ok.status_code == 200 and ok.text.startswith(f"\u2014 {WITNESS_NAME} ")
        assert post(body(10, 20)).status_code == 200
        process.restart()
        rollback = post(body(0, 15))
        assert rollback.status_code == 409 and rollback.text == "20\n"
        assert rollback.headers["content-type"] == "text/x.tlog.size"
        fork = leaves[:7] + [merkle.leaf_hash(b"x%d" % i) for i in range(7, 30)]
        assert post(body(20, 25, fork)).status_code == 422
        assert post(b"garbage").status_code == 400
        assert post(body(20, 25).replace(origin.encode(), b"unknown.test/log")).status_code \
            == 404
        forged = wire.encode_add_checkpoint(20, [], signing.make_checkpoint(
            origin, 20, merkle.root_from_leaf_hashes(leaves[:20]),
            signing.generate_private_key(), origin))
        assert post(forged).status_code == 403
        assert post(b"old 0\n\n" + b"x" * wire.MAX_REQUEST_BYTES).status_code == 413
        served = httpx.get(f"{process.url}/{wire.origin_hash(origin)}/checkpoint").text
        assert wire.parse_checkpoint_text(signing.split_note(served)[0]).tree_size == 20
        assert wire.verify_cosignature(served, process.verifier_key) > 0
    finally:
        process.stop()
    assert (tmp_path / "w" / "witness.db").stat().st_mode & 0o077 == 0
    assert (tmp_path / "w" / "witness-ed25519.pem").stat().st_mode & 0o077 == 0


def test_the_app_publishes_heads_in_the_background(api, app, witness):
    """With witnesses configured, the app's publisher thread gives them every head: no
    request waits for a witness (the heads are signed and answered first)."""
    from app.main import configure

    settings = make_settings(app.state.settings.data_dir, app.state.settings.database_url,
                             witness_urls=witness.url, witness_keys=witness.verifier_key,
                             witness_poll_seconds=0.05)
    configure(app, settings)
    app.state.publisher.start()
    try:
        room = api.room()
        size = new_head(api, room)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with app.state.sessionmaker() as s:
                done = s.execute(select(func.max(WitnessCosignature.tree_size))).scalar()
            if done == size:
                break
            time.sleep(0.05)
        assert done == size
    finally:
        app.state.publisher.stop()


@pytest.mark.parametrize(("urls", "keys", "message"), [
    ("http://a", "", "one witness verifier key per witness URL"),
    ("ftp://a", "KEY", "must start with http"),
    ("http://a", "not+a+key", "malformed witness verifier key"),
])
def test_witness_settings_must_pair_up(tmp_path, urls, keys, message):
    from app.audit.witnesses import configured_witnesses
    from app.config import ConfigurationError

    if keys == "KEY":
        keys = wire.cosigner_verifier_key(WITNESS_NAME, signing.generate_private_key())
    settings = make_settings(tmp_path, "sqlite://", witness_urls=urls, witness_keys=keys)
    with pytest.raises(ConfigurationError, match=message):
        configured_witnesses(settings)


def test_a_witness_that_never_saw_the_log_or_cannot_be_reached_fails_verify(
        api, app, witness, monkeypatch, capsys):
    room = api.room()
    new_head(api, room)
    code, out = verify_cli(app, monkeypatch, capsys, witness)  # nothing published yet
    assert code == 1 and "has no checkpoint of this log" in out
    monkeypatch.setattr(cli, "get_settings", lambda: make_settings(
        app.state.settings.data_dir, app.state.settings.database_url))
    gone = f"http://127.0.0.1:{_free_port()}"
    assert cli.main(["audit", "verify", "--witness", gone,
                     "--witness-key", witness.verifier_key]) == 1
    assert "a witness could not be read" in capsys.readouterr().err
