"""The trace index: candidates found through anchors stored at upload, text evidence read
against stored text layers, versions stored before the index analysed once, nothing of a
destroyed case left usable, and no write lock held while a trace computes."""

from __future__ import annotations

import random
import re
import sqlite3
import time
import uuid

import pytest
from sqlalchemy import func, make_url, select

from app.documents import analysis, storage
from app.documents.tracing import candidates
from app.documents.tracing import service as trace_service
from app.models.documents import DocumentAnalysis, DocumentAnchor, DocumentAnchorCount
from app.sealing import CaseDestroyed
from tests import dbutil
from tests.api.documents.helpers import order_text, pdf_doc, text_doc
from tests.api.documents.tracing.test_traces import HAVE_OCR, _rasterize, trace_files, trace_text

ORDERS = ("order-protective-order-violation.txt", "order-rule68-offer-request.txt",
          "order-settlement-letter-disclosure.txt")
NAMES = ["Okafor", "Lindqvist", "Ramirez", "Abernathy", "Novak", "Patel", "Whitfield", "Osei"]


def _sentences() -> list[str]:
    text = " ".join(order_text(name) for name in ORDERS)
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(text.split()))
            if 40 <= len(s) <= 400]


def letters(n: int, seed: int = 5) -> list[str]:
    """Letters made of the same court orders' sentences, shuffled and recombined, with
    names and numbers of their own: every two share most of their words and phrases."""
    rng = random.Random(seed)
    pool = _sentences()
    out = []
    for _ in range(n):
        name = rng.choice(NAMES)
        paras = [" ".join(rng.choice(pool) for _ in range(rng.randint(3, 6)))
                 for _ in range(8)]
        head = (f"Dear Counsel {name}:\n\nRe: ECF No. {rng.randint(10, 400)}, "
                f"dated {rng.randint(1, 28)} March {rng.randint(2019, 2026)}\n\n")
        out.append(head + "\n\n".join(paras) + f"\n\nVery truly yours,\n{rng.choice(NAMES)}\n")
    return out


