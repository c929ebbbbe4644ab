"""Roles are named in words on every page ("room admin", "pro se party"), never by their
identifiers: the pages are walked as each role, and their visible text searched (the audit
tab's event details included: ``role=room admin``)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.authz.permissions import Role
from app.authz.words import ROLE_WORDS, role_words
from tests.web.helpers import sign_in_as

RAW = re.compile(r"\b(room_admin|pro_se|platform_admin)\b")


class VisibleText(HTMLParser):
    """Text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self._hidden.append(tag)
        elif self._hidden and tag == self._hidden[-1]:
            self._hidden.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and tag == self._hidden[-1]:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_every_role_has_words():
    assert {role_words(r) for r in Role} == {
        "room admin", "counsel", "client", "pro se party", "neutral", "auditor"}
    assert role_words("platform_admin") == "platform admin"
    assert not any(RAW.search(words) for words in ROLE_WORDS.values())


@pytest.fixture(scope="module")
def walked(web_api, room):  # noqa: ANN001, ANN201
    """What the pages show: an ENE session with the pro se party checked in, a document
    downloaded by the pro se party, pending invitations."""
    session = web_api.ene_session(room)
    r = web_api.client.post(f"/api/v1/cases/{room.id}/ene-sessions/{session['id']}/attendance",
                            headers=room.users["pro_se"].headers)
    assert r.status_code == 201, r.text
    doc = web_api.document(room, b"A letter for everyone.\n", by="plaintiff_counsel")
    assert web_api.download(room, doc["id"], "pro_se").status_code == 200
    r = web_api.client.post(f"/api/v1/cases/{room.id}/invitations",
                            headers=room.users["room_admin"].headers,
                            json={"email": room.users["outsider"].email, "role": "room_admin"})
    assert r.status_code == 202, r.text
    return {"session": session["id"], "document": doc["id"]}


def _pages(client, room, walked) -> list[str]:  # noqa: ANN001
    home = client.get(f"/cases/{room.id}")
    assert home.status_code == 200
    tabs = re.findall(rf'href="(/cases/{room.id}(?:/[a-z0-9]+)?)"', home.text)
    return sorted({"/", "/my-invitations", "/notifications", "/account", *tabs,
                   f"/cases/{room.id}/ene/{walked['session']}",
                   f"/cases/{room.id}/documents/{walked['document']}/downloads"})


@pytest.mark.parametrize("who", ["room_admin", "plaintiff_counsel", "plaintiff_client",
                                 "pro_se", "neutral", "auditor", "outsider"])
def test_pages_name_roles_in_words(client, room, walked, who):  # noqa: ANN001
    sign_in_as(client, room.users[who])
    seen = 0
    for path in (_pages(client, room, walked) if who != "outsider"
                 else ["/", "/my-invitations", "/account"]):
        r = client.get(path)
        if r.status_code != 200:
            continue  # a page the role may not open answers its refusal, checked elsewhere
        seen += 1
        text = visible(r.text)
        assert not RAW.search(text), (who, path, RAW.search(text))
    assert seen >= 3


def test_the_words_are_where_roles_are_shown(client, room, walked):  # noqa: ANN001
    sign_in_as(client, room.users["room_admin"])
    assert "room admin" in visible(client.get("/").text)
    members = visible(client.get(f"/cases/{room.id}/members").text)
    assert "pro se party" in members and "room admin" in members
    sign_in_as(client, room.users["plaintiff_counsel"])
    downloads = visible(client.get(
        f"/cases/{room.id}/documents/{walked['document']}/downloads").text)
    assert "as pro se party" in downloads
    sign_in_as(client, room.users["neutral"])
    ene = visible(client.get(f"/cases/{room.id}/ene/{walked['session']}").text)
    assert "(pro se party for" in ene
    sign_in_as(client, room.users["outsider"])
    assert "room admin" in visible(client.get("/my-invitations").text)
    sign_in_as(client, room.users["auditor"])
    assert "role=pro se party" in visible(client.get(f"/cases/{room.id}/audit").text)
