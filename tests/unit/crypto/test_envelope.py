"""Envelope encryption: round trips, tampering, binding, streams and rotation (pyca style)."""

from __future__ import annotations

import io
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import envelope
from crypto.envelope import (
    header_info,
    open_,
    open_stream,
    open_stream_into,
    rewrap,
    seal,
    seal_stream,
)
from crypto.errors import InvalidCiphertext, KeyDestroyed
from crypto.keys import KeyProvider, LocalKeyProvider
from tests.unit.crypto.conftest import MASTER

REF: dict[str, Any] = {"object_type": "offer", "object_id": "o-1", "content_version": 1}
SEG = 16  # tiny segments keep exhaustive byte-flip loops cheap


@pytest.fixture
def local(local_provider: LocalKeyProvider, case_id: str) -> LocalKeyProvider:
    local_provider.create_kek(case_id)
    return local_provider


@pytest.fixture
def keyed(provider: KeyProvider, case_id: str) -> KeyProvider:
    provider.create_kek(case_id)
    return provider


def _seal_stream(p: KeyProvider, case_id: str, data: bytes, seg: int = SEG) -> tuple[bytes, bytes]:
    dst = io.BytesIO()
    header = seal_stream(p, io.BytesIO(data), dst, case_id=case_id, segment_size=seg, **REF)
    return header, dst.getvalue()


def _open_stream(p: KeyProvider, case_id: str, header: bytes, body: bytes, **ref: Any) -> bytes:
    """Open with both decryption paths; they must agree, on success and on failure."""
    kw = {**REF, **ref}
    joined = b"".join(open_stream(p, header, io.BytesIO(body), case_id=case_id, **kw))
    dst = io.BytesIO()
    n = open_stream_into(p, header, io.BytesIO(body), dst, case_id=case_id, **kw)
    assert dst.getvalue() == joined and n == len(joined)
    return joined


def _segments(body: bytes, seg: int = SEG) -> list[bytes]:
    size = seg + 16
    return [body[i : i + size] for i in range(0, len(body), size)]


# -- small values -----------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 1000, 1 << 16])
def test_value_round_trip(keyed: KeyProvider, case_id: str, size: int) -> None:
    plaintext = bytes(i % 251 for i in range(size))
    blob = seal(keyed, case_id=case_id, plaintext=plaintext, **REF)
    assert open_(keyed, blob, case_id=case_id, **REF) == plaintext
    assert len(blob) == 15 + 60 + 12 + size + 16
    assert blob.startswith(b"SRE\x01\x01\x00\x00\x00\x01\x00\x00\x00\x01\x00\x3c")
    if size >= 8:
        assert plaintext not in blob


def test_value_layout(local: LocalKeyProvider, case_id: str) -> None:
    blob = seal(local, case_id=case_id, plaintext=b"offer: $10", **REF)
    info = header_info(blob)
    assert (info.kind, info.content_kek_version, info.wrap_kek_version) == ("value", 1, 1)
    assert info.segment_size is None
    # Two seals of the same value differ (fresh DEK and nonce).
    assert blob != seal(local, case_id=case_id, plaintext=b"offer: $10", **REF)


def test_value_flip_every_byte(keyed: KeyProvider, case_id: str) -> None:
    blob = seal(keyed, case_id=case_id, plaintext=b"settle for 42", **REF)
    for position in range(len(blob)):
        for mask in (0x01, 0x80):
            tampered = bytearray(blob)
            tampered[position] ^= mask
            with pytest.raises(InvalidCiphertext):
                open_(keyed, bytes(tampered), case_id=case_id, **REF)


def test_value_truncated_or_extended(local: LocalKeyProvider, case_id: str) -> None:
    blob = seal(local, case_id=case_id, plaintext=b"x" * 20, **REF)
    for cut in range(len(blob)):
        with pytest.raises(InvalidCiphertext):
            open_(local, blob[:cut], case_id=case_id, **REF)
    for extra in (b"\x00", b"x" * 17):
        with pytest.raises(InvalidCiphertext):
            open_(local, blob + extra, case_id=case_id, **REF)


BINDING_CASES = [
    pytest.param({"object_type": "ene_statement"}, id="object_type"),
    pytest.param({"object_id": "o-2"}, id="object_id"),
    pytest.param({"object_id": "o-1 "}, id="object_id_suffix"),
    pytest.param({"content_version": 2}, id="content_version"),
    pytest.param({"content_version": 0}, id="content_version_0"),
    pytest.param({"object_type": "offe", "object_id": "ro-1"}, id="field_boundary"),
]


