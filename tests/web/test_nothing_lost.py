"""Nothing typed is lost, in headless Chromium: a refused form shows its refusal on the form
itself with every field still filled in (no page of developer codes), and a session that
ended while a draft was being written says so and gives the draft back after signing in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.browser import Person

pytestmark = [pytest.mark.browser, pytest.mark.journey]
TERMS = "Mutual release of all claims; dismissal with prejudice; no admission of liability."


@pytest.fixture
def drafting(browser, base_url, web_api):  # noqa: ANN001, ANN201
    """A fresh room's plaintiff counsel, signed in, on the offers page; the one console line
    each test provokes on purpose (the refused request) is not an error of the page."""
    room = web_api.room()
    person = Person(browser, base_url, room.users["plaintiff_counsel"].email, "nothing-lost")
    person.sign_in()
    person.page.goto(f"/cases/{room.id}/offers")
    yield room, person
    person.errors[:] = [e for e in person.errors
                        if "status of 422" not in e and "status of 401" not in e]
    person.close()


def _fill_offer(page, amount: str, expires: str = "") -> None:  # noqa: ANN001
    form = page.locator("form").filter(has=page.get_by_role("button", name="Review the offer"))
    form.get_by_label("To").select_option(label="Acme Corp.")
    form.get_by_label("Amount").fill(amount)
    form.get_by_label("Terms").fill(TERMS)
    if expires:
        form.get_by_label(re.compile("Expires")).fill(expires)


def test_a_refusal_appears_on_the_form_with_every_field_kept(drafting):  # noqa: ANN001
    room, person = drafting
    page = person.page
    _fill_offer(page, "125000", expires="2020-01-31T14:00")  # an expiry already past
    page.get_by_role("button", name="Review the offer").click()
    form = page.locator("form").filter(has=page.get_by_role("button", name="Review the offer"))
    error = form.locator(".inline-error")
    expect(error).to_contain_text("expires_at must be in the future")
    expect(error).to_be_focused()
    expect(form.get_by_label("Terms")).to_have_value(TERMS)
    expect(form.get_by_label("Amount")).to_have_value("125000")
    assert page.url.endswith(f"/cases/{room.id}/offers")
    expect(page.get_by_text("Reference:")).to_have_count(0)
    # Mended on the same form, it goes on to the review.
    form.get_by_label(re.compile("Expires")).fill("")
    page.get_by_role("button", name="Review the offer").click()
    expect(page.locator(".review-words")).to_contain_text("One hundred and twenty-five")


def test_an_ended_session_says_so_and_gives_the_draft_back(drafting, web_api):  # noqa: ANN001
    room, person = drafting
    page = person.page
    _fill_offer(page, "98000")
    # The session ends meanwhile (signed out everywhere from another device).
    r = web_api.client.post("/api/v1/auth/logout",
                            headers=room.users["plaintiff_counsel"].headers)
    assert r.status_code == 204
    page.get_by_role("button", name="Review the offer").click()
    page.wait_for_url(re.compile(r".*/signin\?next=.*expired=1"))
    expect(page.locator("#session-expired")).to_contain_text("Your session has ended")
    page.get_by_label("Email").fill(room.users["plaintiff_counsel"].email)
    page.get_by_label("Password").fill(room.users["plaintiff_counsel"].password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf".*/cases/{room.id}/offers$"))
    form = page.locator("form").filter(has=page.get_by_role("button", name="Review the offer"))
    expect(form.get_by_role("status")).to_contain_text("Your draft was kept")
    expect(form.get_by_label("Terms")).to_have_value(TERMS)
    expect(form.get_by_label("Amount")).to_have_value("98000")
    # The draft is given back once, not on every later visit.
    page.reload()
    expect(form.get_by_label("Terms")).to_have_value("")
