"""A real S3 API server for the tests: moto's standalone server, run as a subprocess on a
free loopback port. ``stop`` and ``start`` take it down and bring it back (an outage)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from typing import Any

import pytest

REGION = "us-east-1"
KEY_ID, SECRET = "test-key-id", "test-secret-access-key"  # moto accepts any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class S3Server:
    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"}
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail("the moto S3 server exited at start", pytrace=False)
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail("the moto S3 server did not listen within 30 s", pytrace=False)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.url, region_name=REGION,
                            aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)

    def new_bucket(self) -> str:
        name = f"settleroom-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def settings(self, bucket: str) -> dict[str, object]:
        """The settings that point the app at ``bucket`` on this server."""
        return {"blob_store": "s3", "s3_endpoint_url": self.url, "s3_bucket": bucket,
                "s3_region": REGION, "s3_access_key_id": KEY_ID,
                "s3_secret_access_key": SECRET,
                # Generous: a loaded test machine must not turn a slow part into an outage
                # (a stopped server still fails at once: the connection is refused).
                "s3_timeout_seconds": 15.0,
                "readiness_timeout_seconds": 2.0}

    def objects(self, bucket: str) -> dict[str, bytes]:
        """Every object of ``bucket``, key -> content (what an operator of the bucket sees)."""
        c = self.client()
        out = {}
        for page in c.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", ()):
                out[obj["Key"]] = c.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
        return out
