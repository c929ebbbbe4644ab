"""Public text a party registers (issue #18 item 5: the guard "must not flag public text",
the parties' own public filings and case law included): it counts only in the checks of
the party that registered it, is sealed, audited without its words, and destroyed with the
case."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from app.db import transaction
from app.models.protective_orders import PublicText
from tests.api.documents.helpers import pdf_doc
from tests.api.offers.conftest import audit_events, events_named
from tests.api.protective_orders.conftest import base, enter
from tests.api.protective_orders.test_filing_checks import DECLARATION, _public_draft

# An opinion passage that is not in the bundled corpus (app/protective_orders/data).
OPINION = ("A records custodian who testifies about the filing habits of a small municipal "
           "police department does not thereby establish that the department concealed any "
           "personnel complaint from the state agency charged with keeping those records.")
CITATION = "Smith v. Jones, 123 F.3d 456, 461 (9th Cir. 1997)"
# The defendant's declaration quotes the opinion; the quotation is public, the rest is not.
QUOTING = DECLARATION.replace("4. As the Court wrote,", f"4. As the Ninth Circuit held, {OPINION} "
                              "And as the Court wrote,")


@pytest.fixture
def declared(api, room):  # noqa: ANN001, ANN201
    enter(api, room)
    return api.document(room, QUOTING.encode(), filename="lopez-decl.txt",
                        by="defense_counsel", designation="CONFIDENTIAL")


def _add(api, room, who="plaintiff_counsel", **kw):  # noqa: ANN001, ANN202
    headers = room.users[who].headers if who else {}
    return api.client.post(f"{base(room)}/public-texts", headers=headers, **kw)


def _opinion(api, room, who="plaintiff_counsel") -> dict:  # noqa: ANN001
    r = _add(api, room, who, json={"title": "Smith v. Jones", "citation": CITATION,
                                   "text": OPINION})
    assert r.status_code == 201, r.text
    return r.json()


def _findings(api, room, who: str, text: str) -> list:  # noqa: ANN001
    r = api.client.post(f"{base(room)}/filing-checks", headers=room.users[who].headers,
                        json={"text": text})
    assert r.status_code == 200, r.text
    return r.json()["findings"]


def test_a_registered_opinion_is_no_finding_for_the_party_that_registered_it(api, room,
                                                                             declared):
    draft = _public_draft(f"As the Ninth Circuit held, \u201c{OPINION}\u201d")
    assert [f["document_id"] for f in _findings(api, room, "plaintiff_counsel", draft)] == [
        declared["id"]]
    got = _opinion(api, room)
    assert got == {**got, "title": "Smith v. Jones", "citation": CITATION, "kind": "text",
                   "party_id": room.parties["plaintiff"],
                   "added_by": room.users["plaintiff_counsel"].id}
    assert _findings(api, room, "plaintiff_counsel", draft) == []
    # The defendant registered nothing: its own guard still finds the passage.
    assert [f["document_id"] for f in _findings(api, room, "defense_counsel", draft)] == [
        declared["id"]]
    # The declaration's own words are still found by the plaintiff.
    quote = ("The internal affairs file shows that the reprimands were never entered into "
             "the statewide personnel database")
    assert _findings(api, room, "plaintiff_counsel", _public_draft(quote))


def test_registering_the_protected_passage_blinds_only_ones_own_guard(api, room, declared):
    """The threat: a member registers another party's protected passage as "public"."""
    quote = ("The internal affairs file shows that the reprimands were never entered into "
             "the statewide personnel database, because the chief asked the clerk to hold them")
    r = _add(api, room, json={"title": "Public", "citation": "ECF No. 1", "text": QUOTING})
    assert r.status_code == 201
    assert _findings(api, room, "plaintiff_counsel", _public_draft(quote)) == []
    assert _findings(api, room, "defense_counsel", _public_draft(quote))
    assert _findings(api, room, "pro_se", _public_draft(quote))


def test_a_public_filing_as_a_pdf_and_the_list(api, room, declared):
    pdf = pdf_doc("PLAINTIFF'S PUBLIC BRIEF, ECF No. 12\n\n" + OPINION)
    r = _add(api, room, "defense_counsel", data={"title": "Our brief", "citation": "ECF No. 12"},
             files={"file": ("brief.pdf", pdf, "application/pdf")})
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["kind"] == "pdf" and got["party_id"] == room.parties["defendant"]
    assert got["sha256"] == __import__("hashlib").sha256(pdf).hexdigest()
    draft = _public_draft(OPINION)
    assert _findings(api, room, "defense_counsel", draft) == []
    assert _findings(api, room, "plaintiff_counsel", draft)
    for who in ("plaintiff_counsel", "room_admin", "pro_se"):
        listed = api.client.get(f"{base(room)}/public-texts", headers=room.users[who].headers)
        assert listed.status_code == 200
        assert [(x["id"], x["citation"]) for x in listed.json()] == [(got["id"], "ECF No. 12")]
        assert "text" not in listed.json()[0]


@pytest.mark.parametrize(("who", "status", "code"), [
    ("plaintiff_client", 403, "role_not_allowed"),
    ("auditor", 403, "role_not_allowed"),
    ("neutral", 403, "role_not_allowed"),
    ("room_admin", 403, "role_not_allowed"),
    ("outsider", 404, "case_not_found"),
    (None, 401, None),
])
def test_who_may_register(api, room, who, status, code):
    r = _add(api, room, who, json={"title": "T", "citation": "C", "text": OPINION})
    assert r.status_code == status
    if code:
        assert r.json()["code"] == code


