"""Helpers of the sign-in hardening tests: clients at chosen addresses, the service clock,
settings changed for one test, and a factor enabled through the API."""

from __future__ import annotations

import threading

import pyotp
import pytest

from tests.clock import Clock
from tests.factories import PASSWORD
from tests.testclient import TestClient


def at(app, address: str) -> TestClient:  # noqa: ANN001
    """A client whose requests come from ``address``."""
    return TestClient(app, client=(address, 40000))


def login(client: TestClient, email: str, password: str = PASSWORD, **form: str):  # noqa: ANN201
    return client.post("/api/v1/auth/token",
                       data={"username": email, "password": password, **form})



@pytest.fixture
def clock(app) -> Clock:  # noqa: ANN001
    return Clock(app)


@pytest.fixture
def tune(app):  # noqa: ANN001, ANN201
    """``tune(field=value, ...)``: settings of this test's services, changed."""
    svc = app.state.services

    def apply(**values: object) -> None:
        svc.settings = svc.settings.model_copy(update=values)

    return apply


def enable_totp(api, user, clock: Clock) -> pyotp.TOTP:  # noqa: ANN001
    """Set up a factor through the API; the user's tokens end with it, so ``user`` gets a
    fresh pair (signed in with the factor). Returns the authenticator."""
    setup = api.client.post("/api/v1/me/totp", headers=user.headers,
                            json={"password": PASSWORD})
    assert setup.status_code == 200, setup.text
    totp = pyotp.TOTP(setup.json()["secret"])
    ok = api.client.post("/api/v1/me/totp/confirm", headers=user.headers,
                         json={"code": totp.at(clock.now)})
    assert ok.status_code == 200, ok.text
    user.recovery_codes = ok.json()["recovery_codes"]
    clock.advance(30)  # the confirming step is spent
    signed = login(api.client, user.email, otp=totp.at(clock.now))
    assert signed.status_code == 200, signed.text
    user.token = signed.json()["access_token"]
    user.refresh_token = signed.json()["refresh_token"]
    clock.advance(30)
    return totp


def race(app, calls, address: str = "198.51.100.7"):  # noqa: ANN001, ANN201
    """Run ``calls`` (functions of a client) at once, each on a client of its own."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        client = at(app, address)
        barrier.wait()
        results[i] = calls[i](client)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results
