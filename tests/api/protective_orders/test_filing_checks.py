"""The filing guard (issue #18 item 5): a draft filing is checked against what the caller's
party may see in the room; findings name the document, its designation and designating
party, the draft's page, the words matched and the district's sealing rule, and nothing
of a document the caller may not see, nor any text, goes into the answer or the audit."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from app.watermark.text import HOMOGLYPHS
from tests.api.documents.helpers import order_text, pdf_doc
from tests.api.offers.conftest import events_named
from tests.api.protective_orders.conftest import acknowledge, base, enter

# The seed's situation: a protected declaration, and an opposition that quotes it.
DECLARATION = (
    "DECLARATION OF MARIA LOPEZ IN SUPPORT OF DEFENDANTS' MOTION\n\n"
    "1. I am the records custodian of the City of Delano Police Department and I have "
    "personal knowledge of the facts set forth in this declaration and, if called as a "
    "witness, could and would testify competently thereto.\n\n"
    "2. Officer Hernandez resides at 1417 Cecil Avenue, where the department mailed three "
    "written reprimands in 2009 concerning his use of force during traffic stops on the "
    "east side of the city.\n\n"
    "3. The internal affairs file shows that the reprimands were never entered into the "
    "statewide personnel database, because the chief asked the clerk to hold them until the "
    "lawsuit was resolved.\n\n"
    "4. As the Court wrote, District courts may impose sanctions as part of their inherent "
    "powers that are governed not by rule or statute but by the control necessarily vested "
    "in courts to manage their own affairs.\n\n"
    "I declare under penalty of perjury under the laws of the United States of America that "
    "the foregoing is true and correct.\n")
QUOTE = ("The internal affairs file shows that the reprimands were never entered into the "
         "statewide personnel database, because the chief asked the clerk to hold them")


def _public_draft(*inserts: str) -> str:
    """An opposition built from public text (a real court order) with ``inserts`` in it."""
    body = order_text("order-protective-order-violation.txt")
    half = len(body) // 2
    return ("PLAINTIFFS' OPPOSITION TO DEFENDANTS' MOTION\n\n" + body[:half] + "\n\n"
            + "\n\n".join(inserts) + "\n\n" + body[half:])


def _check(api, room, who="plaintiff_counsel", **kw):  # noqa: ANN001, ANN202
    headers = room.users[who].headers if who else {}
    return api.client.post(f"{base(room)}/filing-checks", headers=headers, **kw)


def _ok(api, room, who="plaintiff_counsel", **kw) -> dict:  # noqa: ANN001
    r = _check(api, room, who, **kw)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def declared(api, room):  # noqa: ANN001, ANN201
    enter(api, room)
    return api.document(room, DECLARATION.encode(), filename="lopez-decl.txt",
                        by="defense_counsel", designation="CONFIDENTIAL")


def test_who_may_check(api, room, declared):
    body = {"json": {"text": "nothing"}}
    assert _check(api, room, None, **body).status_code == 401
    assert _check(api, room, "outsider", **body).status_code == 404
    for who in ("plaintiff_client", "neutral", "auditor", "room_admin"):
        r = _check(api, room, who, **body)
        assert r.status_code == 403, who
    for who in ("plaintiff_counsel", "defense_counsel", "pro_se"):
        assert _check(api, room, who, **body).status_code == 200, who


def test_the_seed_opposition_quoting_the_declaration_is_found(api, room, declared):
    got = _ok(api, room, json={"text": _public_draft(f"Lopez admits that \u201c{QUOTE}.\u201d")})
    assert got["verdict"] == "protected_material_found"
    assert got["rule"] == "N.D. Cal. Civ. L.R. 79-5"
    [f] = got["findings"]
    assert f == {"document_id": declared["id"], "source": "document",
                 "designation": "CONFIDENTIAL",
                 "designating_party_id": room.parties["defendant"], "evidence_page": 1,
                 "matched_words": f["matched_words"], "rule": "N.D. Cal. Civ. L.R. 79-5",
                 "never_file": False}
    assert 20 <= f["matched_words"] <= 26
    assert got["checked_documents"] == 1
    assert QUOTE[:30] not in json.dumps(got)


@pytest.mark.parametrize("variant", [
    pytest.param(lambda q: q.replace(" ", "\n"), id="reflowed"),
    pytest.param(lambda q: q.replace(" ", "  \n   ").replace("statewide", "state-\nwide"),
                 id="reflowed-hyphenated"),
    pytest.param(lambda q: q.upper().replace(",", ";").replace(" the ", " the, "),
                 id="retyped-punctuation"),
    pytest.param(lambda q: q.replace("reprimands", "repr1mands"), id="one-word-garbled"),
])
def test_a_quoted_sentence_is_found_however_it_was_copied(api, room, declared, variant):
    got = _ok(api, room, json={"text": _public_draft(variant(QUOTE))})
    assert [f["document_id"] for f in got["findings"]] == [declared["id"]]


def test_a_passage_from_a_watermarked_download_is_found(api, room, declared):
    acknowledge(api, room, "plaintiff_counsel")
    copy = api.download(room, declared["id"], "plaintiff_counsel")
    assert copy.status_code == 200
    text = copy.content.decode()
    assert QUOTE not in text  # the copy carries look-alike letters
    latin = text.translate({ord(v): k for k, v in HOMOGLYPHS.items()})  # same length
    start = latin.find("The internal")
    assert start >= 0
    got = _ok(api, room, json={"text": _public_draft(text[start:start + 200])})
    assert [f["document_id"] for f in got["findings"]] == [declared["id"]]


def test_public_text_is_never_a_finding(api, room, declared):
    """The declaration quotes a court order and swears in the usual formula; an opposition
    quoting the same order and swearing the same way is clean, as are the other orders."""
    public = ("District courts may impose sanctions as part of their inherent powers that "
              "are governed not by rule or statute but by the control necessarily vested in "
              "courts to manage their own affairs. I declare under penalty of perjury under "
              "the laws of the United States of America that the foregoing is true and "
              "correct.")
    for draft in (_public_draft(public), order_text(),
                  order_text("order-rule68-offer-request.txt")):
        got = _ok(api, room, json={"text": draft})
        assert got == {**got, "verdict": "clean", "findings": []}


def test_nothing_of_a_document_the_caller_may_not_see(api, room):
    """A document produced to the pro se defendant only: plaintiff's counsel quoting it
    learns nothing, not even that it was compared; the pro se party is told."""
    enter(api, room)
    api.document(room, DECLARATION.encode(), by="defense_counsel", designation="CONFIDENTIAL",
                 audience=room.parties["defendant2"])
    acknowledge(api, room, "pro_se")
    got = _ok(api, room, json={"text": _public_draft(QUOTE)})
    assert got["verdict"] == "clean" and got["checked_documents"] == 0
    assert _ok(api, room, "pro_se", json={"text": _public_draft(QUOTE)})["findings"]


def test_page_numbers_of_text_and_pdf_drafts(api, room, declared):
    pages = ["PRELIMINARY STATEMENT\n" + order_text(), order_text("order-rule68-offer-request.txt"),
             "ARGUMENT\n" + QUOTE + ".\n"]
    got = _ok(api, room, json={"text": "\f".join(pages)})
    assert [f["evidence_page"] for f in got["findings"]] == [3]
    pdf = pdf_doc("\n\n".join([order_text("order-rule68-offer-request.txt")] * 2 + [QUOTE]))
    got = _ok(api, room, files={"file": ("draft.pdf", pdf, "application/pdf")})
    assert got["verdict"] == "protected_material_found"
    assert got["findings"][0]["evidence_page"] >= 2


def _docx(paragraphs: list[str], page_break_before: int) -> bytes:
    def para(t: str) -> str:
        t = t.replace("&", "&amp;").replace("<", "&lt;")
        return f'<w:p><w:r><w:t xml:space="preserve">{t}</w:t></w:r></w:p>'

    body = "".join(
        ('<w:p><w:r><w:br w:type="page"/></w:r></w:p>' if i == page_break_before else "")
        + para(p) for i, p in enumerate(paragraphs))
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
           '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           f"{body}</w:body></w:document>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", xml)
    return buf.getvalue()


def test_a_docx_draft(api, room, declared):
    docx = _docx(["OPPOSITION", order_text(), "Lopez says: " + QUOTE], page_break_before=2)
    got = _ok(api, room, files={"file": ("draft.docx", docx, "application/octet-stream")})
    assert [(f["document_id"], f["evidence_page"]) for f in got["findings"]] == [
        (declared["id"], 2)]
    clean = _docx(["OPPOSITION", order_text()], page_break_before=1)
    assert _ok(api, room, files={"file": ("d.docx", clean, "x/y")})["verdict"] == "clean"


def test_offer_terms_and_ene_content_are_never_to_be_filed(api, room):
    terms = ("Acme pays the settlement sum in three instalments and the plaintiff dismisses "
             "every claim with prejudice within ten days")
    offer = api.offer(room, terms=terms)
    got = _ok(api, room, json={"text": _public_draft("Acme offered that " + terms)})
    [f] = got["findings"]
    assert (f["document_id"], f["source"], f["never_file"]) == (offer["id"], "offer", True)
    assert f["designating_party_id"] == room.parties["plaintiff"]
    assert "FRE 408" in f["rule"]
    # The pro se defendant is no party to the offer: the same draft is clean for it.
    assert _ok(api, room, "pro_se", json={"text": _public_draft(terms)})["verdict"] == "clean"


@pytest.mark.parametrize(("content", "ctype", "status", "code"), [
    (b"PK\x03\x04" + b"\x00" * 40, "application/zip", 415, "unsupported_media_type"),
    (b"<html><body>draft</body></html>", "text/html", 415, "unsupported_media_type"),
    (b"%PDF-1.7\n garbage", "application/pdf", 422, "malformed_pdf"),
    (b"\xff\xfe" + "draft".encode("utf-16-le"), "text/plain", 422, "invalid_text_encoding"),
])
def test_refused_drafts_are_problems_never_500(api, room, declared, content, ctype, status,
                                               code):
    r = _check(api, room, files={"file": ("x", content, ctype)})
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code


def test_a_zip_that_is_not_a_docx_and_other_bodies(api, room, declared):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("evil.txt", QUOTE)
    r = _check(api, room, files={"file": ("a.docx", buf.getvalue(), "x/y")})
    assert r.status_code == 415
    r = api.client.post(f"{base(room)}/filing-checks", content=b"text", headers={
        **room.users["plaintiff_counsel"].headers, "content-type": "text/plain"})
    assert r.status_code == 415 and r.json()["code"] == "unsupported_media_type"
    assert _check(api, room, json={"txt": "x"}).status_code == 422
    limit = api.app.state.settings.max_upload_bytes
    r = _check(api, room, files={"file": ("big.txt", b"a " * (limit // 2 + 10), "text/plain")})
    assert r.status_code == 413


def test_the_check_is_audited_without_content(api, app, room, declared):
    _ok(api, room, json={"text": _public_draft(QUOTE)})
    [event] = events_named(app, "filing.check")
    details = json.dumps(event.details)
    assert event.details["verdict"] == "protected_material_found"
    assert event.details["matches"] == 1 and event.details["document_ids"] == [declared["id"]]
    assert event.details["count"] == 1 and event.details["pages"] == 1
    assert "internal affairs" not in details.lower() and "Delano" not in details


def test_ene_statements_are_found_only_by_those_who_may_read_them(api, room):
    session = api.ene_session(room)
    statement = ("Our expert will testify that the warehouse roof failed because the landlord "
                 "ignored four written repair requests during the winter of 2024")
    url = f"{base(room)}/ene-sessions/{session['id']}/statements"
    r = api.client.post(url, headers=room.users["defense_counsel"].headers, json={
        "party_id": room.parties["defendant"], "body": statement,
        "share_with_parties": False})
    assert r.status_code == 201, r.text
    draft = _public_draft("Acme told the evaluator that " + statement)
    [f] = _ok(api, room, "defense_counsel", json={"text": draft})["findings"]
    assert (f["document_id"], f["source"], f["designation"], f["never_file"]) == (
        r.json()["id"], "ene_statement", "ENE", True)
    # Unshared: the plaintiff never read it, and its check compares nothing of it.
    assert _ok(api, room, json={"text": draft})["verdict"] == "clean"


def _merged(*pdfs: bytes) -> bytes:
    import pikepdf

    out = pikepdf.new()
    for data in pdfs:
        src = pikepdf.open(io.BytesIO(data))
        out.pages.extend(src.pages)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


# The two OCR tests run once, in the SQLite pass: OCR (most of their time) is no business
# of the database, and the text it reads is indexed and matched by the same queries as the
# text drafts and documents of this module's other tests, which run on both.
@pytest.mark.slow
@pytest.mark.once
def test_a_scanned_exhibit_page_is_found_by_ocr(api, room, declared):
    """The opposition's brief (text pages) with the declaration attached as Exhibit A, a
    150 dpi scan: the finding is on the exhibit's page."""
    from tests.producers import scan_pdf

    brief = pdf_doc(order_text("order-rule68-offer-request.txt"))
    draft = _merged(brief, scan_pdf(DECLARATION))
    pages = len(__import__("pikepdf").open(io.BytesIO(brief)).pages)
    got = _ok(api, room, files={"file": ("opposition.pdf", draft, "application/pdf")})
    assert {(f["document_id"], f["evidence_page"]) for f in got["findings"]} == {
        (declared["id"], pages + 1)}
    assert max(f["matched_words"] for f in got["findings"]) >= 60


