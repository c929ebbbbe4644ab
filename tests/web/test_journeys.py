"""One case, one journey per role, in headless Chromium: Rule 68 service, deadline and
acceptance, the filing package, a settlement offer and counter-offer, an ENE with a caucus
and a release, documents downloaded by two recipients and a leaked copy traced to the right
one, and a client refused an AEO document. Each journey fails on any console error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.api.documents.helpers import text_doc
from tests.web.browser import Person


def reload(page: Page) -> None:
    """Reload, as a person would; a live ENE page may be reloading itself at that moment
    (its forms changed and nothing was typed), which aborts this one: then again."""
    for attempt in range(3):
        try:
            page.reload()
            return
        except PlaywrightError as exc:
            if "ERR_ABORTED" not in str(exc) or attempt == 2:
                raise
            page.wait_for_load_state()

pytestmark = [pytest.mark.browser, pytest.mark.journey]
CAPTION = "Doe v. Acme Corp."


@pytest.fixture(scope="module")
def room(web_api):  # noqa: ANN001, ANN201
    """Accounts and the room as the room admin set them up; the plaintiff's consent to
    electronic service is on record (FRCP 5(b)(2)(E))."""
    room = web_api.room()
    r = web_api.client.post(f"/api/v1/cases/{room.id}/service-consents",
                            headers=room.users["plaintiff_counsel"].headers,
                            json={"party_id": room.parties["plaintiff"]})
    assert r.status_code == 201, r.text
    return room


@pytest.fixture
def person(browser, base_url, room, sessions):  # noqa: ANN001, ANN201
    """A person of ``who`` in a new context: the module's first of each role signs in
    through the form, the later ones reuse that session (``Sessions``)."""
    people: list[Person] = []

    def make(who: str, width: int = 1280) -> Person:
        p = sessions.person(browser, base_url, room.users[who].email, who, width=width)
        people.append(p)
        return p

    yield make
    for p in people:
        p.close()


def test_defense_counsel_serves_a_rule68_offer(person):  # noqa: ANN001
    dc = person("defense_counsel")
    page = dc.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    dc.shot("my-cases")
    dc.open_case(CAPTION)
    dc.shot("case-room")
    dc.tab("Rule 68")
    expect(page.get_by_text("The court takes no part until an accepted offer is filed")
           ).to_be_visible()
    page.get_by_role("button", name="Consent to electronic service for Acme Corp.").click()
    expect(page.get_by_role("status").filter(has_text="Consent")).to_be_visible()
    page.get_by_label("Offeror and offeree").select_option(
        label="Acme Corp. offers judgment to Jane Doe")
    page.get_by_label("Judgment amount").fill("75000")
    page.get_by_label("Terms").fill("Judgment against Acme Corp. for the sum stated.")
    page.get_by_role("button", name="Serve the offer").click()
    expect(page.get_by_role("status").filter(has_text="Offer of judgment served")).to_be_visible()
    expect(page.get_by_role("heading", name="How the deadline is computed")).to_be_visible()
    dc.shot("rule68-served")


def test_plaintiff_counsel_sees_the_deadline_accepts_and_downloads_the_filing(person):  # noqa: ANN001
    pc = person("plaintiff_counsel")
    page = pc.page
    expect(page.get_by_text("Rule 68 offer: last moment to accept")).to_be_visible()
    pc.open_case(CAPTION)
    pc.tab("Rule 68")
    card = page.locator("article.rule68").first
    expect(card.get_by_text("Acceptance deadline")).to_be_visible()
    # The room is in California: its times are Pacific.
    assert card.locator("dd time").nth(1).inner_text().endswith("(America/Los_Angeles)")
    assert card.locator("ol.explanation li").count() >= 2
    page.wait_for_function(
        "document.querySelector('article.rule68 .countdown').textContent.includes('left')")
    assert "Serve an offer of judgment" not in page.content()  # a claimant may not serve
    card.get_by_role("button", name="Accept the offer…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    amount = dialog.locator(".confirm-amount").inner_text()
    assert amount == "USD 75,000.00 (plus costs then accrued)"
    assert "for the sum stated" in dialog.locator(".confirm-terms").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", dialog.locator(".confirm-hash").inner_text())
    pc.shot("rule68-accept-dialog")
    dialog.get_by_role("button", name="Confirm acceptance").click()
    expect(page.get_by_role("status").filter(has_text="notice of acceptance")).to_be_visible()
    pdf = pc.download(page.get_by_role("button", name=re.compile("Download the filing package")))
    assert pdf.startswith(b"%PDF")
    pc.shot("rule68-accepted")


def test_counsel_exchange_a_settlement_offer_and_a_counter_offer(person):  # noqa: ANN001
    pc = person("plaintiff_counsel")
    pc.open_case(CAPTION)
    pc.tab("Settlement offers")
    page = pc.page
    assert page.get_by_role("note", name="Designation").inner_text().startswith(
        "Settlement record - FRE 408 limits its use as evidence; not privileged")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Review the offer"))
    form.get_by_label("To").select_option(label="Acme Corp.")
    form.get_by_label("Amount").fill("250000")
    form.get_by_label("Terms").fill("Mutual release; dismissal with prejudice.")
    form.get_by_role("button", name="Review the offer").click()
    expect(page.locator(".review-words")).to_have_text(
        "Two hundred and fifty thousand dollars, zero cents")
    page.get_by_role("button", name="Send the offer").click()
    expect(page.get_by_role("status").filter(has_text="Settlement offer made")).to_be_visible()

    dc = person("defense_counsel")
    dc.open_case(CAPTION)
    dc.tab("Settlement offers")
    offer = dc.page.locator("article.offer").first
    expect(offer.get_by_role("heading", name=re.compile("USD 250,000.00"))).to_be_visible()
    offer.get_by_text("Make a counter-offer").click()
    expect(offer.get_by_label("Terms")).to_have_value(
        "Mutual release; dismissal with prejudice.")  # it starts from the offer answered
    offer.get_by_label("Amount").fill("180000")
    offer.get_by_label("Terms").fill("Mutual release; each side bears its own costs.")
    offer.get_by_role("button", name="Review the counter-offer").click()
    dc.page.get_by_role("button", name="Send the counter-offer").click()
    expect(dc.page.get_by_text("Status: countered")).to_be_visible()
    dc.shot("offers-countered")

    reload(pc.page)
    counter = pc.page.locator("article.offer").filter(has_text="USD 180,000.00")
    counter.get_by_role("button", name="Accept…").click()
    dialog = pc.page.get_by_role("dialog")
    assert dialog.locator(".confirm-amount").inner_text() == "USD 180,000.00"
    assert "own costs" in dialog.locator(".confirm-terms").inner_text()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    pc.shot("offer-accept-dialog")
    dialog.get_by_role("button", name="Confirm acceptance").click()
    expect(pc.page.get_by_role("status").filter(has_text="Offer accepted")).to_be_visible()
    memo = pc.download(pc.page.get_by_role("link", name=re.compile("settlement memorandum")))
    assert memo.startswith(b"%PDF")


def test_evaluator_runs_an_ene_with_a_caucus_and_a_release(person):  # noqa: ANN001
    ev = person("neutral")
    ev.open_case(CAPTION)
    assert "Rule 68" not in [a.inner_text() for a in ev.page.locator("nav.tabs a").all()]
    ev.tab("ENE")
    ev.page.get_by_label("Scheduled for").fill("2030-06-20T10:00")
    ev.page.get_by_role("button", name="Schedule the session").click()
    expect(ev.page.get_by_role("status").filter(has_text="ENE session scheduled")).to_be_visible()
    session_url = ev.page.url
    expect(ev.page.get_by_label("Message to the joint session")).to_have_count(0)
    # The evaluator acts once every party's counsel (or the pro se party) confirmed them.
    people = {label: person(label) for label in ("plaintiff_counsel", "defense_counsel",
                                                 "pro_se")}
    for p in people.values():
        p.page.goto(session_url)
        p.page.get_by_role("button", name="Confirm the evaluator").click()
        expect(p.page.get_by_role("status").filter(
            has_text="confirmation of the evaluator is recorded")).to_be_visible()
    people["pro_se"].shot("ene-evaluator-confirmed")
    reload(ev.page)
    ev.page.get_by_label("Message to the joint session").fill("Welcome; opening statements.")
    ev.page.get_by_role("button", name="Send").first.click()
    expect(ev.page.get_by_role("status").filter(has_text="Message sent.")).to_be_visible()

    pc = people["plaintiff_counsel"]
    pc.page.goto(session_url.split("/ene/")[0])
    pc.tab("ENE")
    pc.page.get_by_role("link", name=re.compile("Session of")).click()
    pc.page.get_by_role("button", name=re.compile("Check in")).click()
    pc.page.get_by_label("Message to the caucus").fill("We could accept a structured payment.")
    caucus = pc.page.locator("section.thread").filter(has_text="Caucus of Jane Doe")
    caucus.get_by_role("button", name="Send").click()
    # The form is sent by the page script; the next page comes once the server answered.
    expect(pc.page.get_by_role("status").filter(has_text="Message sent.")).to_be_visible()
    caucus = pc.page.locator("section.thread").filter(has_text="Caucus of Jane Doe")
    caucus.get_by_label("Release to").select_option(label="Acme Corp.")
    caucus.get_by_label("That party will read this message").check()
    caucus.get_by_role("button", name="Release this message").click()
    expect(pc.page.get_by_role("status").filter(has_text="Released")).to_be_visible()
    pc.shot("ene-caucus-released")

    dc = people["defense_counsel"]
    dc.page.goto(session_url)
    released = dc.page.locator("section.thread").filter(has_text="Released to you")
    expect(released.get_by_text("structured payment")).to_be_visible()

    reload(ev.page)
    ev.page.get_by_label("Evaluation", exact=True).fill("Liability is likely; damages modest.")
    ev.page.get_by_role("checkbox", name="Jane Doe").check()
    ev.page.get_by_role("button", name="Save the evaluation").click()
    expect(ev.page.get_by_role("status").filter(has_text="Evaluation saved")).to_be_visible()
    pc.page.get_by_role("link", name="The evaluator's evaluation").click()
    expect(pc.page.get_by_text("damages modest")).to_be_visible()
    close = ev.page.locator("form").filter(has=ev.page.get_by_role("button",
                                                                   name="Close the session"))
    expect(close.get_by_label("Outcome")).to_have_value("")  # no outcome chosen for them
    close.get_by_label("Outcome").select_option("not_settled")
    close.get_by_label("Closing ends the session for everyone").check()
    ev.page.get_by_role("button", name="Close the session").click()
    expect(ev.page.get_by_text("closed: not settled")).to_be_visible()
    ev.shot("ene-closed")


def _upload(p: Person, name: str, data: bytes, designation: str) -> None:
    p.tab("Documents")
    p.page.get_by_label("File").set_input_files(
        {"name": name, "mimeType": "text/plain", "buffer": data})
    p.page.get_by_role("combobox", name="Designation").select_option(designation)
    p.page.get_by_role("button", name="Upload", exact=True).click()
    expect(p.page.get_by_role("status").filter(has_text="Document uploaded")).to_be_visible()


def test_document_downloaded_by_two_recipients_and_the_leak_traced(person):  # noqa: ANN001
    pc = person("plaintiff_counsel")
    pc.open_case(CAPTION)
    _upload(pc, "settlement-letter.txt", text_doc(), "CONFIDENTIAL")
    _upload(pc, "expert-report.txt", text_doc("AEO-EXPERT-0001"), "AEO")
    pc.shot("documents")
    copies = {}
    for who in ("defense_counsel", "defense_client"):
        p = person(who)
        p.open_case(CAPTION)
        p.tab("Documents")
        row = p.page.locator("tr").filter(has_text="settlement-letter")
        copies[who] = p.download(row.get_by_role("link", name=re.compile("Download")))
        if who == "defense_client":
            assert p.page.locator("tr").filter(has_text="expert-report").count() == 0
    assert copies["defense_counsel"] != copies["defense_client"]
    au = person("auditor")
    au.open_case(CAPTION)
    au.tab("Leak tracing")
    au.page.get_by_label("Suspect file").set_input_files(
        {"name": "found-online.txt", "mimeType": "text/plain",
         "buffer": copies["defense_client"]})
    au.page.get_by_role("button", name="Trace").click()
    result = au.page.locator("#trace-result")
    expect(result.get_by_role("heading", name="Result: recipient identified")).to_be_visible()
    assert result.locator("article.match").count() == 1
    expect(result.get_by_role("heading", name=re.compile(
        r"^Recipient: Defense-Client <defense-client-.*> for Acme Corp\.$"))).to_be_visible()
    expect(result.get_by_text("the inclusion proof verifies")).to_be_visible()
    au.shot("trace-identified")
    au.tab("Audit")
    au.page.get_by_role("button", name="Verify this case's events").click()
    assert au.page.locator("#verify-result").inner_text().startswith("Verified:")
    au.shot("audit-verified")


def test_a_client_is_refused_an_aeo_document(person, web_api, room):  # noqa: ANN001
    docs = web_api.client.get(f"/api/v1/cases/{room.id}/documents",
                              headers=room.users["plaintiff_counsel"].headers).json()
    aeo = next(d for d in docs if d["designation"] == "AEO")
    cl = person("defense_client", width=390)
    cl.open_case(CAPTION)
    cl.tab("Documents")
    assert "expert-report" not in cl.page.content()
    assert cl.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    cl.shot("documents-390px")
    cl.page.goto(f"/cases/{room.id}/documents/{aeo['id']}/download")
    expect(cl.page.get_by_role("heading", name="This could not be done")).to_be_visible()
    expect(cl.page.get_by_text("AEO documents are never shown to clients")).to_be_visible()
    cl.errors[:] = [e for e in cl.errors if "404" not in e]  # the refusal itself is a 404
    cl.shot("aeo-refused")
