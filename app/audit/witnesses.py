"""The witnesses this log publishes its heads to: configuration and the HTTP calls of the
C2SP tlog-witness protocol (the client side).

A witness is a submission prefix (``SETTLEROOM_WITNESS_URLS``) and a cosigner verifier key
(``SETTLEROOM_WITNESS_KEYS``), paired by position. Nothing a witness answers is trusted
until its cosignature verifies with that key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.config import ConfigurationError, Settings
from crypto import witness as wire

if TYPE_CHECKING:
    import httpx


@dataclass(frozen=True)
class WitnessConfig:
    url: str  # submission and monitoring prefix, without a trailing slash
    verifier_key: str
    name: str


class WitnessUnreachable(Exception):  # noqa: N818 - names the situation, as the codes do
    """The witness did not answer (network error or timeout): retry later."""


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def parse_witnesses(urls: list[str], keys: list[str]) -> tuple[WitnessConfig, ...]:
    """Pair prefixes with keys; ``ValueError`` naming what is wrong (never a key)."""
    if len(urls) != len(keys):
        raise ValueError("give one witness verifier key per witness URL, in the same order")
    witnesses = []
    for url, key in zip(urls, keys, strict=True):
        if not url.startswith(("http://", "https://")):
            raise ValueError("a witness URL must start with http:// or https://")
        name, _ = wire.parse_cosigner_verifier_key(key)
        witnesses.append(WitnessConfig(url.rstrip("/"), key.strip(), name))
    return tuple(witnesses)


def configured_witnesses(settings: Settings) -> tuple[WitnessConfig, ...]:
    """The witnesses of ``settings``; ``ConfigurationError`` (refusing to start) if they do
    not pair up or a key is malformed."""
    try:
        return parse_witnesses(_split(settings.witness_urls), _split(settings.witness_keys))
    except ValueError as exc:
        raise ConfigurationError(f"SETTLEROOM_WITNESS_URLS / SETTLEROOM_WITNESS_KEYS: {exc}"
                                 ) from None


def submit(client: httpx.Client, witness: WitnessConfig, body: bytes) -> tuple[int, str]:
    """POST an add-checkpoint body; the status and the (text) answer."""
    import httpx  # imported where used: the start-up of a server without witnesses skips it

    try:
        response = client.post(f"{witness.url}/add-checkpoint", content=body,
                               headers={"Content-Type": "text/plain; charset=utf-8"})
    except httpx.HTTPError as exc:
        raise WitnessUnreachable(type(exc).__name__) from None
    return response.status_code, response.text


def latest_checkpoint(client: httpx.Client, witness: WitnessConfig, origin: str) -> str | None:
    """The witness's own record: the latest checkpoint of ``origin`` it cosigned, with its
    cosignature (None if it never cosigned one)."""
    import httpx

    try:
        response = client.get(f"{witness.url}/{wire.origin_hash(origin)}/checkpoint")
    except httpx.HTTPError as exc:
        raise WitnessUnreachable(type(exc).__name__) from None
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise WitnessUnreachable(f"HTTP {response.status_code}")
    return response.text
