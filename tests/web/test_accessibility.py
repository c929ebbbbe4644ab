"""axe-core on every page of the app, in headless Chromium, for every role: no serious or
critical violation. The room holds something on every page (an offer, a Rule 68 offer, an
ENE session with a caucus, a release and an evaluation, a document, a notification), so
that the pages are checked with their content, not only their empty states.

axe-core (MPL-2.0) is vendored as ``tests/web/vendor/axe.min.js`` and evaluated in the page
through the browser's debugging protocol, which the pages' Content-Security-Policy (no
inline script) does not govern; nothing of it is served by the app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.api.documents.helpers import text_doc
from tests.web.browser import Person

pytestmark = pytest.mark.browser
AXE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text()
BLOCKING = {"serious", "critical"}
# Violations known and not yet fixed, listed exactly (page suffix and rule) so that any
# other violation there still fails. None at present.
PENDING: set[tuple[str, str]] = set()


@pytest.fixture(scope="module")
def content(web_api, room):  # noqa: ANN001, ANN201
    """Something on every page of the module's room."""
    offer = web_api.offer(room)
    web_api.rule68_offer(room)
    doc = web_api.document(room, text_doc("AXE-0001"))
    ene = web_api.ene_session(room)
    base = f"/api/v1/cases/{room.id}/ene-sessions/{ene['id']}"
    msg = web_api.client.post(base + "/messages", headers=room.users["plaintiff_counsel"].headers,
                              json={"channel": f"caucus:{room.parties['plaintiff']}",
                                    "body": "Our bottom line."}).json()
    assert web_api.client.post(f"{base}/messages/{msg['id']}/release",
                               headers=room.users["plaintiff_counsel"].headers,
                               json={"to_party_id": room.parties["defendant"]}).status_code == 201
    assert web_api.client.post(base + "/evaluation", headers=room.users["neutral"].headers,
                               json={"body": "Liability is likely.",
                                     "share_with_party_ids": [room.parties["plaintiff"]]}
                               ).status_code == 201
    return {"offer": offer, "doc": doc, "ene": ene}


def _case_pages(room, content) -> list[str]:  # noqa: ANN001
    case = f"/cases/{room.id}"
    ene = f"{case}/ene/{content['ene']['id']}"
    doc = f"{case}/documents/{content['doc']['id']}"
    return [case, f"{case}/offers", f"{case}/rule68", f"{case}/ene", ene, f"{ene}/evaluation",
            f"{case}/documents", f"{doc}/view", f"{doc}/downloads", f"{case}/members",
            f"{case}/parties", f"{case}/protective-order", f"{case}/audit", f"{case}/traces",
            f"{case}/destroy"]


USER_PAGES = ["/", "/account", "/notifications", "/deadlines", "/my-invitations"]


def _violations(page) -> list[str]:  # noqa: ANN001
    page.evaluate(AXE)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + json.dumps([n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in BLOCKING]


def _pending(path: str, bad: list[str]) -> list[str]:
    """``bad`` without the violations listed in ``PENDING`` for this page."""
    known = {rule for suffix, rule in PENDING if path.endswith(suffix)}
    return [v for v in bad if v.split(" ", 1)[0] not in known]


def _check(person: Person, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    refusals: set[int] = set()
    for path in paths:
        response = person.page.goto(path)
        assert response is not None
        if response.status >= 400:  # a refusal is a page too; its console line is expected
            person.errors[:] = [e for e in person.errors if str(response.status) not in e]
            if response.status in refusals:
                continue  # one refusal template per status: scanned once per person
            refusals.add(response.status)
        bad = _violations(person.page)
        if response.status == 200:
            bad = _pending(path, bad)
        if bad:
            found[f"{person.label} {path} ({response.status})"] = bad
    return found


ROLES = ["room_admin", "plaintiff_counsel", "defense_client", "pro_se", "neutral", "auditor"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_each_role_has_no_serious_violation(browser, base_url, room, content,
                                                           role):  # noqa: ANN001
    person = Person(browser, base_url, room.users[role].email, f"axe-{role}")
    try:
        person.sign_in()
        found = _check(person, USER_PAGES + _case_pages(room, content))
    finally:
        person.close()
    assert not found, json.dumps(found, indent=1)


def test_public_and_admin_pages_have_no_serious_violation(browser, base_url, web_api):  # noqa: ANN001
    visitor = Person(browser, base_url, "nobody@example.com", "axe-visitor")
    try:
        found = _check(visitor, ["/signin", "/signin?next=%2F&expired=1", "/password-reset",
                                 "/password-reset/" + "x" * 43, "/invitations/" + "x" * 43])
    finally:
        visitor.close()
    admin = Person(browser, base_url, web_api.admin.email, "axe-admin")
    try:
        admin.sign_in(web_api.admin.password)
        found |= _check(admin, ["/", "/admin/users", "/account"])
    finally:
        admin.close()
    assert not found, json.dumps(found, indent=1)


def test_the_narrow_screen_has_no_serious_violation(browser, base_url, room, content):  # noqa: ANN001
    """At 390 px the same pages reflow (the menu, tables, dialogs): checked for one party."""
    person = Person(browser, base_url, room.users["defense_counsel"].email, "axe-390",
                    width=390)
    try:
        person.sign_in()
        found = _check(person, USER_PAGES[:1] + _case_pages(room, content)[:7])
    finally:
        person.close()
    assert not found, json.dumps(found, indent=1)