def _excerpt(copy: str, share: float = 0.2) -> str:
    body = copy.split("\n\n--\n")[0]
    n = int(len(body) * share)
    start = body.find(" ", len(body) // 2 - n // 2) + 1
    return body[start:body.rfind(" ", 0, start + n)]


def _room_of(api, n: int):  # noqa: ANN001, ANN202
    room = api.room()
    ids = [api.document(room, text.encode(), filename=f"letter-{i}.txt")["id"]
           for i, text in enumerate(letters(n))]
    for i, doc_id in enumerate(ids):  # a trace compares only versions with a copy out
        assert api.download(room, doc_id, ("defense_counsel", "pro_se")[i % 2]).status_code == 200
    return room, ids


def _counting(monkeypatch, module, name: str) -> list[object]:  # noqa: ANN001
    calls: list[object] = []
    real = getattr(module, name)

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(args[0] if args else None)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_the_index_finds_the_copy_among_many_similar_letters_and_reads_few(api, monkeypatch):
    room, ids = _room_of(api, 24)
    target = ids[17]
    r = api.download(room, target, "defense_client")
    excerpt = _excerpt(r.content.decode())
    compared = _counting(monkeypatch, trace_service, "detect_text")
    decrypted = _counting(monkeypatch, storage, "open_version")
    got = trace_text(api, room.users["auditor"], excerpt)
    assert got["verdict"] == "identified"
    assert [m["download_id"] for m in got["matches"]] == [r.headers["x-download-id"]]
    assert got["matches"][0]["user_id"] == room.users["defense_client"].id
    # Every downloaded letter is in the trace (the bound counts them all) ...
    assert got["documents_compared"] == 24
    # ... but the evidence is read against a few stored text layers, no original.
    assert 1 <= len(compared) <= candidates.MAX_COMPARED
    assert decrypted == []


def test_an_unrelated_text_and_a_foreign_copy_are_compared_with_nothing(api, monkeypatch):
    room, _ = _room_of(api, 6)
    other = api.room()
    foreign = api.document(other, letters(1, seed=99)[0].encode())
    leaked = api.download(other, foreign["id"], "defense_counsel").content.decode()
    compared = _counting(monkeypatch, trace_service, "detect_text")
    unrelated = trace_text(api, room.users["auditor"], "An unrelated text. " * 80)
    assert unrelated["verdict"] == "no_watermark" and unrelated["matches"] == []
    assert compared == []
    got = trace_text(api, room.users["auditor"], _excerpt(leaked))
    assert got["matches"] == [] and got["documents_compared"] == 6


def test_a_version_stored_before_the_index_is_analysed_once_by_a_trace(api, app,
                                                                       monkeypatch):
    room = api.room()
    doc = api.document(room, text_doc())
    with app.state.sessionmaker.begin() as s:  # as before the index existed
        for model in (DocumentAnchor, DocumentAnchorCount, DocumentAnalysis):
            s.execute(model.__table__.delete().where(model.case_id == uuid.UUID(room.id)))
    r = api.download(room, doc["id"], "pro_se")
    decrypted = _counting(monkeypatch, storage, "open_version")
    leaked = _excerpt(r.content.decode(), 0.5)
    first = trace_text(api, room.users["auditor"], leaked)
    assert [m["download_id"] for m in first["matches"]] == [r.headers["x-download-id"]]
    with app.state.sessionmaker() as s:
        assert s.execute(select(func.count()).select_from(DocumentAnalysis).where(
            DocumentAnalysis.case_id == uuid.UUID(room.id))).scalar_one() == 1
        assert s.execute(select(func.count()).select_from(DocumentAnchor).where(
            DocumentAnchor.case_id == uuid.UUID(room.id))).scalar_one() > 10
    # A process that never saw the original: it would have to decrypt it to read it.
    app.state.services.originals.drop_case(uuid.UUID(room.id))
    opened_before = len(decrypted)
    again = trace_text(api, room.users["auditor"], leaked)
    assert [m["download_id"] for m in again["matches"]] == [r.headers["x-download-id"]]
    assert len(decrypted) == opened_before  # the stored layer, not the original


def _index_rows(app, case_id: str) -> int:  # noqa: ANN001
    with app.state.sessionmaker() as s:
        return sum(s.execute(select(func.count()).select_from(model).where(
            model.case_id == uuid.UUID(case_id))).scalar_one()
            for model in (DocumentAnalysis, DocumentAnchor, DocumentAnchorCount))


def test_destroying_a_case_deletes_its_index_and_its_anchor_key(api, app):
    room = api.room()
    doc = api.document(room, text_doc())
    leaked = api.download(room, doc["id"], "defense_counsel").content.decode()
    assert trace_text(api, room.users["auditor"], leaked)["verdict"] == "identified"
    provider = app.state.services.key_provider
    key = analysis.anchor_key(provider, uuid.UUID(room.id))
    stored = set(analysis.document_anchors(text_doc().decode(), key))
    with app.state.sessionmaker() as s:
        rows = set(s.execute(select(DocumentAnchor.anchor).where(
            DocumentAnchor.case_id == uuid.UUID(room.id))).scalars())
    assert rows and rows <= stored  # the rows are the keyed anchors of the text
    assert _index_rows(app, room.id) > len(rows)
    r = api.client.post(f"/api/v1/cases/{room.id}/destroy",
                        headers=room.users["room_admin"].headers,
                        json={"confirm_caption": "Doe v. Acme Corp."})
    assert r.status_code == 200, r.text
    assert _index_rows(app, room.id) == 0
    with pytest.raises(CaseDestroyed):  # no one can compute the case's anchors again
        analysis.anchor_key(provider, uuid.UUID(room.id))


def test_deleting_a_document_takes_its_anchors_out_of_the_counts(api, app):
    room = api.room()
    text = letters(1, seed=3)[0].encode()
    kept = api.document(room, text)
    twin = api.document(room, text, filename="twin.txt")
    case_id = uuid.UUID(room.id)
    with app.state.sessionmaker() as s:
        counts = set(s.execute(select(DocumentAnchorCount.versions).where(
            DocumentAnchorCount.case_id == case_id)).scalars())
    assert counts == {2}
    r = api.client.delete(f"/api/v1/cases/{room.id}/documents/{twin['id']}",
                          headers=room.users["plaintiff_counsel"].headers)
    assert r.status_code == 204, r.text
    with app.state.sessionmaker() as s:
        counts = set(s.execute(select(DocumentAnchorCount.versions).where(
            DocumentAnchorCount.case_id == case_id)).scalars())
        versions = set(s.execute(select(DocumentAnchor.version_id).where(
            DocumentAnchor.case_id == case_id)).scalars())
    assert counts == {1} and len(versions) == 1
    leaked = api.download(room, kept["id"], "pro_se").content.decode()
    assert trace_text(api, room.users["auditor"], _excerpt(leaked))["verdict"] == "identified"


def test_a_pdf_copy_with_its_tags_is_compared_with_its_own_version_only(api, monkeypatch):
    room = api.room()
    docs = [api.document(room, pdf_doc(order_text(name)), filename=f"{i}.pdf")["id"]
            for i, name in enumerate(ORDERS)]
    copies = [api.download(room, d, "defense_counsel") for d in docs]
    compared = _counting(monkeypatch, trace_service, "detect")
    got = trace_files(api, room.users["auditor"], [("leak.pdf", copies[1].content)])
    assert [m["download_id"] for m in got["matches"]] == [copies[1].headers["x-download-id"]]
    assert len(compared) == 1 and got["documents_compared"] == 3


@pytest.mark.skipif(bool(dbutil.pg_server_url()), reason="SQLite's database write lock")
def test_a_trace_compares_without_holding_the_write_lock(api, app, monkeypatch):
    room = api.room()
    doc = api.document(room, text_doc())
    leaked = api.download(room, doc["id"], "pro_se").content.decode()
    path = make_url(app.state.settings.resolved_database_url).database
    real = trace_service.detect_text
    lock_free: list[bool] = []

    def free_now() -> bool:
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            probe.close()

    def probing(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        # The trace waits here, its own transaction frozen: a lock it held would still be
        # held on every try, while a moment's write by another thread (an upload's
        # inspection finishing) is over by the next one.
        lock_free.append(any(free_now() or time.sleep(0.05) for _ in range(40)))
        return real(*args, **kwargs)

    monkeypatch.setattr(trace_service, "detect_text", probing)
    assert trace_text(api, room.users["auditor"], leaked)["verdict"] == "identified"
    assert lock_free == [True]


def test_a_stored_layer_that_does_not_read_back_is_set_aside(api, app):
    from app.models.documents import LAYER_OBJECT_TYPE
    from app.sealing import seal_bytes

    room = api.room()
    doc = api.document(room, text_doc())
    r = api.download(room, doc["id"], "defense_client")
    provider = app.state.services.key_provider
    with app.state.sessionmaker.begin() as s:  # what a worker fooled by its file could send
        row = s.execute(select(DocumentAnalysis).where(
            DocumentAnalysis.case_id == uuid.UUID(room.id))).scalar_one()
        row.layer_sealed = seal_bytes(provider, case_id=row.case_id,
                                      object_type=LAYER_OBJECT_TYPE,
                                      object_id=row.version_id, plaintext=b"not a layer")
    got = trace_text(api, room.users["auditor"], _excerpt(r.content.decode(), 0.5))
    assert [m["download_id"] for m in got["matches"]] == [r.headers["x-download-id"]]


@pytest.mark.parametrize("reply", [
    None, [], {"layer": 3, "words": 1, "shingles": []},
    {"layer": "not base64!", "words": 1, "shingles": []},
    {"layer": "", "words": -1, "shingles": []},
    {"layer": "", "words": 1, "shingles": [2**64]},
    {"layer": "", "words": 1, "shingles": ["1"]},
])
def test_a_worker_index_of_the_wrong_shape_is_dropped(reply):  # noqa: ANN001
    from app.documents.inspection import _index

    assert _index(reply) is None
    assert _index({"layer": "", "words": 1, "shingles": [1, 2**64 - 1]}) is not None


@pytest.mark.once
@pytest.mark.skipif(not HAVE_OCR, reason="tesseract / poppler-utils not installed")
def test_page_images_are_read_by_ocr_and_found_through_the_index(api, monkeypatch):
    monkeypatch.setattr(candidates, "EXHAUSTIVE", 0)  # as in a room of many documents
    room = api.room()
    docs = [api.document(room, pdf_doc(order_text(name)), filename=f"{i}.pdf")["id"]
            for i, name in enumerate(ORDERS)]
    copies = [api.download(room, d, "defense_client") for d in docs]
    compared = _counting(monkeypatch, trace_service, "detect")
    pages = _rasterize(copies[0].content)
    got = trace_files(api, room.users["auditor"], [(f"p{i}.png", p) for i, p in enumerate(pages)])
    assert [m["download_id"] for m in got["matches"]] == [copies[0].headers["x-download-id"]]
    assert len(compared) == 1 and got["documents_compared"] == 3
