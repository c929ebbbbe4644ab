"""Real ``settleroom serve`` processes for the tests: each on a free loopback port, with its
own environment (nothing of the test runner's SETTLEROOM_* variables leaks in), reached
over HTTP with httpx. A test asks for what it needs and stops what it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.factories import Api, Room, User
from tests.s3server import free_port
from tests.template import PASSWORD

ADMIN_EMAIL = "admin@example.com"
START_SECONDS = 120  # a loaded machine migrates and imports slowly


def base_env(data_dir: Path, database_url: str | None, **settings: object) -> dict[str, str]:
    """The environment of one server: cheap password hashing, the admin bootstrapped with
    the tests' password, each request's audit events sequenced before it answers, and
    ``settings`` (``s3_bucket=...``) as SETTLEROOM_* variables. Without a database URL,
    the server keeps a SQLite file in its data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SETTLEROOM_")}
    values: dict[str, object] = {
        "env": "dev", "data_dir": data_dir,
        "secret_key": "test-secret-key-0123456789abcdef0123456789",
        "argon2_time_cost": 1, "argon2_memory_kib": 64, "argon2_parallelism": 1,
        "admin_email": ADMIN_EMAIL, "admin_password": PASSWORD,
        "audit_sequencing": "on_commit", "worker": "external",
        **settings,
    }
    if database_url is not None:
        values["database_url"] = database_url
    env.update({f"SETTLEROOM_{k.upper()}": str(v) for k, v in values.items()})
    return env


class ServeProcess:
    """``settleroom serve`` in a subprocess; ``url`` answers once ``/healthz`` does."""

    def __init__(self, env: dict[str, str], name: str = "serve") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(env["SETTLEROOM_DATA_DIR"]).with_name(f"{name}.log")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
                [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                env=env, cwd=Path.cwd(), stdout=out, stderr=subprocess.STDOUT)
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        # One client for every attempt: ``httpx.get`` builds a client and its TLS context
        # per call (about 22 ms of CPU against 0.2 ms), so polling every 50 ms with it kept
        # a third of a core busy beside the very start-up it waited for.
        deadline = time.monotonic() + START_SECONDS
        with httpx.Client(timeout=2) as poll:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    pytest.fail(f"settleroom serve exited at start:\n{self.output()}",
                                pytrace=False)
                try:
                    if poll.get(f"{self.url}/healthz").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)  # every server a test starts waits here: poll often
        self.stop()
        pytest.fail(f"settleroom serve did not answer within {START_SECONDS} s:\n"
                    f"{self.output()}", pytrace=False)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def terminate(self) -> None:
        """SIGTERM, as a process manager or ``docker stop`` sends it."""
        self.proc.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)


def admin_api(proc: ServeProcess) -> Api:
    """An ``Api`` on the server in ``proc``, signed in as the admin its start-up made."""
    api = Api(proc.client(), None)  # type: ignore[arg-type]
    r = api.login(ADMIN_EMAIL)
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    me = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    api._admin = User(me["id"], ADMIN_EMAIL, token, r.json()["refresh_token"])
    return api


def admin_room(proc: ServeProcess) -> tuple[Api, Room]:
    """The admin's ``Api`` and the standard room built on that server through HTTP."""
    api = admin_api(proc)
    return api, api.http_room()

