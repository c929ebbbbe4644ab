"""A PDF's marks through upload, download and trace under each mark scheme.

New downloads record scheme 3: sparse character variants and a token at each line's start and
end (as scheme 2), so their extracted text keeps the original's words and a quoted passage
still names the recipient; a scanned page carries its bits in JPEG restart segments. A copy
issued before (its row says scheme 1 or 2) traces as it always did, by its own scheme only."""

from __future__ import annotations

import uuid
from collections import Counter

from sqlalchemy import select, update

from app.db import transaction
from app.models.documents import CODE_OBJECT_TYPE, DocumentDownload
from app.sealing import open_bytes
from app.watermark import LEGENDS, MarkSpec, embed
from app.watermark.model import DENSE_SCHEME, SEGMENT_SCHEME, SPARSE_SCHEME
from tests.api.documents.helpers import pdf_doc
from tests.api.documents.tracing.test_producers import _pdftotext, _without_footer
from tests.api.documents.tracing.test_traces import trace_files, trace_text
from tests.producers import rasterize, scan_pdf

PDF = "application/pdf"


def _passage(text: str) -> str:
    """A fifth of the body, from its middle: what someone quoting the letter would copy."""
    body = text.split("Copy for")[0]
    return body[len(body) * 2 // 5: len(body) * 3 // 5]


def _row(api, download_id: str) -> DocumentDownload:  # noqa: ANN001
    with transaction(api.app.state.sessionmaker) as session:
        row = session.execute(select(DocumentDownload).where(
            DocumentDownload.id == uuid.UUID(download_id))).scalar_one()
        session.expunge(row)
        return row


def test_new_downloads_keep_the_words_and_a_passage_names_the_recipient(api):
    room = api.room()
    original = pdf_doc()
    doc = api.document(room, original, filename="order.pdf")
    tracer = room.users["auditor"]
    words = Counter(_pdftotext(original).split())
    for who in ("defense_counsel", "pro_se"):
        r = api.download(room, doc["id"], who)
        assert r.status_code == 200, r.text
        download_id = r.headers["x-download-id"]
        assert _row(api, download_id).mark_scheme == SEGMENT_SCHEME
        got = Counter(_pdftotext(r.content).split())
        kept = sum(min(n, got[w]) for w, n in words.items()) / sum(words.values())
        assert kept >= 0.95
        found = trace_text(api, tracer, _passage(_pdftotext(r.content)))
        assert [m["download_id"] for m in found["matches"]] == [download_id]
        assert "text" in found["matches"][0]["layers"]


def _issued(api, row: DocumentDownload, original: bytes, scheme: int) -> bytes:  # noqa: ANN001
    """The copy a download's row would have received under `scheme`, and its row as such."""
    code = open_bytes(api.app.state.services.key_provider, row.code_sealed,
                      case_id=row.case_id, object_type=CODE_OBJECT_TYPE, object_id=row.id)
    _set_scheme(api, row.id, scheme)
    return embed(original, PDF, MarkSpec(code, "Defense Counsel", "Defendant", "CONFIDENTIAL",
                                         LEGENDS[0], row.tag, scheme=scheme))


def _set_scheme(api, download_id: uuid.UUID, scheme: int) -> None:  # noqa: ANN001
    with transaction(api.app.state.sessionmaker) as session:
        session.execute(update(DocumentDownload).where(DocumentDownload.id == download_id)
                        .values(mark_scheme=scheme))


def _two_downloads(api, original: bytes, filename: str):  # noqa: ANN001, ANN202
    """A room with `original`, its auditor, and two downloads: (old id, new id, new copy)."""
    room = api.room()
    doc = api.document(room, original, filename=filename)
    old = api.download(room, doc["id"], "defense_counsel")
    new = api.download(room, doc["id"], "pro_se")
    old_id, new_id = old.headers["x-download-id"], new.headers["x-download-id"]
    assert _row(api, new_id).mark_scheme == SEGMENT_SCHEME
    return room.users["auditor"], old_id, new_id, new.content


def test_a_scanned_copy_issued_under_scheme_two_still_traces_to_its_download(api):
    original = scan_pdf()
    tracer, old_id, new_id, new = _two_downloads(api, original, "exhibit-scan.pdf")
    issued = _issued(api, _row(api, old_id), original, SPARSE_SCHEME)

    def pages(pdf: bytes) -> list[tuple[str, bytes]]:  # the footer painted over, as JPEGs
        return [(f"p{i}.jpg", p) for i, p in enumerate(_without_footer(rasterize(pdf), True))]

    for content, download_id in ((issued, old_id), (new, new_id)):
        found = trace_files(api, tracer, pages(content))
        assert [m["download_id"] for m in found["matches"]] == [download_id]
        assert "image" in found["matches"][0]["layers"]
    # read by the segmented layout of scheme 3, the old copy's pages name no one
    _set_scheme(api, uuid.UUID(old_id), SEGMENT_SCHEME)
    assert trace_files(api, tracer, pages(issued))["matches"] == []


def test_a_copy_issued_under_scheme_one_still_traces_to_its_download(api):
    original = pdf_doc()
    tracer, old_id, new_id, new = _two_downloads(api, original, "order.pdf")
    # the copy that download would have been before scheme 2, and its row as migrated
    issued = _issued(api, _row(api, old_id), original, DENSE_SCHEME)
    found = trace_text(api, tracer, _passage(_pdftotext(issued)))
    assert [m["download_id"] for m in found["matches"]] == [old_id]
    found = trace_text(api, tracer, _passage(_pdftotext(new)))
    assert [m["download_id"] for m in found["matches"]] == [new_id]
    # scored by the wrong scheme, the old copy's passage names no one
    _set_scheme(api, uuid.UUID(old_id), SPARSE_SCHEME)
    found = trace_text(api, tracer, _passage(_pdftotext(issued)))
    assert found["matches"] == []
