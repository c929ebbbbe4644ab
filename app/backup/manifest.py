"""Manifests: every file of a backup folder with its size and SHA-256, checked before
anything is restored.

Threat model: the digests catch a truncated copy, a flipped bit, a missing, extra or
swapped file. They do not stop someone who rewrites a file *and* the manifest; that
forger still cannot produce a blob or a sealed case key that opens (both are authenticated
encryption), nor a log that ``settleroom audit verify`` accepts against a witness or a
pinned tree head.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from app.keyfiles import private_dirs

MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup cannot be taken, or this backup cannot be restored here. The message
    names files and case ids, never content or key bytes."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def private_writer(path: Path) -> BinaryIO:
    """A new file, 0600, in 0700 folders; an existing file is never overwritten."""
    private_dirs(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def write_file(path: Path, data: bytes) -> None:
    with private_writer(path) as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def listing(root: Path, *, exclude: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every file under ``root`` (but the manifest and ``exclude``), by relative path."""
    files = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path == root / MANIFEST:
            continue
        if exclude is not None and path.is_relative_to(exclude):
            continue
        files[path.relative_to(root).as_posix()] = {"size": path.stat().st_size,
                                                     "sha256": sha256_file(path)}
    return files


def write_manifest(root: Path, document: dict[str, Any]) -> None:
    """Written last and atomically: a folder without a manifest is not a backup."""
    tmp = root / f".{MANIFEST}.tmp"
    tmp.unlink(missing_ok=True)
    write_file(tmp, json.dumps(document, indent=1, sort_keys=True).encode("utf-8"))
    os.replace(tmp, root / MANIFEST)


def read_manifest(root: Path, kind: str) -> dict[str, Any]:
    try:
        document = json.loads((root / MANIFEST).read_bytes())
    except FileNotFoundError:
        raise BackupError(f"{root}: no {MANIFEST}; not a complete {kind} backup") from None
    except ValueError:
        raise BackupError(f"{root / MANIFEST} is damaged") from None
    if not isinstance(document, dict) or document.get("kind") != kind:
        raise BackupError(f"{root / MANIFEST} is not the manifest of a {kind} backup")
    return document


def verify(root: Path, files: dict[str, dict[str, Any]], *,
           exclude: Path | None = None) -> None:
    """Every listed file present with its size and digest, and no file unlisted."""
    found = {p.relative_to(root).as_posix() for p in root.rglob("*")
             if p.is_file() and p != root / MANIFEST
             and not (exclude is not None and p.is_relative_to(exclude))}
    unlisted = sorted(found - set(files))
    if unlisted:
        raise BackupError(f"{root}: files not in the manifest: {', '.join(unlisted[:5])}")
    for name, meta in files.items():
        path = root / name
        if name not in found:
            raise BackupError(f"{root}: {name} is missing")
        if path.stat().st_size != meta["size"] or sha256_file(path) != meta["sha256"]:
            raise BackupError(f"{root}: {name} does not match its SHA-256 in the manifest")


def chunks(src: BinaryIO) -> Iterator[bytes]:
    while chunk := src.read(CHUNK):
        yield chunk
