"""Choosing the configured key provider.

Kept apart from ``crypto.keys`` so that the provider protocol and the local key file do not
import the PKCS#11 provider, which imports them (python-pkcs11 is loaded only for that
kind).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crypto.errors import KeyProviderError
from crypto.keys import KeyProvider, LocalKeyProvider


def provider_from_settings(kind: str, data_dir: Path, **kw: Any) -> KeyProvider:
    """Build the configured provider.

    ``kind="local"``: key file ``kw.get("key_file")`` or ``data_dir/keys/kek.json``,
    encrypted under ``kw["master_key"]`` (32 bytes, kept outside the data directory).
    ``kind="pkcs11"``: ``lib_path``, ``token_label`` and ``pin`` (the settings names
    ``pkcs11_library``, ``pkcs11_token_label``, ``pkcs11_pin`` are accepted too; a pin may
    be a pydantic ``SecretStr``). python-pkcs11 is imported only for this kind.
    """
    if kind == "local":
        key_file = kw.get("key_file") or Path(data_dir) / "keys" / "kek.json"
        master_key = kw.get("master_key")
        if not isinstance(master_key, bytes):
            raise KeyProviderError("the local key provider needs master_key")
        return LocalKeyProvider(Path(key_file), master_key)
    if kind == "pkcs11":
        lib_path = kw.get("lib_path") or kw.get("pkcs11_library")
        label = kw.get("token_label") or kw.get("pkcs11_token_label")
        pin: Any = kw.get("pin") or kw.get("pkcs11_pin")
        if pin is not None and hasattr(pin, "get_secret_value"):
            pin = pin.get_secret_value()
        if not lib_path or not label or not pin:
            raise KeyProviderError("pkcs11 needs lib_path, token_label and pin")
        from crypto.pkcs11_provider import Pkcs11KeyProvider

        return Pkcs11KeyProvider(str(lib_path), str(label), str(pin))
    raise KeyProviderError("unknown key provider kind (expected 'local' or 'pkcs11')")
