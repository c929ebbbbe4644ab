"""Signing in through the pages with a TestClient, and reading CSRF tokens from forms."""

from __future__ import annotations

import re

from tests.factories import PASSWORD
from tests.testclient import TestClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, **extra: str):
    page = client.get("/signin")
    assert page.status_code == 200
    return client.post("/signin", data={"email": email, "password": password,
                                        "csrf_token": csrf_of(page.text), **extra},
                       follow_redirects=False)


def page_csrf(client: TestClient, path: str = "/account") -> str:
    r = client.get(path)
    assert r.status_code == 200, r.text
    return csrf_of(r.text)


def sign_in_as(client: TestClient, user) -> None:  # noqa: ANN001
    """Sign ``client`` in as ``user`` with an empty cookie jar."""
    client.cookies.clear()
    r = sign_in(client, user.email)
    assert r.status_code == 303, r.text
