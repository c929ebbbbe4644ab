"""Each JWT attack is its own test against the one strict wrapper."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwt

from app.kernel.tokens import AccessTokens, InvalidToken

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_KEY = ec.generate_private_key(ec.SECP256R1())
USER = uuid.uuid4()


def codec(key: ec.EllipticCurvePrivateKey = KEY) -> AccessTokens:
    return AccessTokens(key, issuer="settleroom", audience="settleroom-api",
                        lifetime=timedelta(minutes=15))


TOKENS = codec()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "iss": "settleroom", "aud": "settleroom-api", "sub": str(USER),
        "iat": int(NOW.timestamp()), "nbf": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(minutes=15)).timestamp()), "jti": "abc", "typ": "access",
        "gen": 0,
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def es256(payload: dict[str, object], headers: dict[str, object] | None = None,
          key: AccessTokens = TOKENS) -> str:
    return jwt.encode(payload, key._private_pem, algorithm="ES256",
                      headers={"kid": TOKENS.kid, **(headers or {})})


def unsigned(header: dict[str, object], payload: dict[str, object], sig: bytes = b"") -> str:
    return ".".join([b64(json.dumps(header).encode()), b64(json.dumps(payload).encode()),
                     b64(sig)])


def test_a_valid_token_verifies():
    token, expires_in = TOKENS.issue(USER, 3, NOW)
    got = TOKENS.verify(token, NOW + timedelta(minutes=1))
    assert got.user_id == USER and got.generation == 3 and expires_in == 900


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_in_any_casing_is_rejected(alg):
    token = unsigned({"alg": alg, "typ": "JWT", "kid": TOKENS.kid}, claims())
    with pytest.raises(InvalidToken):
        TOKENS.verify(token, NOW)


def test_hmac_signed_with_the_public_key_is_rejected():
    header = {"alg": "HS256", "typ": "JWT", "kid": TOKENS.kid}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims()).encode())}"
    sig = hmac.new(TOKENS.public_pem.encode(), signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(InvalidToken):
        TOKENS.verify(f"{signing_input}.{b64(sig)}", NOW)


@pytest.mark.parametrize("header", [
    {"crit": ["exp"]},
    {"jku": "https://attacker.example/jwks.json"},
    {"x5u": "https://attacker.example/cert.pem"},
    {"jwk": {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}},
    {"x5c": ["MIIB"]},
])
def test_key_supplying_and_crit_headers_are_rejected(header):
    with pytest.raises(InvalidToken):
        TOKENS.verify(es256(claims(), header), NOW)


def test_unknown_kid_is_rejected():
    with pytest.raises(InvalidToken):
        TOKENS.verify(es256(claims(), {"kid": "0123456789abcdef"}), NOW)


def test_a_token_signed_by_another_key_under_our_kid_is_rejected():
    forged = jwt.encode(claims(), codec(OTHER_KEY)._private_pem, algorithm="ES256",
                        headers={"kid": TOKENS.kid})
    with pytest.raises(InvalidToken):
        TOKENS.verify(forged, NOW)


def test_expired_token_is_rejected():
    token = es256(claims(exp=int((NOW - timedelta(seconds=1)).timestamp())))
    with pytest.raises(InvalidToken):
        TOKENS.verify(token, NOW)


@pytest.mark.parametrize("field", ["nbf", "iat"])
def test_future_nbf_or_iat_beyond_leeway_is_rejected(field):
    token = es256(claims(**{field: int((NOW + timedelta(seconds=31)).timestamp())}))
    with pytest.raises(InvalidToken):
        TOKENS.verify(token, NOW)


@pytest.mark.parametrize("field", ["nbf", "iat"])
def test_future_nbf_or_iat_within_leeway_is_accepted(field):
    token = es256(claims(**{field: int((NOW + timedelta(seconds=29)).timestamp())}))
    assert TOKENS.verify(token, NOW).user_id == USER


@pytest.mark.parametrize("aud", ["other-api", ["settleroom-api", "other"], "settleroom-api "])
def test_wrong_audience_is_rejected(aud):
    with pytest.raises(InvalidToken):
        TOKENS.verify(es256(claims(aud=aud)), NOW)


@pytest.mark.parametrize("iss", ["settIeroom", "settleroom ", "Settleroom", "settleroom.evil",
                                 "https://settleroom"])
def test_look_alike_issuer_is_rejected(iss):
    with pytest.raises(InvalidToken):
        TOKENS.verify(es256(claims(iss=iss)), NOW)


@pytest.mark.parametrize("missing", ["exp", "iat", "iss", "aud", "sub", "jti", "typ"])
def test_each_required_claim_is_required(missing):
    payload = claims()
    del payload[missing]
    with pytest.raises(InvalidToken):
        TOKENS.verify(es256(payload), NOW)


def test_a_token_of_another_type_is_rejected():
    with pytest.raises(InvalidToken):
        TOKENS.verify(es256(claims(typ="refresh")), NOW)


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d", "!!!.e30.e30", "e30.e30.", "x" * 5000])
def test_malformed_tokens_are_rejected(token):
    with pytest.raises(InvalidToken):
        TOKENS.verify(token, NOW)


def test_a_tampered_payload_is_rejected():
    token = es256(claims())
    head, _, sig = token.split(".")
    forged = f"{head}.{b64(json.dumps(claims(sub=str(uuid.uuid4()))).encode())}.{sig}"
    with pytest.raises(InvalidToken):
        TOKENS.verify(forged, NOW)


def test_a_remembered_token_is_still_rejected_once_expired():
    tokens = codec()
    token, _ = tokens.issue(USER, 0, NOW)
    assert tokens.verify(token, NOW + timedelta(minutes=1)).user_id == USER
    with pytest.raises(InvalidToken):
        tokens.verify(token, NOW + timedelta(minutes=16))


def test_a_tampered_copy_of_a_remembered_token_is_rejected():
    tokens = codec()
    token, _ = tokens.issue(USER, 0, NOW)
    tokens.verify(token, NOW)
    head, payload, sig = token.split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged["sub"] = str(uuid.uuid4())
    with pytest.raises(InvalidToken):
        tokens.verify(".".join([head, b64(json.dumps(forged).encode()), sig]), NOW)


def test_keys_are_parsed_once_not_per_token(monkeypatch):
    tokens = codec()
    first, _ = tokens.issue(USER, 0, NOW)  # parses the signing key
    assert tokens.verify(first, NOW).user_id == USER  # and the verifying key

    def no_parsing(*_: object, **__: object) -> None:
        raise AssertionError("a key was parsed while issuing or verifying")

    monkeypatch.setattr("jose.jwk.construct", no_parsing)
    monkeypatch.setattr("jose.jws.jwk.construct", no_parsing)
    token, _ = tokens.issue(USER, 0, NOW)
    assert tokens.verify(token, NOW).user_id == USER


def test_the_remembered_tokens_are_bounded(monkeypatch):
    monkeypatch.setattr("app.kernel.tokens.VERIFIED_CACHE_SIZE", 3)
    tokens = codec()
    issued = [tokens.issue(USER, 0, NOW)[0] for _ in range(5)]
    for token in issued:
        tokens.verify(token, NOW)
    assert list(tokens._verified) == issued[2:]