@pytest.mark.slow
@pytest.mark.once
def test_page_images_and_a_scanned_production(api, room):
    """A scanned production (image-only PDF) is read by OCR when indexed, and a draft sent as
    page images is read by OCR too."""
    from tests.producers import rasterize, scan_pdf, ttf_pdf

    enter(api, room)
    doc = api.document(room, scan_pdf(DECLARATION), filename="scan.pdf", by="defense_counsel")
    got = _ok(api, room, json={"text": _public_draft(QUOTE)})
    assert [f["document_id"] for f in got["findings"]] == [doc["id"]]
    images = rasterize(ttf_pdf(order_text("order-rule68-offer-request.txt") + "\n\n" + QUOTE))
    files = [("file", (f"p{i}.png", png, "image/png")) for i, png in enumerate(images)]
    got = _ok(api, room, files=files)
    assert [f["document_id"] for f in got["findings"]] == [doc["id"]]


def test_the_rule_is_the_case_districts(api, room, declared):
    """The seed's court: the Eastern District of California (L.R. 141)."""
    r = api.client.patch(f"/api/v1/cases/{room.id}", headers=room.admin.headers,
                         json={"district": "caed", "court": "E.D. Cal."})
    assert r.status_code == 200, r.text
    got = _ok(api, room, json={"text": _public_draft(QUOTE)})
    assert got["rule"] == "E.D. Cal. L.R. 141"
    assert [f["rule"] for f in got["findings"]] == ["E.D. Cal. L.R. 141"]
    clean = _ok(api, room, json={"text": order_text()})
    assert (clean["verdict"], clean["rule"]) == ("clean", "E.D. Cal. L.R. 141")


