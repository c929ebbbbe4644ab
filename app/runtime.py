"""Long-lived collaborators built once per app from settings (keys, hashers, stores)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Request

from app.audit.log import LogSigner
from app.blobs import BlobStore, BlobStoreUnavailable, blob_store_from_settings
from app.config import Settings
from app.kernel.originals import Originals
from app.kernel.passwords import Passwords
from app.kernel.tokens import AccessTokens
from app.keyfiles import (
    audit_signing_key,
    ensure_data_dir,
    hmac_secret,
    jwt_private_key,
    master_key,
    tighten_data_dir,
)
from app.models.base import utcnow
from crypto.errors import KeyProviderError
from crypto.keys import KeyProvider
from crypto.providers import provider_from_settings


@dataclass
class Services:
    settings: Settings
    passwords: Passwords
    access_tokens: AccessTokens
    hmac_key: bytes
    key_provider: KeyProvider
    audit_key: Ed25519PrivateKey
    blob_store: BlobStore  # the ciphertext of documents (app.blobs)
    # The time source of every time-dependent rule (deadlines, expiry); tests replace it.
    clock: Callable[[], datetime] = field(default=utcnow)
    originals: Originals = field(default_factory=Originals)  # decrypted originals, per version

    @property
    def log_signer(self) -> LogSigner:
        return LogSigner(self.audit_key, self.settings.log_origin,
                         self.settings.tree_head_interval_seconds)

    def now(self) -> datetime:
        return self.clock()

    def key_store_problem(self) -> str | None:
        """Readiness: None when the key store answers, else a problem code."""
        try:
            self.key_provider.ping()
        except KeyProviderError:
            return "key_store_unavailable"
        return None

    def blob_store_problem(self) -> str | None:
        """Readiness: None when the blob store takes writes, else a problem code."""
        try:
            self.blob_store.check()
        except BlobStoreUnavailable as e:
            return e.code
        return None


def build_services(settings: Settings) -> Services:
    ensure_data_dir(settings.data_dir)
    services = Services(
        settings=settings,
        passwords=Passwords.from_settings(settings),
        access_tokens=AccessTokens(
            jwt_private_key(settings),
            issuer=settings.token_issuer,
            audience=settings.token_audience,
            lifetime=timedelta(minutes=settings.access_token_minutes),
        ),
        hmac_key=hmac_secret(settings),
        key_provider=provider_from_settings(
            settings.key_provider, settings.data_dir,
            pkcs11_library=settings.pkcs11_library,
            pkcs11_token_label=settings.pkcs11_token_label,
            pkcs11_pin=settings.pkcs11_pin,
            master_key=master_key(settings) if settings.key_provider == "local" else None,
            key_file=settings.key_store_file,
        ),
        audit_key=audit_signing_key(settings),
        blob_store=blob_store_from_settings(settings),
        originals=Originals(settings.originals_cache_bytes),
    )
    tighten_data_dir(settings.data_dir)
    return services


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services