@pytest.mark.parametrize("change", BINDING_CASES)
def test_value_bound_to_object(local: LocalKeyProvider, case_id: str, change: Any) -> None:
    blob = seal(local, case_id=case_id, plaintext=b"secret", **REF)
    with pytest.raises(InvalidCiphertext):
        open_(local, blob, case_id=case_id, **{**REF, **change})


def test_value_bound_to_case(keyed: KeyProvider, case_id: str) -> None:
    other = case_id + "-other"
    keyed.create_kek(other)
    blob = seal(keyed, case_id=case_id, plaintext=b"secret", **REF)
    with pytest.raises(InvalidCiphertext):
        open_(keyed, blob, case_id=other, **REF)


@pytest.mark.parametrize(
    "field,value",
    [("content_kek", 2), ("wrap_kek", 2), ("wrap_kek", 0), ("format", 2), ("kind", 2)],
)
def test_value_header_fields_authenticated(
    local: LocalKeyProvider, case_id: str, field: str, value: int
) -> None:
    blob = bytearray(seal(local, case_id=case_id, plaintext=b"secret", **REF))
    local.rotate_kek(case_id)  # version 2 exists, so only the binding can reject it
    offsets = {
        "format": (3, ">B"),
        "kind": (4, ">B"),
        "content_kek": (5, ">I"),
        "wrap_kek": (9, ">I"),
    }
    offset, fmt = offsets[field]
    struct.pack_into(fmt, blob, offset, value)
    with pytest.raises(InvalidCiphertext):
        open_(local, bytes(blob), case_id=case_id, **REF)


def test_content_aad_vector() -> None:
    aad = envelope._content_aad(1, 3, envelope._Ref("c", "offer", "o-1", 7))
    assert aad == (
        b"settleroom/envelope\0\x01\x01\x00\x00\x00\x03"
        b"\x00\x00\x00\x01c\x00\x00\x00\x05offer\x00\x00\x00\x03o-1"
        b"\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00\x00"
    )


@settings(max_examples=50, deadline=None)
@given(plaintext=st.binary(max_size=300))
def test_value_round_trip_property(tmp_path_factory: Any, plaintext: bytes) -> None:
    provider = _hyp_provider(tmp_path_factory)
    blob = seal(provider, case_id="hyp", plaintext=plaintext, **REF)
    assert open_(provider, blob, case_id="hyp", **REF) == plaintext


_HYP: dict[str, LocalKeyProvider] = {}


def _hyp_provider(factory: Any) -> LocalKeyProvider:
    if "p" not in _HYP:
        _HYP["p"] = LocalKeyProvider(factory.mktemp("hyp") / "keys" / "kek.json", MASTER)
        _HYP["p"].create_kek("hyp")
    return _HYP["p"]


# -- streams ----------------------------------------------------------------------------

