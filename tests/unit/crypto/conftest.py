"""Fixtures for the crypto unit tests: a local key file and a real SoftHSM2 token.

The SoftHSM2 token lives in a per-session temp dir selected with SOFTHSM2_CONF. The
PKCS#11 library reads that variable once, at C_Initialize, so one token serves the whole
session and every test uses fresh random case ids.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crypto.keys import KeyProvider, LocalKeyProvider
from tests import tools

SOFTHSM_LIBS = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
    "/opt/homebrew/lib/softhsm/libsofthsm2.so",
)
TOKEN_LABEL = "settleroom-test"
USER_PIN = "4321-test-pin"


def softhsm_lib() -> str | None:
    for candidate in SOFTHSM_LIBS:
        if Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    util = tools.require("softhsm2-util")
    lib = softhsm_lib()
    if lib is None:  # the package ships both
        pytest.fail(f"softhsm2-util is installed but none of {SOFTHSM_LIBS} exists")
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOFTHSM2_CONF", str(conf))
        subprocess.run(
            [util, "--init-token", "--free", "--label", TOKEN_LABEL, "--so-pin", "0000"]
            + ["--pin", USER_PIN],
            check=True,
            capture_output=True,
        )
        yield {"lib_path": lib, "token_label": TOKEN_LABEL, "pin": USER_PIN}


# The local key store's master key in tests (kept outside the key directory, as required).
MASTER = bytes(range(100, 132))


@pytest.fixture
def local_provider(tmp_path: Path) -> LocalKeyProvider:
    return LocalKeyProvider(tmp_path / "keys" / "kek.json", MASTER)


@pytest.fixture
def pkcs11_provider(softhsm_token: dict[str, str]) -> Iterator[Any]:
    from crypto.pkcs11_provider import Pkcs11KeyProvider

    provider = Pkcs11KeyProvider(**softhsm_token)
    yield provider
    provider.close()


@pytest.fixture(params=["local", pytest.param("pkcs11", marks=pytest.mark.pkcs11)])
def provider(request: pytest.FixtureRequest) -> KeyProvider:
    """The same contract tests run against every provider."""
    name = "local_provider" if request.param == "local" else "pkcs11_provider"
    result: KeyProvider = request.getfixturevalue(name)
    return result


@pytest.fixture
def case_id() -> str:
    return f"case-{uuid.uuid4()}"
