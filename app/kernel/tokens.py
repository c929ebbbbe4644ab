"""The one strict wrapper around python-jose for access tokens.

Threats handled before the library sees the token: algorithm confusion (``none`` in any
casing, HMAC keyed with the public key), header-supplied keys (``jku``/``x5u``/``jwk``/
``x5c``), ``crit`` extensions, unknown ``kid``. Claims required: ``exp``, ``iat``, ``iss``,
``aud``, ``sub``, ``jti`` and ``typ == "access"``; ``exp`` has no leeway; ``nbf``/``iat``
may not be in the future beyond the leeway. Every failure is the same ``InvalidToken``:
callers learn nothing more.

Cost: the signing and verifying keys are parsed once, into python-jose key objects, when the
first token is issued or verified (python-jose is imported there: a server starts without
loading it, ``tests/unit/test_startup_imports.py``). A token
whose header, signature and claims verified is remembered (bounded, keyed by the exact token
string), with what its claims say, so a client's repeated requests skip the signature and
the checks that depend on the token alone; the time claims are compared with the clock again
on every use, and revocation is the caller's check of the account row, never cached here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

if TYPE_CHECKING:
    from jose.backends.base import Key

ALGORITHM = "ES256"
LEEWAY_SECONDS = 30
MAX_TOKEN_LENGTH = 4096
ALLOWED_HEADERS = frozenset({"alg", "typ", "kid"})
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "jti", "typ")
VERIFIED_CACHE_SIZE = 4096


class InvalidToken(Exception):
    """The token is not a valid access token of this service."""


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    generation: int
    jti: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class _Verified:
    """A token whose signature and token-only claims checked: what remains is the clock."""

    claims: AccessClaims
    expires: int  # exp
    not_before: int  # the later of iat and nbf


def _b64url_json(segment: str) -> dict[str, object]:
    try:
        padded = segment + "=" * (-len(segment) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
        value = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise InvalidToken from exc
    if not isinstance(value, dict):
        raise InvalidToken
    return value


class AccessTokens:
    def __init__(
        self, private_key: ec.EllipticCurvePrivateKey, *, issuer: str, audience: str,
        lifetime: timedelta,
    ) -> None:
        self._private_pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        public_der = private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_pem = private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        self.kid = hashlib.sha256(public_der).hexdigest()[:16]
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        # token -> its checked claims. Insertion-ordered: the oldest is evicted.
        self._verified: dict[str, _Verified] = {}
        self._verified_lock = threading.Lock()

    @cached_property
    def _signing_key(self) -> Key:
        from jose import jwk

        return jwk.construct(self._private_pem, ALGORITHM)

    @cached_property
    def _verifying_key(self) -> Key:
        from jose import jwk

        return jwk.construct(self.public_pem, ALGORITHM)

    def issue(self, user_id: uuid.UUID, generation: int, now: datetime) -> tuple[str, int]:
        from jose import jwt

        exp = now + self.lifetime
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(user_id),
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int(exp.timestamp()),
            "jti": secrets.token_urlsafe(16),
            "typ": "access",
            "gen": generation,
        }
        token = jwt.encode(claims, self._signing_key, algorithm=ALGORITHM,
                           headers={"kid": self.kid, "typ": "JWT"})
        return token, int(self.lifetime.total_seconds())

    def _check_header(self, token: str) -> None:
        if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
            raise InvalidToken
        header = _b64url_json(token.split(".", 1)[0])
        if set(header) - ALLOWED_HEADERS:
            raise InvalidToken  # crit, jku, x5u, jwk, x5c, ... are never honoured
        if header.get("alg") != ALGORITHM:  # exact match: "none", "NONE", "HS256" all fail
            raise InvalidToken
        if header.get("kid") != self.kid:
            raise InvalidToken
        if header.get("typ", "JWT") != "JWT":
            raise InvalidToken

    def verify(self, token: str, now: datetime | None = None) -> AccessClaims:
        ts = time.time() if now is None else now.timestamp()
        verified = self._verified.get(token)
        if verified is None:
            verified = self._check_claims(self._verify_signature(token))
            with self._verified_lock:
                while len(self._verified) >= VERIFIED_CACHE_SIZE:
                    del self._verified[next(iter(self._verified))]
                self._verified[token] = verified
        # exp has no leeway; iat and nbf may be ahead of this clock by the leeway only.
        if verified.expires <= ts or verified.not_before > ts + LEEWAY_SECONDS:
            raise InvalidToken
        return verified.claims

    def _verify_signature(self, token: str) -> dict[str, object]:
        from jose import jwt
        from jose.exceptions import JOSEError

        self._check_header(token)
        try:
            claims: dict[str, object] = jwt.decode(
                token, self._verifying_key, algorithms=[ALGORITHM], audience=self.audience,
                issuer=self.issuer,
                options={"leeway": LEEWAY_SECONDS, "verify_exp": False, "verify_nbf": False,
                         "verify_iat": False, "verify_at_hash": False},
            )
        except (JOSEError, ValueError, TypeError) as exc:
            raise InvalidToken from exc
        return claims

    def _check_claims(self, claims: dict[str, object]) -> _Verified:
        """Every check that depends on the token alone; ``verify`` compares the times."""
        if any(name not in claims for name in REQUIRED_CLAIMS):
            raise InvalidToken
        if claims["iss"] != self.issuer or claims["aud"] != self.audience:
            raise InvalidToken
        if claims["typ"] != "access":
            raise InvalidToken
        exp, iat, nbf = claims["exp"], claims["iat"], claims.get("nbf", claims["iat"])
        gen = claims.get("gen", 0)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (exp, iat, nbf, gen)):
            raise InvalidToken
        assert isinstance(exp, int) and isinstance(iat, int) and isinstance(gen, int)
        assert isinstance(nbf, int)
        if not isinstance(claims["jti"], str) or not isinstance(claims["sub"], str):
            raise InvalidToken
        try:
            user_id = uuid.UUID(claims["sub"])
            issued_at, expires_at = (datetime.fromtimestamp(iat, UTC),
                                     datetime.fromtimestamp(exp, UTC))
        except (ValueError, OverflowError, OSError) as exc:
            raise InvalidToken from exc
        return _Verified(
            AccessClaims(user_id=user_id, generation=gen, jti=claims["jti"],
                         issued_at=issued_at, expires_at=expires_at),
            expires=exp, not_before=max(iat, nbf))


def new_refresh_token() -> tuple[str, bytes]:
    """An opaque token and the hash that is stored (the token itself never is)."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


CAPABILITY_TOKEN_LENGTH = 43  # 32 bytes, base64url without padding


def capability_token(key: bytes, purpose: str, object_id: uuid.UUID, nonce: bytes) -> str:
    """A link's bearer token (an invitation's), derived rather than stored.

    HMAC-SHA256 under the server's secret of (purpose, object id, a random nonce): whoever
    holds the database alone cannot compute it (the secret is not in it), whoever holds the
    secret alone cannot either (the nonce is random and erased once the mail is sent), and
    a token of one purpose or object is not one of another. Only its ``hash_capability_token``
    is kept to recognise it.
    """
    mac = hmac.new(key, b"settleroom.capability.v1\x00" + purpose.encode() + b"\x00"
                   + object_id.bytes + nonce, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def hash_capability_token(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
