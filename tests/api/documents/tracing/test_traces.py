"""Leak tracing end to end: copies, attribution, refusals to accuse, proofs, visibility."""

from __future__ import annotations

import difflib
import shutil

import pytest

from crypto.merkle import verify_inclusion
from tests.api.documents.helpers import pdf_doc, text_doc
from tests.producers import rasterize

RECIPIENTS = ("defense_counsel", "defense_client", "pro_se")


def _result(r, errors_ok: bool):  # noqa: ANN001, ANN202
    assert r.status_code == 200, r.text
    got = r.json()
    # A detector that crashed must never pass for "no watermark": every trace in this file
    # fails unless all layers ran, except where a test provokes the crash itself.
    assert errors_ok or got["errors"] == [], got["errors"]
    return got


def trace_text(api, user, text: str, *, errors_ok: bool = False):  # noqa: ANN001, ANN201
    r = api.client.post("/api/v1/traces", headers=user.headers, json={"text": text})
    return _result(r, errors_ok)


def trace_files(api, user, files: list[tuple[str, bytes]], *,  # noqa: ANN001, ANN201
                errors_ok: bool = False):
    parts = [("file", (name, data, "application/octet-stream")) for name, data in files]
    r = api.client.post("/api/v1/traces", headers=user.headers, files=parts)
    return _result(r, errors_ok)


def _copies(api, room, doc_id):  # noqa: ANN001, ANN202
    out = {}
    for who in RECIPIENTS:
        r = api.download(room, doc_id, who)
        assert r.status_code == 200, r.text
        out[who] = (r.headers["x-download-id"], r.content)
    return out


def test_three_recipients_three_copies_each_traced_to_exactly_its_recipient(api):
    room = api.room()
    doc = api.document(room, text_doc())
    copies = _copies(api, room, doc["id"])
    assert len({c for _, c in copies.values()}) == 3
    tracer = room.users["auditor"]
    for who, (download_id, content) in copies.items():
        result = trace_text(api, tracer, content.decode())
        assert result["verdict"] == "identified"
        assert [m["download_id"] for m in result["matches"]] == [download_id]
        m = result["matches"][0]
        assert m["user_id"] == room.users[who].id and m["document_id"] == doc["id"]
        assert m["case_id"] == room.id and m["confidence"] < 1e-6 and m["layers"]


def test_same_person_twice_gets_two_distinguishable_copies(api):
    room = api.room()
    doc = api.document(room, text_doc())
    a = api.download(room, doc["id"], "defense_counsel")
    b = api.download(room, doc["id"], "defense_counsel")
    assert a.content != b.content
    got = trace_text(api, room.users["room_admin"], b.content.decode())
    assert [m["download_id"] for m in got["matches"]] == [b.headers["x-download-id"]]


def test_unmarked_original_and_foreign_copy_accuse_no_one(api):
    room, other = api.room(), api.room()
    doc = api.document(room, text_doc())
    _copies(api, room, doc["id"])
    foreign = api.document(other, text_doc())
    leaked = api.download(other, foreign["id"], "defense_counsel").content.decode()
    for evidence in (text_doc().decode(), leaked):
        got = trace_text(api, room.users["auditor"], evidence)
        assert got["verdict"] in ("no_watermark", "inconclusive") and got["matches"] == []
        assert got["errors"] == [] and got["documents_compared"] >= 1


def test_footer_edited_to_a_colleague_does_not_accuse_the_colleague(api):
    room = api.room()
    doc = api.document(room, text_doc())
    copies = _copies(api, room, doc["id"])
    download_id, content = copies["defense_client"]
    text = content.decode().replace("Defense-Client", "Defense-Counsel")
    assert "Defense-Counsel" in text
    got = trace_text(api, room.users["auditor"], text)
    accused = {m["user_id"] for m in got["matches"]}
    assert room.users["defense_counsel"].id not in accused
    assert [m["download_id"] for m in got["matches"]] in ([], [download_id])


def _common(a: str, b: str) -> str:
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return "".join(a[m.a:m.a + m.size] for m in sm.get_matching_blocks())


def test_two_person_collusion_never_names_the_innocent_third(api):
    room = api.room()
    doc = api.document(room, text_doc())
    copies = _copies(api, room, doc["id"])
    a, b = (copies[w][1].decode() for w in ("defense_counsel", "defense_client"))
    got = trace_text(api, room.users["auditor"], _common(a, b))
    accused = {m["user_id"] for m in got["matches"]}
    assert room.users["pro_se"].id not in accused
    assert accused <= {room.users["defense_counsel"].id, room.users["defense_client"].id}


def test_inclusion_proof_verifies_against_the_signed_tree_head(api):
    room = api.room()
    doc = api.document(room, text_doc())
    r = api.download(room, doc["id"], "pro_se")
    got = trace_text(api, room.users["auditor"], r.content.decode())
    audit = got["matches"][0]["audit"]
    assert audit["tree_size"] == audit["tree_head"]["tree_size"]
    assert audit["root_hash"] == audit["tree_head"]["root_hash"]
    verify_inclusion(bytes.fromhex(audit["leaf_hash"]), audit["leaf_index"], audit["tree_size"],
                     [bytes.fromhex(p) for p in audit["inclusion_proof"]],
                     bytes.fromhex(audit["root_hash"]))
    events = api.client.get(f"/api/v1/audit/events?case_id={room.id}&limit=200",
                            headers=room.users["auditor"].headers).json()
    by_index = {e["leaf_index"]: e for e in events}
    assert by_index[audit["leaf_index"]]["action"] == "document.download"
    assert any(e["action"] == "trace.match" for e in events)


