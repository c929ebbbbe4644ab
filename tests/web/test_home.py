"""The home page ("My cases") is page chrome: its deadlines come from one content-free
query for all the member's cases. No audit event, no decryption, and a number of SQL
statements that does not grow with the number of cases; each deadline still respects who
may see the offer it belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.models.audit import AuditEvent
from tests.factories import Api, User
from tests.sqlcount import statements
from tests.web.helpers import sign_in_as

MANY = 40


@dataclass
class Members:
    many: User  # counsel of the plaintiff in every case
    one: User  # counsel of the plaintiff in the first case only
    cases: list[str]


def _expiry(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _case(api: Api, admin: User, counsel: list[User], defense: User, neutral: User) -> str:
    """A case with an expiring settlement offer, a Rule 68 offer and an ENE session."""
    case_id = api.case(admin)
    plaintiff = api.party(case_id, admin, "Jane Doe", "plaintiff")
    defendant = api.party(case_id, admin, "Acme Corp.", "defendant")
    for user in counsel:
        api.member(case_id, admin, user, "counsel", plaintiff)
    api.member(case_id, admin, defense, "counsel", defendant)
    api.member(case_id, admin, neutral, "neutral")
    c = api.client
    base = f"/api/v1/cases/{case_id}"
    for user, party in ((counsel[0], plaintiff), (defense, defendant)):
        r = c.post(f"{base}/service-consents", headers=user.headers, json={"party_id": party})
        assert r.status_code == 201, r.text
    r = c.post(f"{base}/offers", headers=counsel[0].headers, json={
        "from_party_id": plaintiff, "to_party_id": defendant, "amount_cents": 100_000,
        "terms": "Mutual release", "expires_at": _expiry(2)})
    assert r.status_code == 201, r.text
    r = c.post(f"{base}/rule68-offers", headers=defense.headers, json={
        "offeror_party_id": defendant, "offeree_party_id": plaintiff, "amount_cents": 5_000,
        "costs": "included", "terms": "Judgment for the sum stated"})
    assert r.status_code == 201, r.text
    r = c.post(f"{base}/ene-sessions", headers=neutral.headers, json={
        "evaluator_user_id": neutral.id, "scheduled_at": "2030-06-20T17:00:00Z"})
    assert r.status_code == 201, r.text
    return case_id


@pytest.fixture(scope="module")
def members(web_api: Api) -> Members:
    admin, many, one = web_api.user("home-admin"), web_api.user("many"), web_api.user("one")
    defense, neutral = web_api.user("home-defense"), web_api.user("home-neutral")
    cases = [_case(web_api, admin, [many, one] if i == 0 else [many], defense, neutral)
             for i in range(MANY)]
    return Members(many, one, cases)


def _audit_count(app) -> int:  # noqa: ANN001
    with app.state.sessionmaker() as s:
        return int(s.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def _home(client, app) -> tuple[str, list[str]]:  # noqa: ANN001
    with statements(app.state.engine) as seen:
        r = client.get("/")
    assert r.status_code == 200, r.text
    return r.text, seen


def _row(html: str, case_id: str) -> str:
    rows = [r for r in html.split("<tr>") if f'href="/cases/{case_id}"' in r]
    assert len(rows) == 1, case_id
    return rows[0]


def test_home_page_appends_no_audit_event_and_decrypts_nothing(web_app, client, members,
                                                              monkeypatch):
    sign_in_as(client, members.many)

    def no_opening(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the home page opened sealed content")

    monkeypatch.setattr("app.sealing.envelope.open_", no_opening)
    before = _audit_count(web_app)
    html, _ = _home(client, web_app)
    assert _audit_count(web_app) == before
    for case_id in members.cases:
        assert "Settlement offer expires" in _row(html, case_id)


def test_home_page_statements_do_not_grow_with_the_cases(web_app, client, members):
    sign_in_as(client, members.one)
    one_html, one = _home(client, web_app)
    sign_in_as(client, members.many)
    many_html, many = _home(client, web_app)
    assert one_html.count('<th scope="row">') == 1
    assert many_html.count('<th scope="row">') == MANY
    assert len(many) == len(one), (len(one), len(many))
    assert len(one) <= 10, one


def test_a_deadline_is_shown_only_to_who_may_see_its_offer(web_api, client):
    """A co-defendant does not see the expiry of an offer between two other parties; a
    client does not see an AEO offer's; the neutral and the auditor see no Rule 68 window."""
    room = web_api.room()
    web_api.consent_all(room)
    web_api.offer(room, expires_at=_expiry(1))  # plaintiff -> defendant, CONFIDENTIAL
    web_api.offer(room, by="pro_se", from_party="defendant2", to_party="plaintiff",
                  designation="AEO", expires_at=_expiry(0.5))
    web_api.rule68_offer(room)  # defendant -> plaintiff: a window of at least 14 days

    def shown(who: str) -> str:
        sign_in_as(client, room.users[who])
        html = client.get("/").text
        row = _row(html, room.id)
        match = re.search(r"<td>([^<:]+):<br>", row)
        return match.group(1) if match else "none"

    assert shown("plaintiff_counsel") == "Settlement offer expires"  # the AEO one, sooner
    assert shown("pro_se") == "Settlement offer expires"
    assert shown("defense_counsel") == "Settlement offer expires"
    assert shown("defense_client") == "Settlement offer expires"
    # The plaintiff's client may not see the AEO offer: its next is the other offer's
    # expiry, later the same way. Compare the times, not just the label.
    sign_in_as(client, room.users["plaintiff_counsel"])
    counsel_row = _row(client.get("/").text, room.id)
    sign_in_as(client, room.users["plaintiff_client"])
    client_row = _row(client.get("/").text, room.id)
    assert _time(counsel_row) < _time(client_row)
    assert shown("auditor") == "none"
    assert shown("room_admin") == "none"
    assert shown("neutral") == "none"  # no offer shared with the neutral, no ENE session


def _time(row: str) -> datetime:
    match = re.search(r'data-deadline="([^"]+)"', row)
    assert match, row
    return datetime.fromisoformat(match.group(1))
