"""A person in a browser: their own context (cookies), a page that fails the test on any
console error, sign-in through the form, screenshots of the main pages."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests import dbutil
from tests.factories import PASSWORD
from tests.web.conftest import SCREENSHOTS


class Person:
    def __init__(self, browser, base_url: str, email: str, label: str,  # noqa: ANN001
                 width: int = 1280, session: dict | None = None) -> None:
        """``session``: what ``session()`` returned for an earlier ``sign_in`` of the same
        account (``Sessions``): the context is new, only the session is shared."""
        self.context = browser.new_context(base_url=base_url, accept_downloads=True,
                                           viewport={"width": width, "height": 900},
                                           storage_state=session)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.email = email
        self.label = label

    def sign_in(self, password: str = PASSWORD) -> None:
        page = self.page
        page.goto("/")
        assert "/signin" in page.url
        page.get_by_label("Email").fill(self.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/$"))
        expect(page.get_by_role("heading", name="My cases")).to_be_visible()

    def home(self) -> None:
        """Open My cases with the session this context was given (``session=``)."""
        self.page.goto("/")
        assert "/signin" not in self.page.url, f"the session given to {self.label} has ended"
        expect(self.page.get_by_role("heading", name="My cases")).to_be_visible()

    def open_case(self, caption: str) -> None:
        self.page.get_by_role("link", name=caption).first.click()
        self.page.get_by_role("heading", name="Case room").wait_for()

    def tab(self, name: str) -> None:
        self.page.get_by_role("navigation", name="Case sections").get_by_role(
            "link", name=name, exact=True).click()
        self.page.wait_for_load_state()

    def shot(self, name: str) -> None:
        """A full-page screenshot into ``tests/web/screenshots/``. Taken in the SQLite pass
        only: the PostgreSQL pass walks the same pages and would write the same files
        again (some thirty a pass, 0.45 s each on a loaded machine)."""
        if dbutil.pg_server_url():
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{self.label}-{name}.png"), full_page=True)

    def download(self, locator) -> bytes:  # noqa: ANN001
        with self.page.expect_download() as info:
            locator.click()
        path = info.value.path()
        return Path(path).read_bytes()

    def session(self) -> dict:
        """This context's cookies, for ``Person(..., session=...)``."""
        return self.context.storage_state()

    def close(self) -> None:
        self.context.close()
        assert not self.errors, f"console errors for {self.label}: {self.errors}"


class Sessions:
    """A module's signed-in sessions, by account. The first person of an account signs in
    through the form (every check of ``Person.sign_in``); a later person of that account,
    in the same module, gets a new context holding that session and opens My cases: what it
    checks starts after signing in, and a second identical sign-in through the form added
    only its time (about 0.6-0.8 s on a loaded machine). A test that ends an account's
    sessions ``forget``s it, so that the next person of that account signs in again."""

    def __init__(self) -> None:
        self._saved: dict[str, dict] = {}

    def person(self, browser, base_url: str, email: str, label: str,  # noqa: ANN001
               width: int = 1280) -> Person:
        saved = self._saved.get(email)
        person = Person(browser, base_url, email, label, width=width, session=saved)
        if saved is None:
            person.sign_in()
            self._saved[email] = person.session()
        else:
            person.home()
        return person

    def forget(self, email: str) -> None:
        self._saved.pop(email, None)
