"""Envelope encryption of case content: one fresh DEK per object version, wrapped by a KEK.

Format v1 (all integers big-endian). Every blob and stream header starts with

    magic "SRE" | format u8 = 1 | kind u8 | content_kek_version u32 | wrap_kek_version u32
    | wrapped_dek_len u16 | wrapped_dek (60 bytes from both providers)

then, for kind 1 (a small value): ``nonce(12) | AES-256-GCM ciphertext | tag(16)``; for
kind 2 (a stream header): ``segment_size u32 | nonce_prefix(7) | header_tag(16)``. The
segments of a stream are stored elsewhere (``dst``): ``len(segment) + 16`` bytes each.

Binding (the resolution of "the content AAD binds the KEK version" versus "rotation must
not re-encrypt content"): the content AAD binds ``content_kek_version``, the KEK version
current when the content was sealed; it never changes. ``wrap_kek_version`` says which KEK
currently wraps the DEK and is bound by the wrapping AAD inside the provider
(``crypto.keys.wrap_aad``). ``rewrap`` replaces only ``wrap_kek_version`` and
``wrapped_dek``. So every header byte is authenticated: magic/format/kind/
content_kek_version/segment_size by the content AAD (or parsing), wrap_kek_version and
wrapped_dek by the wrapping AEAD, the nonce by GCM itself.

Content AAD = ``b"settleroom/envelope\\0" | format u8 | kind u8 | content_kek_version u32
| len-prefixed case_id, object_type, object_id (u32 length + UTF-8) | content_version u64
| segment_size u32 (0 for values)``. A blob moved to another case, object, object type or
content version, or with any header byte changed, raises ``InvalidCiphertext``.

Streams follow the STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015): the
nonce of segment i is ``nonce_prefix | i u32 | last u8`` where ``last`` is 1 only for the
final segment; every segment but the last holds exactly ``segment_size`` plaintext bytes,
an empty plaintext is one empty final segment. Truncation, reordering, duplication and
appending therefore fail. The header tag is GCM over an empty plaintext with nonce
``nonce_prefix | 0xFFFFFFFF | 2`` (never a segment nonce): it lets ``open_stream`` and
``rewrap`` check the DEK and header against the object before touching any segment.

Threat assumptions: the storage and database are untrusted for integrity and
confidentiality; the key provider is trusted. ``open_stream`` yields plaintext before the
end is authenticated (as any streaming AEAD): consumers must treat content as untrusted
until the iterator finishes without raising. Nonces are random, but uniqueness does not
depend on it since every DEK encrypts exactly one object version.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, NamedTuple, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crypto.errors import InvalidCiphertext
from crypto.keys import KeyProvider

__all__ = [
    "DEFAULT_SEGMENT_SIZE",
    "FORMAT_VERSION",
    "HeaderInfo",
    "header_info",
    "open_",
    "open_stream",
    "open_stream_into",
    "rewrap",
    "seal",
    "seal_stream",
]

MAGIC = b"SRE"
FORMAT_VERSION = 1
KIND_VALUE = 1
KIND_STREAM = 2
TAG_LEN = 16
NONCE_LEN = 12
DEFAULT_SEGMENT_SIZE = 1 << 20
MAX_SEGMENT_SIZE = 1 << 26
_FIXED = struct.Struct(">3sBBIIH")
_STREAM_TAIL = struct.Struct(">I7s")
_STREAM_BODY_LEN = _STREAM_TAIL.size + TAG_LEN
_AAD_DOMAIN = b"settleroom/envelope\0"
_CHECK_INDEX = 0xFFFFFFFF  # reserved for the header tag; segments use indices below it


@dataclass(frozen=True)
class HeaderInfo:
    """Unauthenticated header fields, for planning rotation (``open_`` authenticates)."""

    kind: str  # "value" or "stream"
    content_kek_version: int
    wrap_kek_version: int
    segment_size: int | None


class _Ref(NamedTuple):
    """The object a blob belongs to; all of it goes into the content AAD."""

    case_id: str
    object_type: str
    object_id: str
    content_version: int


@dataclass(frozen=True)
class _Parsed:
    kind: int
    content_kek_version: int
    wrap_kek_version: int
    wrapped_dek: bytes
    body: bytes


def _content_aad(kind: int, content_kek_version: int, ref: _Ref, segment_size: int = 0) -> bytes:
    version = ref.content_version
    if isinstance(version, bool) or not isinstance(version, int) or not 0 <= version < 2**64:
        raise ValueError("content_version is an integer in [0, 2**64)")
    parts = [_AAD_DOMAIN, struct.pack(">BBI", FORMAT_VERSION, kind, content_kek_version)]
    for text in (ref.case_id, ref.object_type, ref.object_id):
        raw = text.encode("utf-8")
        parts += [struct.pack(">I", len(raw)), raw]
    parts.append(struct.pack(">QI", version, segment_size))
    return b"".join(parts)


def _pack_header(kind: int, content_kek: int, wrap_kek: int, wrapped: bytes) -> bytes:
    return _FIXED.pack(MAGIC, FORMAT_VERSION, kind, content_kek, wrap_kek, len(wrapped)) + wrapped


def _parse(blob: bytes) -> _Parsed:
    """Split a blob; any malformation is the same opaque ``InvalidCiphertext``."""
    if len(blob) < _FIXED.size:
        raise InvalidCiphertext
    magic, fmt, kind, content_kek, wrap_kek, wlen = _FIXED.unpack_from(blob)
    end = _FIXED.size + wlen
    body = bytes(blob[end:])
    if magic != MAGIC or fmt != FORMAT_VERSION or content_kek == 0 or wrap_kek == 0:
        raise InvalidCiphertext
    if kind == KIND_VALUE and len(body) < NONCE_LEN + TAG_LEN:
        raise InvalidCiphertext
    if kind == KIND_STREAM and len(body) != _STREAM_BODY_LEN:
        raise InvalidCiphertext
    if kind not in (KIND_VALUE, KIND_STREAM) or len(blob) < end:
        raise InvalidCiphertext
    return _Parsed(kind, content_kek, wrap_kek, bytes(blob[_FIXED.size : end]), body)


def _stream_nonce(prefix: bytes, index: int, flag: int) -> bytes:
    return prefix + struct.pack(">IB", index, flag)


def _new_dek(provider: KeyProvider, case_id: str) -> tuple[int, bytes, bytes]:
    version = provider.current_version(case_id)
    dek = AESGCM.generate_key(bit_length=256)
    return version, dek, provider.wrap(case_id, version, dek)


def seal(
    provider: KeyProvider,
    *,
    case_id: str,
    object_type: str,
    object_id: str,
    content_version: int,
    plaintext: bytes,
) -> bytes:
    """Encrypt a small value into one self-describing blob (for a ``bytes`` column)."""
    version, dek, wrapped = _new_dek(provider, case_id)
    aad = _content_aad(KIND_VALUE, version, _Ref(case_id, object_type, object_id, content_version))
    nonce = os.urandom(NONCE_LEN)
    ciphertext = AESGCM(dek).encrypt(nonce, plaintext, aad)
    return _pack_header(KIND_VALUE, version, version, wrapped) + nonce + ciphertext


def open_(
    provider: KeyProvider,
    blob: bytes,
    *,
    case_id: str,
    object_type: str,
    object_id: str,
    content_version: int,
) -> bytes:
    """Decrypt a ``seal`` blob; ``InvalidCiphertext`` or ``KeyDestroyed`` on failure."""
    parsed = _parse(blob)
    if parsed.kind != KIND_VALUE:
        raise InvalidCiphertext
    dek = provider.unwrap(case_id, parsed.wrap_kek_version, parsed.wrapped_dek)
    return _decrypt_value(dek, parsed, _Ref(case_id, object_type, object_id, content_version))


def _decrypt_value(dek: bytes, parsed: _Parsed, ref: _Ref) -> bytes:
    aad = _content_aad(KIND_VALUE, parsed.content_kek_version, ref)
    body = parsed.body
    try:
        return AESGCM(dek).decrypt(body[:NONCE_LEN], body[NONCE_LEN:], aad)
    except InvalidTag:
        raise InvalidCiphertext from None


def _check_segment_size(segment_size: int) -> None:
    if isinstance(segment_size, bool) or not 0 < segment_size <= MAX_SEGMENT_SIZE:
        raise ValueError("segment_size must be in [1, 64 MiB]")


def _read_full(src: BinaryIO, buf: bytearray) -> int:
    """Fill ``buf`` from ``src`` (short reads are retried); return bytes read, < len at EOF."""
    view = memoryview(buf)
    readinto = getattr(src, "readinto", None)
    got = 0
    while got < len(buf):
        if readinto is not None:
            n = readinto(view[got:]) or 0
        else:
            chunk = src.read(len(buf) - got)
            n = len(chunk)
            view[got : got + n] = chunk
        if n == 0:
            break
        got += n
    return got


def seal_stream(
    provider: KeyProvider,
    src: BinaryIO,
    dst: BinaryIO,
    *,
    case_id: str,
    object_type: str,
    object_id: str,
    content_version: int,
    segment_size: int = DEFAULT_SEGMENT_SIZE,
) -> bytes:
    """Encrypt ``src`` to ``dst`` segment by segment; return the stream header.

    Memory is bounded by about three segments. The header (about 100 bytes, holding the
    wrapped DEK) is returned, not written to ``dst``: store it in the database row so
    rotation rewraps rows without touching the large ciphertext files.
    """
    _check_segment_size(segment_size)
    version, dek, wrapped = _new_dek(provider, case_id)
    ref = _Ref(case_id, object_type, object_id, content_version)
    aad = _content_aad(KIND_STREAM, version, ref, segment_size)
    prefix = os.urandom(7)
    aead = AESGCM(dek)
    check = aead.encrypt(_stream_nonce(prefix, _CHECK_INDEX, 2), b"", aad)
    _encrypt_segments(aead, prefix, aad, src, dst, segment_size)
    tail = _STREAM_TAIL.pack(segment_size, prefix) + check
    return _pack_header(KIND_STREAM, version, version, wrapped) + tail


def _segments(src: BinaryIO, size: int) -> Iterator[tuple[memoryview, int, bool]]:
    """Yield ``(view, index, last)`` for consecutive ``size``-byte reads of ``src``.

    Reads one segment ahead (the last segment is the one followed by EOF) with two
    alternating buffers, so memory stays at two segments. A view is valid only until the
    next iteration. An empty source yields one empty last segment.
    """
    cur, nxt = bytearray(size), bytearray(size)
    n, index = _read_full(src, cur), 0
    while True:
        m = _read_full(src, nxt) if n == size else 0
        yield memoryview(cur)[:n], index, m == 0
        if m == 0:
            return
        cur, nxt, n, index = nxt, cur, m, index + 1


def _encrypt_segments(
    aead: AESGCM, prefix: bytes, aad: bytes, src: BinaryIO, dst: BinaryIO, segment_size: int
) -> None:
    out = memoryview(bytearray(segment_size + TAG_LEN))
    into = hasattr(aead, "encrypt_into")  # cryptography >= 46: no allocation per segment
    for view, index, last in _segments(src, segment_size):
        if index >= _CHECK_INDEX:
            raise ValueError("stream too long for this segment size")
        nonce = _stream_nonce(prefix, index, int(last))
        if into:
            end = len(view) + TAG_LEN
            aead.encrypt_into(nonce, view, aad, out[:end])
            dst.write(out[:end])
        else:
            dst.write(aead.encrypt(nonce, view, aad))


def open_stream(
    provider: KeyProvider,
    header: bytes,
    src: BinaryIO,
    *,
    case_id: str,
    object_type: str,
    object_id: str,
    content_version: int,
) -> Iterator[bytes]:
    """Check the header and unwrap the DEK now; return an iterator of plaintext segments.

    Header, key and binding errors raise here, before anything is read from ``src``;
    segment errors raise from the iterator. See the module docstring on trusting output.
    """
    ref = _Ref(case_id, object_type, object_id, content_version)
    aead, aad, segment_size, prefix = _open_stream_header(provider, header, ref)
    # Without an ``out`` buffer every item is a fresh ``bytes`` the caller may keep.
    return cast(Iterator[bytes], _decrypt_segments(aead, prefix, aad, src, segment_size))


def _open_stream_header(
    provider: KeyProvider, header: bytes, ref: _Ref
) -> tuple[AESGCM, bytes, int, bytes]:
    parsed = _parse(header)
    if parsed.kind != KIND_STREAM:
        raise InvalidCiphertext
    dek = provider.unwrap(ref.case_id, parsed.wrap_kek_version, parsed.wrapped_dek)
    return _check_stream_header(dek, parsed, ref)


def _check_stream_header(
    dek: bytes, parsed: _Parsed, ref: _Ref
) -> tuple[AESGCM, bytes, int, bytes]:
    """Authenticate a stream header against the object; return what decryption needs."""
    segment_size, prefix = _STREAM_TAIL.unpack_from(parsed.body)
    if not 0 < segment_size <= MAX_SEGMENT_SIZE:
        raise InvalidCiphertext
    aad = _content_aad(KIND_STREAM, parsed.content_kek_version, ref, segment_size)
    aead = AESGCM(dek)
    try:
        aead.decrypt(_stream_nonce(prefix, _CHECK_INDEX, 2), parsed.body[_STREAM_TAIL.size :], aad)
    except InvalidTag:
        raise InvalidCiphertext from None
    return aead, aad, segment_size, prefix


def _decrypt_segments(
    aead: AESGCM,
    prefix: bytes,
    aad: bytes,
    src: BinaryIO,
    segment_size: int,
    out: memoryview | None = None,
) -> Iterator[bytes | memoryview]:
    """Yield authenticated plaintext segments.

    With ``out`` (and cryptography >= 46) each segment is decrypted into ``out`` and a view
    of it is yielded, valid only until the next iteration: for internal use only.
    """
    into = out is not None and hasattr(aead, "decrypt_into")
    for view, index, last in _segments(src, segment_size + TAG_LEN):
        if len(view) < TAG_LEN or index >= _CHECK_INDEX:
            raise InvalidCiphertext
        nonce = _stream_nonce(prefix, index, int(last))
        plaintext: bytes | memoryview
        try:
            if into and out is not None:
                plaintext = out[: len(view) - TAG_LEN]
                aead.decrypt_into(nonce, view, aad, plaintext)
            else:
                plaintext = aead.decrypt(nonce, view, aad)
        except InvalidTag:
            raise InvalidCiphertext from None
        yield plaintext


def open_stream_into(
    provider: KeyProvider,
    header: bytes,
    src: BinaryIO,
    dst: BinaryIO,
    *,
    case_id: str,
    object_type: str,
    object_id: str,
    content_version: int,
) -> int:
    """Like ``open_stream`` but write plaintext to ``dst``; return the plaintext length.

    Decrypts into one reused buffer (no allocation per segment): the fast path for
    file-to-file use. Only authenticated segments are written, but after an error ``dst``
    holds a prefix of the content: discard it unless this returns normally.
    """
    ref = _Ref(case_id, object_type, object_id, content_version)
    aead, aad, segment_size, prefix = _open_stream_header(provider, header, ref)
    out = memoryview(bytearray(segment_size))
    total = 0
    for chunk in _decrypt_segments(aead, prefix, aad, src, segment_size, out):
        dst.write(chunk)
        total += len(chunk)
    return total


def rewrap(
    provider: KeyProvider,
    blob: bytes,
    *,
    case_id: str,
    object_type: str,
    object_id: str,
    content_version: int,
    new_version: int | None = None,
) -> bytes:
    """Re-wrap the DEK of a value blob or stream header under ``new_version``.

    ``new_version`` defaults to the case's current KEK version. Content is never
    re-encrypted; only ``wrap_kek_version`` and ``wrapped_dek`` change. Idempotent: a
    blob already wrapped under the target version is returned unchanged (same object).
    Before re-wrapping, the blob is authenticated against the object (value: content tag;
    stream: header tag), so a tampered or misplaced blob is never laundered into a fresh
    one. Moving to an older version is refused with ``ValueError``.
    """
    parsed = _parse(blob)
    target = provider.current_version(case_id) if new_version is None else new_version
    if parsed.wrap_kek_version == target:
        return blob
    if target < parsed.wrap_kek_version:
        raise ValueError("refusing to rewrap under an older KEK version")
    dek = provider.unwrap(case_id, parsed.wrap_kek_version, parsed.wrapped_dek)
    ref = _Ref(case_id, object_type, object_id, content_version)
    if parsed.kind == KIND_VALUE:
        _decrypt_value(dek, parsed, ref)
    else:
        _check_stream_header(dek, parsed, ref)
    wrapped = provider.wrap(case_id, target, dek)
    header = _pack_header(parsed.kind, parsed.content_kek_version, target, wrapped)
    return header + parsed.body


def header_info(blob: bytes) -> HeaderInfo:
    """Read the header without keys; fields are NOT authenticated until opened."""
    parsed = _parse(blob)
    segment_size = None
    if parsed.kind == KIND_STREAM:
        segment_size = _STREAM_TAIL.unpack_from(parsed.body)[0]
    return HeaderInfo(
        kind="value" if parsed.kind == KIND_VALUE else "stream",
        content_kek_version=parsed.content_kek_version,
        wrap_kek_version=parsed.wrap_kek_version,
        segment_size=segment_size,
    )
