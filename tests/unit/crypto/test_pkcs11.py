"""PKCS#11-specific properties, against a real SoftHSM2 token (skipped without softhsm2)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from crypto.errors import KeyProviderError
from crypto.keys import fingerprint, key_check_value, key_label
from crypto.providers import provider_from_settings

pytestmark = pytest.mark.pkcs11

pkcs11 = pytest.importorskip("pkcs11")
from pkcs11 import Attribute, ObjectClass  # noqa: E402
from pkcs11 import exceptions as p11e  # noqa: E402

from crypto.pkcs11_provider import Pkcs11KeyProvider, case_key_id  # noqa: E402


def _objects(provider: Any, attrs: dict[Any, Any]) -> list[Any]:
    return list(provider._session.get_objects(attrs))


def test_keys_are_generated_sensitive_and_unextractable(
    pkcs11_provider: Pkcs11KeyProvider, case_id: str
) -> None:
    pkcs11_provider.create_kek(case_id)
    pkcs11_provider.rotate_kek(case_id)
    keys = _objects(pkcs11_provider, {Attribute.ID: case_key_id(case_id)})
    assert sorted(k.label for k in keys) == [key_label(case_id, 1), key_label(case_id, 2)]
    for key in keys:
        assert key[Attribute.CLASS] == ObjectClass.SECRET_KEY
        assert key[Attribute.TOKEN] is True
        assert key[Attribute.SENSITIVE] is True
        assert key[Attribute.EXTRACTABLE] is False
        assert key[Attribute.NEVER_EXTRACTABLE] is True
        assert key[Attribute.LOCAL] is True  # generated on the token, never imported
        assert key[Attribute.VALUE_LEN] == 32
        assert key[Attribute.WRAP] is False and key[Attribute.SIGN] is False
        with pytest.raises(p11e.AttributeSensitive):
            key[Attribute.VALUE]


def test_destroy_deletes_objects_and_leaves_tombstone(
    pkcs11_provider: Pkcs11KeyProvider, case_id: str
) -> None:
    pkcs11_provider.create_kek(case_id)
    pkcs11_provider.rotate_kek(case_id)
    fps = pkcs11_provider.destroy_case(case_id)
    assert _objects(pkcs11_provider, {Attribute.ID: case_key_id(case_id)}) == []
    for version in (1, 2):
        assert _objects(pkcs11_provider, {Attribute.LABEL: key_label(case_id, version)}) == []
    tomb = _objects(pkcs11_provider, {Attribute.LABEL: f"settleroom:{case_id}:destroyed"})
    assert len(tomb) == 1 and tomb[0][Attribute.CLASS] == ObjectClass.DATA
    assert fps == pkcs11_provider.destroy_case(case_id)


def test_fingerprint_matches_local_definition(
    pkcs11_provider: Pkcs11KeyProvider, case_id: str
) -> None:
    # Import a known key (test-only: production keys are always generated on the token)
    # and check that the token's CKA_CHECK_VALUE is the KCV that the local provider uses.
    known = bytes(range(32))
    pkcs11_provider._session.create_object(
        {
            Attribute.CLASS: ObjectClass.SECRET_KEY,
            Attribute.KEY_TYPE: pkcs11.KeyType.AES,
            Attribute.TOKEN: True,
            Attribute.VALUE: known,
            Attribute.ID: case_key_id(case_id),
            Attribute.LABEL: key_label(case_id, 1),
            Attribute.ENCRYPT: True,
            Attribute.DECRYPT: True,
        }
    )
    expected = fingerprint(key_label(case_id, 1), key_check_value(known))
    assert pkcs11_provider.destroy_case(case_id) == [expected]


def test_duplicate_label_is_reported(pkcs11_provider: Pkcs11KeyProvider, case_id: str) -> None:
    pkcs11_provider.create_kek(case_id)
    pkcs11_provider._generate(case_id, 1)  # simulate an unserialised second creator
    with pytest.raises(KeyProviderError):
        pkcs11_provider.current_version(case_id)


def test_providers_share_one_login(softhsm_token: dict[str, str]) -> None:
    case = f"case-{uuid.uuid4()}"
    first = Pkcs11KeyProvider(**softhsm_token)
    second = Pkcs11KeyProvider(**softhsm_token)
    first.create_kek(case)
    wrapped = first.wrap(case, 1, bytes(32))
    first.close()
    assert second.unwrap(case, 1, wrapped) == bytes(32)  # still logged in
    second.close()


def test_wrong_pin_and_token(softhsm_token: dict[str, str]) -> None:
    for override in ({"token_label": "no-such-token"}, {"pin": "wrong-pin"}):
        with pytest.raises(KeyProviderError) as info:
            Pkcs11KeyProvider(**{**softhsm_token, **override})
        assert softhsm_token["pin"] not in str(info.value)


def test_factory_pkcs11(softhsm_token: dict[str, str], tmp_path: Path) -> None:
    provider = provider_from_settings(
        "pkcs11",
        tmp_path,
        pkcs11_library=softhsm_token["lib_path"],
        pkcs11_token_label=softhsm_token["token_label"],
        pkcs11_pin=softhsm_token["pin"],
    )
    assert isinstance(provider, Pkcs11KeyProvider)
    provider.ping()
    provider.close()
