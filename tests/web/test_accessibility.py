"""axe-core on every page of the app, in headless Chromium, for every role: no serious or
critical violation. The room holds something on every page (an offer, a Rule 68 offer, an
ENE session with a caucus, a release and an evaluation, a document, a notification), so
that the pages are checked with their content, not only their empty states. Pages no link
reaches are checked too: a California superior court case's section 998 page, a destroyed
case, the first-password page, what only a form returns (the offer review, a trace result,
the audit verification, the second factor's set-up and recovery codes) and the
confirmation dialogs, open.

axe-core (MPL-2.0) is vendored as ``tests/web/vendor/axe.min.js`` and given to each
scanning person's browser context once, as an init script: the browser evaluates it in every
document the context loads, through its debugging protocol, which the pages'
Content-Security-Policy (no inline script) does not govern; nothing of it is served by the
app. (Sent with each scan, its half a megabyte crossed from Python to the browser some 170
times a run, about a fifth of the scans' time.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from tests.api.documents.helpers import text_doc
from tests.factories import PASSWORD
from tests.web.browser import Person, Sessions

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


def _scanner(browser, base_url: str, email: str, label: str,  # noqa: ANN001
             width: int = 1280, sessions: Sessions | None = None) -> Person:
    """A person whose every page has axe-core loaded (``add_init_script``: before the page's
    own script, in each new document of the context, the pages after a form's answer too).
    With ``sessions``, signed in (through the form for the module's first person of the
    account, ``Sessions``); the pages of signing in are scanned by their own tests."""
    if sessions is None:
        person = Person(browser, base_url, email, label, width=width)
    else:
        person = sessions.person(browser, base_url, email, label, width=width)
    person.context.add_init_script(AXE)
    return person


def _violations(page) -> list[str]:  # noqa: ANN001
    result = page.evaluate(
        "window.axe ? axe.run(document, {resultTypes: ['violations']}) : null")
    assert result is not None, f"axe-core is not loaded in {page.url}"
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + json.dumps([n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in BLOCKING]


def _pending(path: str, bad: list[str]) -> list[str]:
    """``bad`` without the violations listed in ``PENDING`` for this page."""
    known = {rule for suffix, rule in PENDING if path.endswith(suffix)}
    return [v for v in bad if v.split(" ", 1)[0] not in known]


def _here(person: Person, what: str) -> dict[str, list[str]]:
    """The page as it stands (a form's answer, an open dialog), named by ``what``."""
    bad = _pending(what, _violations(person.page))
    return {f"{person.label} {what}": bad} if bad else {}


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
                                                           sessions, role):  # noqa: ANN001
    person = _scanner(browser, base_url, room.users[role].email, f"axe-{role}",
                      sessions=sessions)
    try:
        found = _check(person, USER_PAGES + _case_pages(room, content))
    finally:
        person.close()
    assert not found, json.dumps(found, indent=1)


def test_public_and_admin_pages_have_no_serious_violation(browser, base_url, web_api):  # noqa: ANN001
    visitor = _scanner(browser, base_url, "nobody@example.com", "axe-visitor")
    try:
        found = _check(visitor, ["/signin", "/signin?next=%2F&expired=1", "/password-reset",
                                 "/password-reset/" + "x" * 43, "/invitations/" + "x" * 43])
    finally:
        visitor.close()
    admin = _scanner(browser, base_url, web_api.admin.email, "axe-admin")
    try:
        admin.sign_in(web_api.admin.password)
        found |= _check(admin, ["/", "/admin/users", "/account"])
    finally:
        admin.close()
    assert not found, json.dumps(found, indent=1)


def test_the_narrow_screen_has_no_serious_violation(browser, base_url, room, content,  # noqa: ANN001
                                                    sessions):
    """At 390 px the same pages reflow (the menu, tables, dialogs): checked for one party."""
    person = _scanner(browser, base_url, room.users["defense_counsel"].email, "axe-390",
                      width=390, sessions=sessions)
    try:
        found = _check(person, USER_PAGES[:1] + _case_pages(room, content)[:7])
    finally:
        person.close()
    assert not found, json.dumps(found, indent=1)


@pytest.fixture(scope="module")
def elsewhere(web_api, room):  # noqa: ANN001, ANN201
    """Two more cases of the module room's admin: a California superior court case where the
    module's counsel are seated and a section 998 offer is served, and one to destroy."""
    admin = room.admin
    ca = web_api.case(admin, caption="Roe v. Golden State Co.", court_system="ca_superior",
                      county="Alameda")
    plaintiff = web_api.party(ca, admin, "Pat Roe", "plaintiff")
    defendant = web_api.party(ca, admin, "Golden State Co.", "defendant")
    web_api.member(ca, admin, room.users["plaintiff_counsel"], "counsel", plaintiff)
    web_api.member(ca, admin, room.users["defense_counsel"], "counsel", defendant)
    r = web_api.client.post(f"/api/v1/cases/{ca}/ccp998-offers",
                            headers=room.users["defense_counsel"].headers,
                            json={"offeror_party_id": defendant, "offeree_party_id": plaintiff,
                                  "amount_cents": 2_500_000, "terms": "Dismissal with prejudice"})
    assert r.status_code == 201, r.text
    doomed = web_api.case(admin, caption="Doe v. Shredded Inc.")
    web_api.party(doomed, admin, "Shredded Inc.", "defendant")
    return {"ca": ca, "doomed": doomed}


def test_a_superior_court_case_and_a_destroyed_case_have_no_serious_violation(  # noqa: ANN001
        browser, base_url, room, elsewhere, sessions):
    counsel = _scanner(browser, base_url, room.users["plaintiff_counsel"].email, "axe-998",
                       sessions=sessions)
    try:
        found = _check(counsel, [f"/cases/{elsewhere['ca']}", f"/cases/{elsewhere['ca']}/ccp998"])
        counsel.page.get_by_role("button", name="Accept the offer…").click()
        expect(counsel.page.get_by_role("dialog")).to_be_visible()
        found |= _here(counsel, "ccp998 accept dialog")
    finally:
        counsel.close()
    admin = _scanner(browser, base_url, room.admin.email, "axe-destroyed", sessions=sessions)
    case = f"/cases/{elsewhere['doomed']}"
    try:
        admin.page.goto(case + "/destroy")
        admin.page.get_by_label(re.compile("type the case caption")).fill("Doe v. Shredded Inc.")
        admin.page.get_by_role("button", name="Destroy the case and its keys").click()
        expect(admin.page.get_by_role("heading", name="The case keys were destroyed")
               ).to_be_visible()
        found |= _here(admin, "destruction certificate")
        found |= _check(admin, ["/", case, f"{case}/offers", f"{case}/documents",
                                f"{case}/members", f"{case}/parties", f"{case}/audit"])
    finally:
        admin.close()
    assert not found, json.dumps(found, indent=1)


def test_the_first_password_and_second_factor_pages_have_no_serious_violation(  # noqa: ANN001
        browser, base_url, web_api):
    """An account the platform admin made: its first sign-in reaches only the password
    change; then the second factor's set-up and its recovery codes."""
    user = web_api.user("first-axe", first_password_chosen=False)
    person = _scanner(browser, base_url, user.email, "axe-first")
    page = person.page
    try:
        page.goto("/signin")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/account/new-password$"))
        found = _here(person, "/account/new-password")
        own = "correct horse battery staple axe"
        page.get_by_label("The password you were given").fill(PASSWORD)
        page.get_by_label("Your new password").fill(own)
        page.get_by_role("button", name="Set my password").click()
        expect(page.get_by_role("heading", name="My cases")).to_be_visible()
        page.goto("/account")
        page.get_by_label("Password", exact=True).fill(own)
        page.get_by_role("button", name="Set up a second factor").click()
        secret = page.locator("code.secret")
        expect(secret).to_be_visible()
        found |= _here(person, "second factor set-up")
        page.get_by_label("Code from the app").fill(pyotp.TOTP(secret.inner_text()).now())
        page.get_by_role("button", name="Enable the second factor").click()
        expect(page.locator(".recovery-codes")).to_be_visible()
        found |= _here(person, "recovery codes")
    finally:
        person.close()
    assert not found, json.dumps(found, indent=1)


def test_what_a_form_returns_and_open_dialogs_have_no_serious_violation(  # noqa: ANN001
        browser, base_url, web_api, room, content, sessions):
    """The offer review, a trace naming a recipient, the withdraw and Rule 68 accept
    dialogs open (plaintiff counsel), and the audit verification (the auditor)."""
    leaked = web_api.download(room, content["doc"]["id"], "defense_counsel").content
    counsel = _scanner(browser, base_url, room.users["plaintiff_counsel"].email, "axe-forms",
                       sessions=sessions)
    page = counsel.page
    case = f"/cases/{room.id}"
    try:
        page.goto(case + "/offers")
        form = page.locator("form").filter(has=page.get_by_role("button",
                                                                name="Review the offer"))
        form.get_by_label("To").select_option(label="Acme Corp.")
        form.get_by_label("Amount").fill("150000")
        form.get_by_label("Terms").fill("Mutual release of all claims.")
        form.get_by_role("button", name="Review the offer").click()
        expect(page.locator(".review-words")).to_be_visible()
        found = _here(counsel, "offer review")
        page.goto(case + "/offers")
        page.locator("article.offer").filter(has_text="USD 12,345.67").get_by_role(
            "button", name="Withdraw…").click()
        expect(page.get_by_role("dialog")).to_be_visible()
        found |= _here(counsel, "withdraw dialog")
        page.goto(case + "/rule68")
        page.get_by_role("button", name="Accept the offer…").first.click()
        expect(page.get_by_role("dialog")).to_be_visible()
        found |= _here(counsel, "rule 68 accept dialog")
        page.goto(case + "/traces")
        page.get_by_label(re.compile("Suspect file")).set_input_files(
            files=[{"name": "found.txt", "mimeType": "text/plain", "buffer": leaked}])
        page.get_by_role("button", name="Trace").click()
        expect(page.get_by_role("heading", name=re.compile("^Result:"))).to_be_visible()
        found |= _here(counsel, "trace result")
    finally:
        counsel.close()
    auditor = _scanner(browser, base_url, room.users["auditor"].email, "axe-verify",
                       sessions=sessions)
    try:
        auditor.page.goto(case + "/audit")
        auditor.page.get_by_role("button", name="Verify this case's events").click()
        expect(auditor.page.locator("#verify-result")).to_contain_text("Verified")
        found |= _here(auditor, "audit verification")
    finally:
        auditor.close()
    assert not found, json.dumps(found, indent=1)