@pytest.mark.parametrize(("kw", "status", "code"), [
    ({"files": {"file": ("x.html", b"<html><body>opinion</body></html>", "text/html")},
      "data": {"title": "T", "citation": "C"}}, 415, "unsupported_media_type"),
    ({"files": {"file": ("x.pdf", b"%PDF-1.7\n garbage", "application/pdf")},
      "data": {"title": "T", "citation": "C"}}, 422, "malformed_pdf"),
    ({"files": {"file": ("x.txt", OPINION.encode(), "text/plain")}, "data": {"title": "T"}},
     422, "validation_error"),
    ({"data": {"title": "T", "citation": "C"}, "files": {"other": ("x.txt", b"a", "x/y")}},
     422, "file_required"),
    ({"json": {"title": "T", "citation": "C", "text": "too short"}}, 422,
     "public_text_too_short"),
    ({"json": {"title": " ", "citation": "C", "text": OPINION}}, 422, "validation_error"),
    ({"json": {"title": "T", "citation": "C", "text": OPINION, "party_id": str(uuid.uuid4())}},
     403, "not_your_party"),
    ({"content": b"text", "headers": {"content-type": "text/plain"}}, 415,
     "unsupported_media_type"),
])
def test_refused_registrations_are_problems(api, room, kw, status, code):
    headers = {**room.users["plaintiff_counsel"].headers, **kw.pop("headers", {})}
    r = api.client.post(f"{base(room)}/public-texts", headers=headers, **kw)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code


def test_removal_by_who_added_it_or_a_room_admin(api, app, room):
    first, second = _opinion(api, room), _opinion(api, room)
    url = f"{base(room)}/public-texts/{first['id']}"
    for who, status, code in (("defense_counsel", 403, "not_who_added"),
                              ("pro_se", 403, "not_who_added"),
                              ("plaintiff_client", 403, "role_not_allowed")):
        r = api.client.delete(url, headers=room.users[who].headers)
        assert (r.status_code, r.json()["code"]) == (status, code), who
    assert api.client.delete(url, headers=room.users["plaintiff_counsel"].headers
                             ).status_code == 204
    r = api.client.delete(url, headers=room.users["plaintiff_counsel"].headers)
    assert (r.status_code, r.json()["code"]) == (404, "public_text_not_found")
    assert api.client.delete(f"{base(room)}/public-texts/{second['id']}",
                             headers=room.admin.headers).status_code == 204
    listed = api.client.get(f"{base(room)}/public-texts", headers=room.admin.headers).json()
    assert listed == []
    refused = [e for e in audit_events(app, room.id)
               if e.action == "public_text.remove" and e.outcome != "ok"]
    assert len(refused) >= 3


def test_registrations_are_audited_without_the_text(api, app, room, declared):
    got = _opinion(api, room)
    [event] = events_named(app, "public_text.add")
    assert event.details == {**event.details, "public_text_id": got["id"],
                             "public_text_sha256": got["sha256"],
                             "party_id": room.parties["plaintiff"]}
    api.client.post(f"{base(room)}/filing-checks", json={"text": _public_draft(OPINION)},
                    headers=room.users["plaintiff_counsel"].headers)
    api.client.delete(f"{base(room)}/public-texts/{got['id']}",
                      headers=room.users["plaintiff_counsel"].headers)
    [check] = events_named(app, "filing.check")
    assert check.details["public_texts"] == 1 and check.details["matches"] == 0
    details = json.dumps([e.details for e in audit_events(app, room.id)])
    for secret in ("municipal police", "Smith v. Jones", "123 F.3d", CITATION):
        assert secret not in details


def test_sealed_at_rest_and_destroyed_with_the_case(api, app, room):
    _opinion(api, room)
    with transaction(app.state.sessionmaker) as session:
        [row] = session.execute(select(PublicText)).scalars().all()
        assert b"municipal" not in row.text_sealed and b"Jones" not in row.label_sealed
    r = api.client.post(f"/api/v1/cases/{room.id}/destroy", headers=room.admin.headers,
                        json={"confirm_caption": "Doe v. Acme Corp."})
    assert r.status_code == 200, r.text
    with transaction(app.state.sessionmaker) as session:
        rows = session.execute(select(PublicText).where(
            PublicText.case_id == uuid.UUID(room.id))).scalars().all()
        assert all(row.text_sealed == b"" and row.label_sealed == b"" for row in rows)
    r = api.client.get(f"{base(room)}/public-texts", headers=room.admin.headers)
    assert r.status_code == 410


def test_the_rooms_own_papers_leave_out_the_makers_public_text(api, room):
    """The paper check of a Rule 68 filing package (issue #18 item 6) counts the public text
    of the requester's party only."""
    from tests.api.protective_orders.test_paper_checks import (
        PROTECTED,
        WARNING,
        _accepted_rule68,
        _pages,
    )

    api.consent_all(room)
    api.document(room, ("DECLARATION\n" + PROTECTED + "\n").encode(), filename="d.txt")
    offer = _accepted_rule68(api, room, "Judgment for the sum stated. " + PROTECTED)
    url = f"{base(room)}/rule68-offers/{offer['id']}/filing-package"

    def warned(who: str) -> bool:
        r = api.client.get(url, headers=room.users[who].headers)
        assert r.status_code == 200
        return all(WARNING in page for page in _pages(r.content))

    assert warned("defense_counsel")
    r = _add(api, room, "defense_counsel", json={"title": "Public order", "citation": "ECF 3",
                                                 "text": PROTECTED})
    assert r.status_code == 201
    assert not warned("defense_counsel")
    assert warned("plaintiff_counsel")
