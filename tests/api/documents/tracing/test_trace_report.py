"""A trace result a lawyer can use: names, confidence in words, "you may not trace this
document", advice on weak evidence, and an evidence report PDF that checks offline."""

from __future__ import annotations

import hashlib
import io
import json

import pypdfium2 as pdfium
from PIL import Image

from crypto.merkle import verify_inclusion
from tests.api.documents.helpers import text_doc
from tests.api.documents.tracing.test_traces import trace_files, trace_text
from tests.papers import assert_within_margins


def _report(api, user, trace_id: str):  # noqa: ANN001, ANN202
    return api.client.get(f"/api/v1/traces/{trace_id}/report.pdf", headers=user.headers)


def _pdf_text(pdf: bytes) -> str:
    # pdfium reports a hyphen that ends a line as U+0002 or U+FFFE (its guess at a soft
    # hyphen); the report breaks long values anywhere, so it is a character of the value.
    return "\n".join(page.get_textpage().get_text_range().replace("\x02", "-")
                     .replace("\ufffe", "-") for page in pdfium.PdfDocument(pdf))


def _lines_between(text: str, start: str, end: str) -> list[str]:
    """The lines between two markers, without the page chrome a page break puts among them
    (the marking line and "Page n of N"), as a reader joining them would."""
    lines = [line.strip() for line in text.splitlines()
             if not line.startswith(("CONFIDENTIAL - LEAK", "Page "))]
    first = next(i for i, line in enumerate(lines) if line.endswith(start))
    last = next(i for i in range(first + 1, len(lines)) if lines[i].startswith(end))
    return [line for line in lines[first + 1:last] if line]


def test_a_match_names_the_document_the_recipient_and_the_strength_in_words(api):
    room = api.room()
    doc = api.document(room, text_doc())
    leaked = api.download(room, doc["id"], "defense_counsel").content.decode()
    got = trace_text(api, room.users["plaintiff_counsel"], leaked)
    assert got["verdict"] == "identified" and got["advice"] == [] and not got["not_traceable"]
    m = got["matches"][0]
    assert m["filename"] == doc["filename"]
    assert m["recipient_name"] and m["recipient_name"] != room.users["defense_counsel"].id
    assert "coincidence" in m["confidence_words"] and m["confidence"] < 1e-6
    assert got["verdict_words"].startswith("The copy was traced")
    # The auditor traces every document but reads none: no filename for the auditor.
    audited = trace_text(api, room.users["auditor"], leaked)["matches"][0]
    assert audited["filename"] is None and audited["recipient_name"] == m["recipient_name"]


def test_a_reader_who_may_not_trace_is_told_so_never_no_watermark(api):
    room = api.room()
    doc = api.document(room, text_doc())  # the plaintiff's; the defense reads it
    leaked = api.download(room, doc["id"], "defense_counsel").content.decode()
    for who in ("defense_counsel", "plaintiff_client"):
        got = trace_text(api, room.users[who], leaked)
        assert got["matches"] == [], who
        assert [n["document_id"] for n in got["not_traceable"]] == [doc["id"]], who
        assert got["not_traceable"][0]["filename"] == doc["filename"]
        assert got["verdict_words"].startswith("You may not trace this document"), who
    # Someone outside the room learns nothing, and an unrelated text is not "yours".
    outsider = trace_text(api, room.users["outsider"], leaked)
    assert outsider["not_traceable"] == [] and "No watermark" in outsider["verdict_words"]
    other = trace_text(api, room.users["defense_counsel"], "An unrelated text. " * 80)
    assert other["not_traceable"] == [] and other["verdict"] == "no_watermark"


def test_weak_evidence_gets_advice_not_an_accusation(api):
    room = api.room()
    doc = api.document(room, text_doc())
    api.download(room, doc["id"], "defense_counsel")
    short = trace_text(api, room.users["auditor"], "a few words only of the letter")
    assert [a["code"] for a in short["advice"]] == ["evidence_too_short"]
    assert short["matches"] == []
    grab = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(grab, "PNG")
    small = trace_files(api, room.users["auditor"], [("grab.png", grab.getvalue())])
    assert [a["code"] for a in small["advice"]] == ["evidence_too_coarse"]
    assert "150 dpi" in small["advice"][0]["text"]


def test_the_evidence_report_checks_offline(api):
    room = api.room()
    doc = api.document(room, text_doc())
    leaked = api.download(room, doc["id"], "pro_se").content.decode()
    tracer = room.users["plaintiff_counsel"]
    got = trace_text(api, tracer, leaked)
    r = _report(api, tracer, got["trace_id"])
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert_within_margins(r.content)
    text = _pdf_text(r.content)
    assert doc["filename"] in text and got["matches"][0]["recipient_name"] in text
    assert "Case No." in text and "How to check this report offline" in text
    assert "coincidence" in text and "Page 1 of" in text
    # The entry as printed hashes to the leaf; the proof as printed reaches the signed root.
    entry = "".join(_lines_between(text, "as hashed into the log:", "Leaf hash:"))
    leaf = hashlib.sha256(b"\x00" + entry.encode()).digest()
    assert json.loads(entry)["action"] == "document.download"
    printed_leaf = next(line.split(": ")[1] for line in text.splitlines()
                        if line.startswith("Leaf hash:"))
    assert leaf.hex() == printed_leaf.strip(), repr(entry)
    proof = _lines_between(text, "leaf to root):", "The signed tree head")
    size = int(next(line.split(": ")[1] for line in text.splitlines()
                    if line.startswith("Tree size:")))
    root = next(line.split(": ")[1] for line in text.splitlines()
                if line.startswith("Root hash:")).strip()
    verify_inclusion(leaf, json.loads(entry)["leaf_index"], size,
                     [bytes.fromhex(p) for p in proof], bytes.fromhex(root))


def test_only_the_tracer_gets_the_report_and_the_log_keeps_no_content(api):
    room = api.room()
    doc = api.document(room, text_doc())
    leaked = api.download(room, doc["id"], "defense_counsel").content.decode()
    got = trace_text(api, room.users["auditor"], leaked)
    for who in ("room_admin", "plaintiff_counsel", "defense_counsel"):
        r = _report(api, room.users[who], got["trace_id"])
        assert r.status_code == 404 and r.json()["code"] == "trace_not_found", who
    assert _report(api, room.users["auditor"], got["trace_id"]).status_code == 200
    events = api.client.get(f"/api/v1/audit/events?case_id={room.id}&limit=200",
                            headers=room.users["auditor"].headers).json()
    match = next(e for e in events if e["action"] == "trace.match")
    assert match["details"]["layers"] and float(match["details"]["confidence"]) < 1e-6
    assert doc["filename"] not in json.dumps(events)