def test_the_callers_own_designations_are_sources_too(api, room, declared):
    """The designating party files too: its own CONFIDENTIAL declaration, quoted in its own
    brief, is still a finding (the order binds what goes on the public docket, whoever
    produced it)."""
    got = _ok(api, room, "defense_counsel", json={"text": _public_draft(QUOTE)})
    [f] = got["findings"]
    assert (f["document_id"], f["source"], f["designation"]) == (
        declared["id"], "document", "CONFIDENTIAL")
    assert f["designating_party_id"] == room.parties["defendant"]


def test_ene_caucus_messages_are_never_to_be_filed(api, room):
    session = api.ene_session(room)
    said = ("In caucus the plaintiff conceded that the lost profits claim rests on a single "
            "customer contract that was never renewed after the spring of 2023")
    url = f"{base(room)}/ene-sessions/{session['id']}/messages"
    r = api.client.post(url, headers=room.users["plaintiff_counsel"].headers, json={
        "channel": f"caucus:{room.parties['plaintiff']}", "body": said})
    assert r.status_code == 201, r.text
    draft = _public_draft("As counsel told the evaluator, " + said)
    [f] = _ok(api, room, json={"text": draft})["findings"]
    assert (f["document_id"], f["source"], f["never_file"]) == (
        r.json()["id"], "ene_message", True)
    # The defendant's counsel never saw the plaintiff's caucus: nothing of it is compared.
    assert _ok(api, room, "defense_counsel", json={"text": draft})["verdict"] == "clean"


def test_the_southern_district_of_california_rule(api, room, declared):
    r = api.client.patch(f"/api/v1/cases/{room.id}", headers=room.admin.headers,
                         json={"district": "casd", "court": "S.D. Cal."})
    assert r.status_code == 200, r.text
    got = _ok(api, room, json={"text": _public_draft(QUOTE)})
    assert got["rule"] == "S.D. Cal. CivLR 79.2"
    assert [f["rule"] for f in got["findings"]] == ["S.D. Cal. CivLR 79.2"]
