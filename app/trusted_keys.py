"""Where an offline verifier gets the log's public key, and which one it used.

A signed document (destruction certificate) carries its signer's public key, so checking
it against that key alone proves nothing: anyone can sign with a key of their own. The key
must come from somewhere the document's author does not control:

- ``pinned``: a PEM file the verifier obtained out of band (``--public-key``);
- ``published``: the keys the running service publishes (``GET /api/v1/audit/public-keys``
  over HTTPS, or plain HTTP to a loopback address), authenticated with an access token
  because the list is served to signed-in users only (``SETTLEROOM_TOKEN``);
- ``server``: this server's own audit signing key, read (never created) from the data
  directory, when the verifier runs on the server.

Each returns a ``TrustedKey`` naming its source, which the command prints. There is no
fallback to the key inside the document: without one of these the command refuses.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from app.config import Settings
from app.keyfiles import AUDIT_KEY_FILE
from crypto import signing

if TYPE_CHECKING:
    import httpx

PUBLIC_KEYS_PATH = "/api/v1/audit/public-keys"
TIMEOUT_SECONDS = 10.0


class KeySourceError(Exception):
    """No trusted key could be had; the message says why and what to do."""


@dataclass(frozen=True)
class TrustedKey:
    pem: bytes
    key_id: str
    source: str  # for the output: where the key came from


def _load(pem: bytes, source: str) -> TrustedKey:
    try:
        key = signing.load_public_key_pem(pem)
    except ValueError:
        raise KeySourceError(f"{source} is not an Ed25519 public key in PEM form") from None
    return TrustedKey(signing.public_key_to_pem(key), signing.key_id(key), source)


def pinned(path: str) -> TrustedKey:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise KeySourceError(f"cannot read the public key file {path}: {exc.strerror}"
                             ) from None
    return _load(data, f"pinned: key file {path}")


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise KeySourceError(f"--url must be the service's https:// address, not {url!r}")
    if parts.scheme == "http":
        try:
            loopback = ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            loopback = parts.hostname == "localhost"
        if not loopback:
            raise KeySourceError("--url must use https:// (a key fetched over plain HTTP "
                                 "could be swapped on the way)")
    return url.rstrip("/")


def published(url: str, token: str | None, key_id: str, *,
              client: httpx.Client | None = None) -> TrustedKey:
    """The key ``key_id`` among those the service at ``url`` publishes."""
    base = _check_url(url)
    if not token:
        raise KeySourceError("the service publishes its keys to signed-in users: put an "
                             "access token in SETTLEROOM_TOKEN")
    import httpx  # imported where used: only the key-fetching commands need it

    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT_SECONDS)
    try:
        r = http.get(base + PUBLIC_KEYS_PATH, headers={"Authorization": f"Bearer {token}"})
        if r.status_code != 200:
            raise KeySourceError(f"{base} answered {r.status_code} for its public keys")
        keys = r.json()
    except httpx.HTTPError as exc:
        raise KeySourceError(f"cannot fetch the public keys from {base}: "
                             f"{type(exc).__name__}") from None
    except ValueError:
        raise KeySourceError(f"{base} did not answer a list of public keys") from None
    finally:
        if own:
            http.close()
    for item in keys if isinstance(keys, list) else []:
        if isinstance(item, dict) and item.get("key_id") == key_id:
            found = _load(str(item.get("public_key_pem", "")).encode(),
                          f"published by {base}")
            if found.key_id != key_id:  # the list's key_id must be the key's own
                raise KeySourceError(f"{base} publishes key {key_id} with another key's PEM")
            return found
    raise KeySourceError(f"the document is signed by key {key_id}, which {base} does not "
                         "publish")


def server(settings: Settings) -> TrustedKey:
    """This server's current audit signing key (the public half), from its data directory.
    A key replaced since is not here: pin it with ``--public-key``."""
    path = settings.data_dir / AUDIT_KEY_FILE
    try:
        private = signing.load_private_key_pem(path.read_bytes())
    except FileNotFoundError:
        raise KeySourceError(f"no audit signing key in {settings.data_dir}: run this on the "
                             "server, or use --public-key or --url") from None
    except OSError as exc:
        raise KeySourceError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError:
        raise KeySourceError(f"{path} is not an Ed25519 private key") from None
    return _load(signing.public_key_to_pem(private.public_key()),
                 f"this server's audit key in {settings.data_dir}")
