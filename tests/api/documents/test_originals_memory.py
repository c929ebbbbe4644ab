"""Decrypted originals are cached by the services for downloads and traces, and nothing of a
destroyed case stays reachable in the process: not in that cache, not in any module cache."""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib
import pkgutil
import uuid

import app.watermark as wm
from tests.api.documents.helpers import order_text, pdf_doc, text_doc
from tests.unit.watermark.test_issues_and_prepared import ALLOWED_CACHES


def _watermark_caches() -> set[str]:
    found = set()
    for info in pkgutil.iter_modules(wm.__path__, "app.watermark."):
        for name, obj in vars(importlib.import_module(info.name)).items():
            if isinstance(obj, functools._lru_cache_wrapper) and obj.cache_info().currsize:
                found.add(f"{info.name}.{name}")
    return found


def _reachable(digests: set[tuple[int, str]], marker: str) -> int:
    """Objects referenced from any tracked container that equal one of the originals (by
    length and SHA-256) or are long texts containing the document's unique marker."""
    gc.collect()
    hits = 0
    seen: set[int] = set()
    for holder in gc.get_objects():
        for obj in gc.get_referents(holder):
            if id(obj) in seen:
                continue
            if isinstance(obj, bytes | bytearray):
                seen.add(id(obj))
                if (len(obj), hashlib.sha256(obj).hexdigest()) in digests:
                    hits += 1
            elif isinstance(obj, str) and len(obj) > 200 and marker in obj:
                seen.add(id(obj))
                hits += 1
    return hits


def _documents(api, room, marker: str) -> tuple[list[str], set[tuple[int, str]]]:  # noqa: ANN001
    """Upload a text and a PDF carrying `marker`; keep only their digests, not their bytes."""
    ids, digests = [], set()
    pdf_text = f"Reference {marker}.\n\n" + order_text("order-protective-order-violation.txt")
    for content, name in ((text_doc(marker), "order.txt"),
                          (pdf_doc.__wrapped__(pdf_text), "order.pdf")):  # not @cache'd
        digests.add((len(content), hashlib.sha256(content).hexdigest()))
        ids.append(api.document(room, content, filename=name)["id"])
        del content
    return ids, digests


def test_downloads_and_traces_share_one_decryption_per_version(api, app, monkeypatch):  # noqa: ANN001
    from app.documents import storage

    room = api.room()
    ids, _ = _documents(api, room, f"ZQXJ-{uuid.uuid4().hex[:12]}")
    opened = []
    real = storage.open_version
    monkeypatch.setattr(storage, "open_version",
                        lambda *a: opened.append(a[2].id) or real(*a))
    copies = [api.download(room, doc_id, who).content
              for doc_id in ids for who in ("defense_counsel", "pro_se")]
    for copy in copies:
        r = api.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                            files=[("file", ("leak", copy, "application/octet-stream"))])
        assert r.status_code == 200 and r.json()["verdict"] == "identified", r.text
    assert len(opened) == len(set(opened)) == 2  # one decryption per version
    assert app.state.services.originals.case_entries(uuid.UUID(room.id)) == 2


def test_destroying_a_case_leaves_nothing_of_its_documents_in_memory(api, app):  # noqa: ANN001
    room = api.room()
    marker = f"ZQXJ-{uuid.uuid4().hex[:12]}"
    ids, digests = _documents(api, room, marker)
    for doc_id in ids:  # warm every derived structure: download, then trace the copy
        copy = api.download(room, doc_id, "defense_counsel").content
        r = api.client.post("/api/v1/traces", headers=room.users["auditor"].headers,
                            files=[("file", ("leak", copy, "application/octet-stream"))])
        assert r.status_code == 200 and r.json()["verdict"] == "identified", r.text
        del copy, r
    originals = app.state.services.originals
    assert originals.case_entries(uuid.UUID(room.id)) == 2
    assert _reachable(digests, marker) >= 2  # the scan does see the cached plaintexts

    r = api.client.post(f"/api/v1/cases/{room.id}/destroy",
                        headers=room.users["room_admin"].headers,
                        json={"confirm_caption": "Doe v. Acme Corp."})
    assert r.status_code == 200, r.text

    assert originals.case_entries(uuid.UUID(room.id)) == 0
    assert _watermark_caches() <= ALLOWED_CACHES
    assert _reachable(digests, marker) == 0