STREAM_SIZES = [0, 1, SEG - 1, SEG, SEG + 1, 2 * SEG, 3 * SEG + SEG // 2]


@pytest.mark.parametrize("size", STREAM_SIZES)
def test_stream_round_trip(keyed: KeyProvider, case_id: str, size: int) -> None:
    data = bytes((i * 7) % 256 for i in range(size))
    header, body = _seal_stream(keyed, case_id, data)
    segments = max(1, -(-size // SEG))
    assert len(body) == size + 16 * segments
    assert _open_stream(keyed, case_id, header, body) == data
    assert header_info(header).segment_size == SEG


@pytest.mark.parametrize("size", [0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 7 << 19])
def test_stream_round_trip_default_segment(
    local: LocalKeyProvider, case_id: str, size: int
) -> None:
    data = (bytes(range(256)) * (size // 256 + 1))[:size]
    dst = io.BytesIO()
    header = seal_stream(local, io.BytesIO(data), dst, case_id=case_id, **REF)
    chunks = list(open_stream(local, header, io.BytesIO(dst.getvalue()), case_id=case_id, **REF))
    assert b"".join(chunks) == data
    assert all(len(c) == 1 << 20 for c in chunks[:-1])


class _Trickle(io.RawIOBase):
    """A source that returns at most 5 bytes per read, like a socket."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        chunk = self._data.read(min(5, len(buf)))
        buf[: len(chunk)] = chunk
        return len(chunk)


def test_stream_short_reads(local: LocalKeyProvider, case_id: str) -> None:
    data = bytes(range(100))
    dst = io.BytesIO()
    header = seal_stream(local, _Trickle(data), dst, case_id=case_id, segment_size=SEG, **REF)  # type: ignore[arg-type]
    out = open_stream(local, header, _Trickle(dst.getvalue()), case_id=case_id, **REF)  # type: ignore[arg-type]
    assert b"".join(out) == data


def test_stream_flip_every_byte(keyed: KeyProvider, case_id: str) -> None:
    header, body = _seal_stream(keyed, case_id, bytes(range(56)))
    for position in range(len(body)):
        tampered = bytearray(body)
        tampered[position] ^= 0x01
        with pytest.raises(InvalidCiphertext):
            _open_stream(keyed, case_id, header, bytes(tampered))
    for position in range(len(header)):
        tampered = bytearray(header)
        tampered[position] ^= 0x01
        with pytest.raises(InvalidCiphertext):
            _open_stream(keyed, case_id, bytes(tampered), body)


def _stream_attacks(body: bytes) -> dict[str, bytes]:
    s = _segments(body)
    assert len(s) == 4
    attacks = {
        "drop_last": b"".join(s[:3]),
        "drop_first": b"".join(s[1:]),
        "drop_middle": s[0] + s[2] + s[3],
        "swap": s[1] + s[0] + s[2] + s[3],
        "duplicate": s[0] + s[0] + s[1] + s[2] + s[3],
        "duplicate_last": body + s[3],
        "append_garbage": body + b"\x00" * 16,
        "append_byte": body + b"\x00",
        "cut_mid_segment": body[:-3],
        "cut_to_tag": body[: len(body) - len(s[3]) + 16],
        "empty": b"",
    }
    assert sorted(attacks) == sorted(ATTACKS)
    return attacks


ATTACKS = [
    "drop_last",
    "drop_first",
    "drop_middle",
    "swap",
    "duplicate",
    "duplicate_last",
    "append_garbage",
    "append_byte",
    "cut_mid_segment",
    "cut_to_tag",
    "empty",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_stream_structure_attacks(local: LocalKeyProvider, case_id: str, attack: str) -> None:
    header, body = _seal_stream(local, case_id, bytes(range(56)))
    with pytest.raises(InvalidCiphertext):
        _open_stream(local, case_id, header, _stream_attacks(body)[attack])


def test_stream_into_writes_only_verified_prefix(local: LocalKeyProvider, case_id: str) -> None:
    data = bytes(range(56))
    header, body = _seal_stream(local, case_id, data)
    dst = io.BytesIO()
    with pytest.raises(InvalidCiphertext):
        open_stream_into(local, header, io.BytesIO(body[:-1]), dst, case_id=case_id, **REF)
    assert dst.getvalue() == data[: 3 * SEG]  # the tampered last segment never reached dst


def test_stream_iterator_chunks_are_independent(local: LocalKeyProvider, case_id: str) -> None:
    data = bytes(range(56))
    header, body = _seal_stream(local, case_id, data)
    chunks = list(open_stream(local, header, io.BytesIO(body), case_id=case_id, **REF))
    assert [len(c) for c in chunks] == [16, 16, 16, 8]
    assert all(isinstance(c, bytes) for c in chunks) and b"".join(chunks) == data


def test_stream_splice_between_objects(local: LocalKeyProvider, case_id: str) -> None:
    h1, b1 = _seal_stream(local, case_id, b"a" * 40)
    h2, b2 = _seal_stream(local, case_id, b"b" * 40)
    with pytest.raises(InvalidCiphertext):
        _open_stream(local, case_id, h1, b2)
    with pytest.raises(InvalidCiphertext):
        _open_stream(local, case_id, h1, _segments(b1)[0] + _segments(b2)[1] + _segments(b1)[2])


@pytest.mark.parametrize("change", BINDING_CASES)
def test_stream_bound_to_object(local: LocalKeyProvider, case_id: str, change: Any) -> None:
    header, body = _seal_stream(local, case_id, b"doc" * 10)
    # The header tag is checked when open_stream is called, before reading any segment.
    with pytest.raises(InvalidCiphertext):
        open_stream(local, header, io.BytesIO(body), case_id=case_id, **{**REF, **change})


def test_stream_and_value_kinds_not_interchangeable(local: LocalKeyProvider, case_id: str) -> None:
    header, body = _seal_stream(local, case_id, b"doc")
    blob = seal(local, case_id=case_id, plaintext=b"doc", **REF)
    with pytest.raises(InvalidCiphertext):
        open_(local, header, case_id=case_id, **REF)
    with pytest.raises(InvalidCiphertext):
        open_stream(local, blob, io.BytesIO(body), case_id=case_id, **REF)


@pytest.mark.parametrize("segment_size", [0, -1, (1 << 26) + 1])
def test_stream_segment_size_validated(
    local: LocalKeyProvider, case_id: str, segment_size: int
) -> None:
    with pytest.raises(ValueError):
        _seal_stream(local, case_id, b"x", seg=segment_size)


# -- rotation and destruction -----------------------------------------------------------


def test_rotate_rewrap_open(keyed: KeyProvider, case_id: str) -> None:
    old_blob = seal(keyed, case_id=case_id, plaintext=b"v1 content", **REF)
    old_header, body = _seal_stream(keyed, case_id, b"stream content" * 5)
    assert keyed.rotate_kek(case_id) == 2
    # Unrotated blobs still open under the old version.
    assert open_(keyed, old_blob, case_id=case_id, **REF) == b"v1 content"
    new_blob = rewrap(keyed, old_blob, case_id=case_id, **REF)
    new_header = rewrap(keyed, old_header, case_id=case_id, **REF)
    for new, old in ((new_blob, old_blob), (new_header, old_header)):
        info = header_info(new)
        assert (info.content_kek_version, info.wrap_kek_version) == (1, 2)
        assert new[75:] == old[75:]  # content untouched: only the wrapped DEK changed
        assert new[:9] == old[:9]
    assert open_(keyed, new_blob, case_id=case_id, **REF) == b"v1 content"
    assert _open_stream(keyed, case_id, new_header, body) == b"stream content" * 5
    # Idempotent: already current -> the very same bytes.
    assert rewrap(keyed, new_blob, case_id=case_id, **REF) is new_blob
    # New seals use the current version in both fields.
    fresh = header_info(seal(keyed, case_id=case_id, plaintext=b"x", **REF))
    assert (fresh.content_kek_version, fresh.wrap_kek_version) == (2, 2)


def test_rewrap_refuses_tampered_or_misplaced(local: LocalKeyProvider, case_id: str) -> None:
    blob = seal(local, case_id=case_id, plaintext=b"content", **REF)
    header, _ = _seal_stream(local, case_id, b"content")
    local.rotate_kek(case_id)
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    for bad, ref in [
        (tampered, REF),
        (blob, {**REF, "object_id": "o-2"}),
        (header, {**REF, "content_version": 9}),
    ]:
        with pytest.raises(InvalidCiphertext):
            rewrap(local, bad, case_id=case_id, **ref)


def test_rewrap_explicit_versions(local: LocalKeyProvider, case_id: str) -> None:
    blob = seal(local, case_id=case_id, plaintext=b"content", **REF)
    local.rotate_kek(case_id)
    local.rotate_kek(case_id)
    to_two = rewrap(local, blob, case_id=case_id, new_version=2, **REF)
    assert header_info(to_two).wrap_kek_version == 2
    with pytest.raises(ValueError):
        rewrap(local, to_two, case_id=case_id, new_version=1, **REF)
    assert open_(local, rewrap(local, to_two, case_id=case_id, **REF), case_id=case_id, **REF)


def test_destroyed_case_cannot_open(keyed: KeyProvider, case_id: str) -> None:
    blob = seal(keyed, case_id=case_id, plaintext=b"gone", **REF)
    header, body = _seal_stream(keyed, case_id, b"gone too")
    keyed.destroy_case(case_id)
    assert not keyed.has_keys(case_id)
    with pytest.raises(KeyDestroyed):
        open_(keyed, blob, case_id=case_id, **REF)
    with pytest.raises(KeyDestroyed):
        open_stream(keyed, header, io.BytesIO(body), case_id=case_id, **REF)
    with pytest.raises(KeyDestroyed):
        seal(keyed, case_id=case_id, plaintext=b"new", **REF)
