"""Envelope throughput versus raw AES-256-GCM on the same 16 MiB, measured in one run.

Prints ``ratio = envelope throughput / raw AESGCM throughput`` for encrypt + decrypt
(target >= 0.8). The raw baseline is one-shot ``AESGCM.encrypt`` + ``decrypt`` of the
whole buffer in memory; the envelope paths stream through in-memory files with 1 MiB
segments, including DEK generation, wrapping and unwrapping by a local key file and the
copies in and out of the file objects:
- files: ``seal_stream`` + ``open_stream_into`` (file to file, the headline ratio);
- iter:  ``seal_stream`` + ``open_stream`` (one new ``bytes`` per segment).
Interleaved best-of-N timings damp scheduler noise. Absolute times are for context only.

Usage: .venv/bin/python bench/bench_envelope.py [--mib 16] [--rounds 7]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from crypto.envelope import open_stream, open_stream_into, seal_stream  # noqa: E402
from crypto.keys import LocalKeyProvider  # noqa: E402

REF = {"case_id": "bench", "object_type": "document", "object_id": "d-1", "content_version": 1}


def best_time(rounds: int, fns: dict[str, Callable[[], None]]) -> dict[str, float]:
    """Best-of-N per function, interleaved so that noise hits every side alike."""
    best = {name: float("inf") for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--mib", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    data = os.urandom(args.mib << 20)
    key, nonce = AESGCM.generate_key(bit_length=256), os.urandom(12)

    def raw() -> None:
        aead = AESGCM(key)
        assert len(aead.decrypt(nonce, aead.encrypt(nonce, data, None), None)) == len(data)

    with tempfile.TemporaryDirectory() as tmp:
        provider = LocalKeyProvider(Path(tmp) / "keys" / "kek.json", os.urandom(32))
        provider.create_kek("bench")

        def envelope_files() -> None:
            sealed, plain = io.BytesIO(), io.BytesIO()
            header = seal_stream(provider, io.BytesIO(data), sealed, **REF)  # type: ignore[arg-type]
            sealed.seek(0)
            assert open_stream_into(provider, header, sealed, plain, **REF) == len(data)  # type: ignore[arg-type]

        def envelope_iter() -> None:
            sealed = io.BytesIO()
            header = seal_stream(provider, io.BytesIO(data), sealed, **REF)  # type: ignore[arg-type]
            sealed.seek(0)
            chunks = open_stream(provider, header, sealed, **REF)  # type: ignore[arg-type]
            assert sum(len(c) for c in chunks) == len(data)

        fns = {"raw": raw, "files": envelope_files, "iter": envelope_iter}
        best_time(1, fns)  # warm-up
        best = best_time(args.rounds, fns)

    mib = 2 * args.mib  # encrypted, then decrypted
    labels = {
        "raw": "raw AESGCM one-shot",
        "files": "seal_stream + open_stream_into",
        "iter": "seal_stream + open_stream (iterator)",
    }
    for name, seconds in best.items():
        rate = mib / seconds
        print(f"{labels[name]:38s} {seconds * 1e3:7.1f} ms  {rate:6.0f} MiB/s")
    print(f"ratio files/raw: {best['raw'] / best['files']:.3f}  (target >= 0.8)")
    print(f"ratio iter/raw:  {best['raw'] / best['iter']:.3f}")


if __name__ == "__main__":
    main()
