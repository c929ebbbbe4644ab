"""The case's legend position (room admin only) and the protective order's page legend,
through the API: set, refused, carried by every downloaded copy, traced wherever it is."""

from __future__ import annotations

import io
import math

import pikepdf
import pypdfium2 as pdfium
import pytest

from tests.api.documents.helpers import pdf_doc
from tests.api.documents.tracing.test_traces import trace_files
from tests.api.protective_orders.conftest import TIERS, acknowledge, enter
from tests.producers import rasterize

CONF = "CONFIDENTIAL - SUBJECT TO PROTECTIVE ORDER"
AEO = "HIGHLY CONFIDENTIAL - ATTORNEYS' EYES ONLY - SUBJECT TO PROTECTIVE ORDER"


def _set(api, room, who: str, value: object):  # noqa: ANN001, ANN202
    return api.client.patch(f"/api/v1/cases/{room.id}", headers=room.users[who].headers,
                            json={"legend_position": value})


def _position(api, room) -> str:  # noqa: ANN001
    r = api.client.get(f"/api/v1/cases/{room.id}", headers=room.admin.headers)
    return r.json()["legend_position"]


def _pages(pdf: bytes) -> list[tuple[str, float, float]]:
    """Per page: its text, and the baseline height (pt from the bottom) of its first
    "Download tag" (the visible one: a diagonal's horizontal copy is invisible and last)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for k in range(len(doc)):
            page = doc[k]
            tp = page.get_textpage()
            found = tp.search("Download tag").get_next()
            y = tp.get_charbox(found[0])[1] if found else -1.0
            out.append((" ".join(tp.get_text_range().split()), y, page.get_height()))
        return out
    finally:
        doc.close()


def _diagonal_tag_origins(pdf: bytes) -> list[tuple[float, float, float]]:
    """Per page: (x, y, angle in degrees) of the text matrix that draws "Download tag "
    visibly (text render mode 3 is the invisible horizontal copy)."""
    out = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            tm, mode = None, 0
            for operands, op in pikepdf.parse_content_stream(page):
                if str(op) == "Tm":
                    tm = [float(v) for v in operands]
                elif str(op) == "Tr":
                    mode = int(operands[0])
                elif str(op) == "BT":
                    mode = 0
                elif str(op) == "Tj" and bytes(operands[0]) == b"Download tag " and mode != 3:
                    assert tm is not None
                    out.append((tm[4], tm[5], math.degrees(math.atan2(tm[1], tm[0]))))
                    break
    return out


def test_room_admin_sets_the_position_and_others_are_refused(api):
    room = api.room()
    assert _position(api, room) == "footer"
    for who in ("plaintiff_counsel", "defense_counsel", "auditor", "neutral", "pro_se"):
        r = _set(api, room, who, "diagonal")
        assert r.status_code == 403 and r.json()["code"] == "role_not_allowed", (who, r.text)
    assert _position(api, room) == "footer"
    for value in ("sideways", "Header", "", None, 3):
        r = _set(api, room, "room_admin", value)
        assert r.status_code == 422, r.text
        if isinstance(value, str) or value is None:
            assert r.json()["code"] == "invalid_legend_position"
    r = _set(api, room, "room_admin", "header")
    assert r.status_code == 200 and r.json()["legend_position"] == "header"
    assert _position(api, room) == "header"
    # the change is audited by the field it changed; each refusal by its reason
    def events(query: str) -> list[dict]:
        return api.client.get(f"/api/v1/audit/events?case_id={room.id}&limit=200&{query}",
                              headers=room.users["auditor"].headers).json()

    assert events("action=case.update")[-1]["details"] == {"fields": ["legend_position"]}
    denied = events("action=case.manage&outcome=denied")
    assert [e["details"]["reason"] for e in denied[-5:]] == ["role_not_allowed"] * 5


# Where the legend is drawn is the PDF writer's business: one position runs on both
# databases (the case row's value, the download and the trace's lookups), the others once,
# in the SQLite pass.
@pytest.mark.parametrize("position", ["header", pytest.param("diagonal", marks=pytest.mark.once)])
def test_copies_carry_the_case_position_and_are_traced(api, position: str):
    room = api.room()
    assert _set(api, room, "room_admin", position).status_code == 200
    doc = api.document(room, pdf_doc(), filename="order.pdf")
    r = api.download(room, doc["id"], "defense_counsel")
    assert r.status_code == 200
    content, download_id = r.content, r.headers["x-download-id"]
    pages = _pages(content)
    for text, y, height in pages:
        assert "Download tag" in text  # extracted whole in every position
        if position == "header":
            assert y > height - 60
    if position == "diagonal":  # drawn at 45 degrees, starting inside the page's body
        origins = _diagonal_tag_origins(content)
        assert len(origins) == len(pages)
        for (x, y, angle), (_, _, height) in zip(origins, pages, strict=True):
            assert abs(angle - 45) < 0.01 and 60 < y < height / 2 and x > 60
    tracer = room.users["auditor"]
    got = trace_files(api, tracer, [("leak.pdf", content)])
    assert [m["download_id"] for m in got["matches"]] == [download_id]
    pages = [(f"p{k}.png", png) for k, png in enumerate(rasterize(content))]
    got = trace_files(api, tracer, pages)
    assert [m["download_id"] for m in got["matches"]] == [download_id]


@pytest.mark.parametrize("position", [
    "footer", *(pytest.param(p, marks=pytest.mark.once) for p in ("header", "diagonal"))])
def test_order_legend_on_every_page_of_a_designated_copy_only(api, position: str):
    room = api.room()
    assert _set(api, room, "room_admin", position).status_code == 200
    conf = api.document(room, pdf_doc(), filename="conf.pdf")
    aeo = api.document(room, pdf_doc(), filename="aeo.pdf", designation="AEO")
    # no order recorded yet: designated documents carry no order legend
    before = _pages(api.download(room, conf["id"], "defense_counsel").content)
    assert all("PROTECTIVE ORDER" not in text for text, _, _ in before)
    enter(api, room)
    acknowledge(api, room, "defense_counsel")
    for doc, legend in ((conf, CONF), (aeo, AEO)):
        r = api.download(room, doc["id"], "defense_counsel")
        assert r.status_code == 200, r.text
        pages = _pages(r.content)
        assert len(pages) >= 2
        assert all(legend in text for text, _, _ in pages)
    assert all(AEO not in text for text, _, _ in _pages(
        api.download(room, conf["id"], "defense_counsel").content))


def test_no_legend_for_a_designation_the_order_does_not_name(api):
    room = api.room()
    aeo = api.document(room, pdf_doc(), filename="aeo.pdf", designation="AEO")
    enter(api, room, tiers=[TIERS[0]])  # the order names CONFIDENTIAL only
    acknowledge(api, room, "defense_counsel")
    r = api.download(room, aeo["id"], "defense_counsel")
    assert r.status_code == 200, r.text
    assert all("PROTECTIVE ORDER" not in text for text, _, _ in _pages(r.content))
