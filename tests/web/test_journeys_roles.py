"""Journeys of every role at 1280 and 390 px in headless Chromium, with what
``test_journeys.py`` and ``test_nothing_lost.py`` leave out: every confirmation (a zero
offer asked twice, withdrawing an offer, removing a seat, the Rule 68 accept dialog opening
on Cancel, releasing a caucus item, closing the session), the ENE page updating without a
reload while keeping what is typed and the caucus wall, "not shared with you", and a caucus
draft and a written statement's draft kept across an ended session and given back to their
own forms. Each test makes what
it needs, so that the tests of this module may run on any worker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.browser import Person

pytestmark = [pytest.mark.browser, pytest.mark.journey]
LIVE = 15_000  # ms: the page polls every 4 s
POLL_MS = 4_000  # site.js LIVE_MS


@pytest.fixture
def person(browser, base_url, room, sessions):  # noqa: ANN001, ANN201
    """A person of ``who`` in a new context: the module's first of each role signs in
    through the form, the later ones reuse that session (``Sessions``)."""
    people: list[Person] = []

    def make(who: str, width: int = 1280) -> Person:
        p = sessions.person(browser, base_url, room.users[who].email, f"{who}-{width}",
                            width=width)
        people.append(p)
        return p

    yield make
    for p in people:
        p.close()


def _new_token(web_api, sessions, who) -> None:  # noqa: ANN001
    """Signing out everywhere (how these tests end a session) revokes the API token the
    module's later tests use for ``who``: it gets a fresh one; and the browser session
    kept for ``who``: the next person of ``who`` signs in again."""
    who.token = web_api.login(who.email, who.password).json()["access_token"]
    sessions.forget(who.email)


def _live_clock(p: Person) -> None:
    """Playwright's clock in the page, running in real time from the next page load on, so
    that ``_next_poll`` can bring the page's own poll forward."""
    p.page.clock.install()


def _next_poll(p: Person) -> None:
    """The page's clock moved to its next poll: the page's own timer fires now rather than
    up to four seconds later (the same poll, feed and swap; nothing of the page is called
    directly)."""
    p.page.clock.fast_forward(POLL_MS)


def _fits(p: Person) -> None:
    assert p.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{p.page.url} scrolls sideways at {p.page.viewport_size}")


TABS = {
    "room_admin": ["Parties", "Members", "ENE", "Audit"],
    "plaintiff_counsel": ["Settlement offers", "Rule 68", "ENE", "Documents", "Members"],
    "plaintiff_client": ["Settlement offers", "Rule 68", "ENE", "Documents"],
    "pro_se": ["Settlement offers", "Rule 68", "ENE", "Documents", "Members"],
    "neutral": ["ENE", "Documents"],
    "auditor": ["Audit", "Leak tracing"],
}


# Walked once, in the SQLite pass, at both widths: what the walk adds to the page tests is
# the browser's side (the navigation, the layout fitting, the headings shown), which no
# database changes. Every role's tabs are fetched on both databases by
# ``test_pages.py::test_each_role_is_offered_its_tabs_only`` and ``test_role_words.py``.
@pytest.mark.once
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("who", list(TABS))
def test_each_role_walks_its_tabs(person, room, who, width):  # noqa: ANN001
    p = person(who, width)
    p.page.goto(f"/cases/{room.id}")
    p.page.get_by_role("heading", name="Case room").wait_for()
    _fits(p)
    offered = [a.inner_text() for a in p.page.get_by_role(
        "navigation", name="Case sections").get_by_role("link").all()]
    for tab in TABS[who]:
        assert tab in offered, (who, tab, offered)
        p.tab(tab)
        expect(p.page.locator("#page-heading")).to_be_visible()
        if width == 390:
            _fits(p)
    p.shot(f"tab-{TABS[who][-1].lower().replace(' ', '-')}")


def test_a_zero_offer_is_asked_twice_then_withdrawn_on_a_phone(person, room):  # noqa: ANN001
    pc = person("plaintiff_counsel", 390)
    page = pc.page
    page.goto(f"/cases/{room.id}/offers")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Review the offer"))
    form.get_by_label("To").select_option(label="Acme Corp.")
    form.get_by_label("Amount").fill("0")
    form.get_by_label("Terms").fill("Walk-away: each side bears its own costs.")
    form.get_by_role("button", name="Review the offer").click()
    expect(page.get_by_text("This offer is for zero.")).to_be_visible()
    _fits(pc)
    pc.shot("offer-zero-review")
    page.get_by_role("button", name="Send the offer").click()
    # Not ticked: the browser holds the form back, nothing is sent.
    expect(page.get_by_text("This offer is for zero.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Settlement offer made")).to_have_count(0)
    page.get_by_label("Yes, I mean to offer zero").check()
    page.get_by_role("button", name="Send the offer").click()
    expect(page.get_by_role("status").filter(has_text="Settlement offer made")).to_be_visible()
    offer = page.locator("article.offer").filter(has_text="USD 0.00").first
    offer.get_by_role("button", name="Withdraw…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Withdraw this offer?")).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    pc.shot("offer-withdraw-dialog")
    dialog.get_by_role("button", name="Withdraw the offer").click()
    expect(page.get_by_role("status").filter(has_text=re.compile("withdrawn", re.I))
           ).to_be_visible()