def test_trace_reveals_only_what_the_caller_may_trace(api):
    room = api.room()
    doc = api.document(room, text_doc())  # uploaded by the plaintiff
    leaked = api.download(room, doc["id"], "defense_counsel").content.decode()
    for who in ("auditor", "room_admin", "plaintiff_counsel"):
        assert trace_text(api, room.users[who], leaked)["verdict"] == "identified", who
    for who in ("defense_counsel", "pro_se", "plaintiff_client", "neutral", "outsider"):
        assert trace_text(api, room.users[who], leaked)["matches"] == [], who


def test_trace_refusals(api):
    room = api.room()
    assert api.client.post("/api/v1/traces", json={"text": "x"}).status_code == 401
    h = room.users["auditor"].headers
    r = api.client.post("/api/v1/traces", headers=h, json={"text": ""})
    assert r.status_code == 422
    r = api.client.post("/api/v1/traces", headers={**h, "content-type": "text/plain"},
                        content=b"x")
    assert r.status_code == 415
    r = api.client.post("/api/v1/traces", headers=h,
                        files=[("file", ("a.pdf", b"PK\x03\x04" + b"\0" * 50, "x/y"))])
    assert r.status_code == 415


HAVE_OCR = all(shutil.which(t) for t in ("tesseract", "pdftoppm"))


def _rasterize(pdf: bytes) -> list[bytes]:
    return rasterize(pdf, 150)


def test_pdf_copies_traced_from_the_file(api):
    room = api.room()
    doc = api.document(room, pdf_doc(), filename="order.pdf")
    copies = _copies(api, room, doc["id"])
    for who in ("defense_counsel", "pro_se"):
        download_id, content = copies[who]
        assert content.startswith(b"%PDF-")
        got = trace_files(api, room.users["auditor"], [("leak.pdf", content)])
        assert [m["download_id"] for m in got["matches"]] == [download_id]


# OCR of the page images: once, in the SQLite pass. The copies, their downloads and the
# trace's lookups are the same as ``test_pdf_copies_traced_from_the_file``'s, which runs on both.
@pytest.mark.once
@pytest.mark.skipif(not HAVE_OCR, reason="tesseract / poppler-utils not installed")
def test_page_images_of_a_pdf_copy_traced_with_ocr(api):
    room = api.room()
    doc = api.document(room, pdf_doc(), filename="order.pdf")
    copies = _copies(api, room, doc["id"])
    download_id, content = copies["defense_client"]
    pages = _rasterize(content)
    got = trace_files(api, room.users["auditor"],
                      [(f"p{i}.png", p) for i, p in enumerate(pages)])
    assert [m["download_id"] for m in got["matches"]] == [download_id]


class Boom(RuntimeError):
    pass


def _boom(*args: object, **kwargs: object) -> object:
    raise Boom("Reference ZQXJ-MARKER-7731 quoted from the document")


def _trace_run_details(app) -> dict:  # noqa: ANN001
    from sqlalchemy import select

    from app.models.audit import AuditEvent

    with app.state.sessionmaker() as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "trace.run")
                          .order_by(AuditEvent.leaf_index.desc())).scalars().first()
        return dict(event.details)


def test_a_crashing_layer_is_reported_never_read_as_no_watermark(api, app, monkeypatch,
                                                                 caplog):  # noqa: ANN001
    room = api.room()
    doc = api.document(room, text_doc())
    _copies(api, room, doc["id"])
    version_id = api.client.get(f"/api/v1/cases/{room.id}/documents/{doc['id']}/downloads",
                                headers=room.users["auditor"].headers).json()[0]["version_id"]
    clean = trace_text(api, room.users["auditor"], text_doc().decode())
    assert clean["verdict"] == "no_watermark" and clean["errors"] == []

    monkeypatch.setattr("app.watermark.textdoc.read_slots", _boom)
    caplog.set_level("WARNING", logger="settleroom.watermark")
    got = trace_text(api, room.users["auditor"], text_doc().decode(), errors_ok=True)
    assert got["errors"] == [{"document_version_id": version_id, "layer": "text",
                              "kind": "Boom"}]
    assert got["verdict"] == "inconclusive" and got["matches"] == []
    details = _trace_run_details(app)
    assert details["detector_errors"] == 1 and details["error_kinds"] == ["text:Boom"]
    assert app.state.services.originals.issues.snapshot() == {("text", "Boom"): 1}
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert version_id in logged and "Boom" in logged
    assert "ZQXJ" not in logged and "Reference" not in logged and "ZQXJ" not in str(details)


def test_a_crashing_layer_leaves_the_other_layers_to_identify(api, monkeypatch):  # noqa: ANN001
    room = api.room()
    doc = api.document(room, text_doc())
    download_id, content = _copies(api, room, doc["id"])["pro_se"]
    monkeypatch.setattr("app.watermark.textdoc.read_slots", _boom)
    got = trace_text(api, room.users["auditor"], content.decode(), errors_ok=True)
    assert [m["download_id"] for m in got["matches"]] == [download_id]  # the footer tag
    assert [e["layer"] for e in got["errors"]] == ["text"]


def test_a_crashing_detector_is_reported(api, app, monkeypatch):  # noqa: ANN001
    room = api.room()
    doc = api.document(room, pdf_doc(), filename="order.pdf")
    _, content = _copies(api, room, doc["id"])["defense_counsel"]
    monkeypatch.setattr("app.documents.tracing.service.detect", _boom)
    got = trace_files(api, room.users["auditor"], [("leak.pdf", content)], errors_ok=True)
    assert got["verdict"] == "inconclusive" and got["matches"] == []
    assert [(e["layer"], e["kind"]) for e in got["errors"]] == [("detect", "Boom")]
    assert _trace_run_details(app)["error_kinds"] == ["detect:Boom"]