def test_rule68_accept_and_seat_removal_open_on_cancel(person, web_api, room):  # noqa: ANN001
    web_api.rule68_offer(room)
    pc = person("plaintiff_counsel", 390)
    page = pc.page
    page.goto(f"/cases/{room.id}/rule68")
    page.locator("article.rule68").first.get_by_role("button", name="Accept the offer…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    _fits(pc)
    pc.shot("rule68-accept-dialog")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    client = web_api.user("second-client")
    web_api.member(room.id, None, client, "client", room.parties["plaintiff"])
    page.goto(f"/cases/{room.id}/members")
    page.get_by_role("button", name=re.compile("^Remove Second-Client")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    pc.shot("member-remove-dialog")
    dialog.get_by_role("button", name="Remove", exact=True).click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Remove Second-Client"))).to_have_count(0)


def test_the_ene_page_updates_live_behind_the_caucus_wall(person, web_api, room):  # noqa: ANN001
    ene = web_api.ene_session(room)
    base = f"/api/v1/cases/{room.id}/ene-sessions/{ene['id']}"
    url = f"/cases/{room.id}/ene/{ene['id']}"

    def say(who: str, channel: str, body: str) -> dict:
        r = web_api.client.post(base + "/messages", headers=room.users[who].headers,
                                json={"channel": channel, "body": body})
        assert r.status_code == 201, r.text
        return r.json()

    ps = person("pro_se", 390)
    _live_clock(ps)
    ps.page.goto(url)
    ps.page.evaluate("window.__sameDocument = true")
    caucus = ps.page.locator("section.thread").filter(has_text="Caucus of Rich Roe")
    caucus.get_by_label("Message to the caucus").fill("A draft being typed")
    dc = person("defense_counsel", 1280)
    _live_clock(dc)
    dc.page.goto(url)
    dc.page.evaluate("window.__sameDocument = true")

    say("plaintiff_counsel", f"caucus:{room.parties['plaintiff']}", "PLAINTIFF-PRIVATE-LINE")
    say("neutral", "joint", "Welcome to the joint session.")
    _next_poll(ps)
    expect(ps.page.get_by_text("Welcome to the joint session.")).to_be_visible(timeout=LIVE)
    expect(ps.page.get_by_role("status").filter(has_text="Updated with new activity")
           ).to_be_visible()
    assert ps.page.evaluate("window.__sameDocument === true")  # no reload
    expect(caucus.get_by_label("Message to the caucus")).to_have_value("A draft being typed")
    assert "PLAINTIFF-PRIVATE-LINE" not in ps.page.content()
    ps.shot("ene-live-joint")

    mine = say("pro_se", f"caucus:{room.parties['defendant2']}", "We would take a payment plan.")
    ps.page.reload()
    caucus = ps.page.locator("section.thread").filter(has_text="Caucus of Rich Roe")
    message = caucus.locator(".message").filter(has_text="payment plan")
    message.get_by_label("Release to").select_option(label="Acme Corp.")
    message.get_by_role("button", name="Release this message").click()
    # Not confirmed: the browser holds the form back.
    expect(ps.page.get_by_role("status").filter(has_text="Released")).to_have_count(0)
    message.get_by_label("That party will read this message").check()
    message.get_by_role("button", name="Release this message").click()
    expect(ps.page.get_by_role("status").filter(has_text="Released")).to_be_visible()
    assert mine["id"]

    released = dc.page.locator("[data-live='released']")
    _next_poll(dc)
    expect(released.get_by_text("We would take a payment plan.")).to_be_visible(timeout=LIVE)
    expect(released).to_contain_text(re.compile(
        r"Released to you \(Acme Corp\.\)\s+by Pro-Se( <[^>]+>)? from Rich Roe's caucus"))
    assert dc.page.evaluate("window.__sameDocument === true")
    assert "PLAINTIFF-PRIVATE-LINE" not in dc.page.content()
    dc.shot("ene-live-released")


def test_not_shared_with_you_and_closing_on_a_phone(person, web_api, room):  # noqa: ANN001
    ene = web_api.ene_session(room)
    base = f"/api/v1/cases/{room.id}/ene-sessions/{ene['id']}"
    url = f"/cases/{room.id}/ene/{ene['id']}"
    dc = person("defense_client", 390)
    _live_clock(dc)
    dc.page.goto(url + "/evaluation")
    expect(dc.page.get_by_text("has not shared an evaluation with any party yet")).to_be_visible()
    r = web_api.client.post(base + "/evaluation", headers=room.users["neutral"].headers,
                            json={"body": "EVALUATION-TEXT", "share_with_party_ids": [
                                room.parties["plaintiff"]]})
    assert r.status_code == 201, r.text
    _next_poll(dc)
    expect(dc.page.get_by_text("Not shared with you.")).to_be_visible(timeout=LIVE)
    assert "EVALUATION-TEXT" not in dc.page.content()
    _fits(dc)
    dc.shot("ene-not-shared")

    ev = person("neutral", 390)
    ev.page.goto(url)
    close = ev.page.locator("form").filter(has=ev.page.get_by_role(
        "button", name="Close the session"))
    close.get_by_label("Outcome").select_option("partially_settled")
    close.get_by_role("button", name="Close the session").click()
    expect(ev.page.get_by_text("closed: partially settled")).to_have_count(0)  # unconfirmed
    close.get_by_label("Closing ends the session for everyone").check()
    close.get_by_role("button", name="Close the session").click()
    expect(ev.page.get_by_text("closed: partially settled")).to_be_visible()
    _fits(ev)
    ev.shot("ene-closed-390")


def test_a_caucus_draft_comes_back_to_its_caucus_after_the_session_ended(  # noqa: ANN001
        browser, base_url, web_api, room, sessions):
    ene = web_api.ene_session(room)
    who = room.users["pro_se"]
    p = Person(browser, base_url, who.email, "ene-draft", width=390)
    try:
        p.sign_in()
        p.page.goto(f"/cases/{room.id}/ene/{ene['id']}")
        caucus = p.page.locator("section.thread").filter(has_text="Caucus of Rich Roe")
        caucus.get_by_label("Message to the caucus").fill("Only for the evaluator: 30 is fine.")
        assert web_api.client.post("/api/v1/auth/logout", headers=who.headers).status_code == 204
        caucus.get_by_role("button", name="Send").click()
        p.page.wait_for_url(re.compile(r".*/signin\?next=.*expired=1"))
        p.page.get_by_label("Email").fill(who.email)
        p.page.get_by_label("Password").fill(who.password)
        p.page.get_by_role("button", name="Sign in").click()
        p.page.wait_for_url(re.compile(rf".*/ene/{ene['id']}$"))
        caucus = p.page.locator("section.thread").filter(has_text="Caucus of Rich Roe")
        expect(caucus.get_by_label("Message to the caucus")).to_have_value(
            "Only for the evaluator: 30 is fine.")
        expect(caucus.get_by_role("status")).to_contain_text("Your draft was kept")
        # Never into the joint session, where the other parties would read it.
        expect(p.page.get_by_label("Message to the joint session")).to_have_value("")
        p.shot("ene-draft-kept")
    finally:
        p.errors[:] = [e for e in p.errors if "status of 401" not in e]
        p.close()
        _new_token(web_api, sessions, who)


def test_a_statement_draft_comes_back_to_the_statement_form_after_the_session_ended(  # noqa: ANN001
        browser, base_url, web_api, room, sessions):
    """A written statement typed on the ENE page, with its sharing choice, is sent after the
    session ended: it comes back into the statement form, never into a message form."""
    ene = web_api.ene_session(room)
    who = room.users["defense_counsel"]
    text = "Acme's statement: the delay was caused by the carrier, not by Acme."
    p = Person(browser, base_url, who.email, "ene-statement-draft")
    try:
        p.sign_in()
        p.page.goto(f"/cases/{room.id}/ene/{ene['id']}")
        form = p.page.locator("form").filter(has=p.page.get_by_role(
            "button", name="Submit the statement"))
        form.get_by_label("Statement", exact=True).fill(text)
        form.get_by_label("Share with the other parties").check()
        assert web_api.client.post("/api/v1/auth/logout", headers=who.headers).status_code == 204
        form.get_by_role("button", name="Submit the statement").click()
        p.page.wait_for_url(re.compile(r".*/signin\?next=.*expired=1"))
        expect(p.page.locator("#session-expired")).to_contain_text("Your session has ended")
        p.page.get_by_label("Email").fill(who.email)
        p.page.get_by_label("Password").fill(who.password)
        p.page.get_by_role("button", name="Sign in").click()
        p.page.wait_for_url(re.compile(rf".*/ene/{ene['id']}$"))
        expect(form.get_by_role("status")).to_contain_text("Your draft was kept")
        expect(form.get_by_label("Statement", exact=True)).to_have_value(text)
        expect(form.get_by_label("Share with the other parties")).to_be_checked()
        expect(p.page.get_by_label("Message to the joint session")).to_have_value("")
        expect(p.page.get_by_text(text)).to_have_count(0)  # kept in the form, not sent
        form.get_by_role("button", name="Submit the statement").click()
        expect(p.page.get_by_role("status").filter(has_text="Written statement submitted")
               ).to_be_visible()
        expect(p.page.locator("article.card").filter(has_text=text)).to_contain_text(
            "shared with the other parties")
    finally:
        p.errors[:] = [e for e in p.errors if "status of 401" not in e]
        p.close()
        _new_token(web_api, sessions, who)
