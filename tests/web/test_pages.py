"""Pages through a TestClient: every role reaches its tabs, refusals read as rules."""

from __future__ import annotations

import pytest

from tests.api.seats.conftest import token_for
from tests.testclient import TestClient
from tests.web.helpers import page_csrf, sign_in_as


def _tabs(html: str) -> set[str]:
    labels = ("Parties", "Members", "Settlement offers", "Rule 68", "ENE", "Documents",
              "Leak tracing", "Audit")
    return {label for label in labels if f'">{label}</a>' in html}


@pytest.mark.parametrize(("who", "tabs"), [
    ("room_admin", {"Parties", "Members", "ENE", "Documents", "Leak tracing", "Audit"}),
    ("plaintiff_counsel", {"Parties", "Members", "Settlement offers", "Rule 68", "ENE",
                           "Documents", "Leak tracing"}),
    ("plaintiff_client", {"Parties", "Members", "Settlement offers", "Rule 68", "ENE",
                          "Documents"}),
    ("neutral", {"Parties", "Members", "Settlement offers", "ENE", "Documents"}),
    ("auditor", {"Parties", "Members", "ENE", "Leak tracing", "Audit"}),
])
def test_each_role_is_offered_its_tabs_only(client, room, who, tabs):
    sign_in_as(client, room.users[who])
    page = client.get(f"/cases/{room.id}")
    assert page.status_code == 200
    assert _tabs(page.text) == tabs
    for label in tabs:
        href = page.text.split(f'">{label}</a>')[0].rsplit('href="', 1)[1]
        assert client.get(href).status_code == 200, (who, label)


def test_a_non_member_gets_the_unknown_case_page(client, room):
    sign_in_as(client, room.users["outsider"])
    r = client.get(f"/cases/{room.id}")
    assert r.status_code == 404
    assert "visible only to its members" in r.text


def test_offers_page_is_marked_fre_408_and_accepts_after_the_hash(api, client, room):
    offer = api.offer(room)
    sign_in_as(client, room.users["defense_counsel"])
    page = client.get(f"/cases/{room.id}/offers")
    # FRE 408 limits the use of compromise evidence; it makes nothing confidential.
    assert "Settlement record - FRE 408 limits its use as evidence; not privileged" in page.text
    assert "creates no privilege" in page.text and "prove" in page.text
    assert "CONFIDENTIAL SETTLEMENT COMMUNICATION" not in page.text
    assert offer["terms_sha256"] in page.text and "Confirm acceptance" in page.text
    token = page_csrf(client, f"/cases/{room.id}/offers")
    bad = client.post(f"/cases/{room.id}/offers/{offer['id']}/accept",
                      data={"csrf_token": token, "terms_sha256": "0" * 64})
    assert bad.status_code == 409 and "exact terms shown" in bad.text
    ok = client.post(f"/cases/{room.id}/offers/{offer['id']}/accept",
                     data={"csrf_token": token, "terms_sha256": offer["terms_sha256"]})
    assert ok.status_code == 200 and "Status: accepted" in ok.text


def test_rule68_refusal_names_the_rule(client, room):
    sign_in_as(client, room.users["plaintiff_counsel"])
    page = client.get(f"/cases/{room.id}/rule68")
    assert "court takes no part until an accepted offer is filed" in page.text
    assert "Serve an offer of judgment" not in page.text  # a claimant may not serve
    r = client.post(f"/cases/{room.id}/rule68", data={
        "csrf_token": page_csrf(client), "pair": f"{room.parties['plaintiff']}:"
        f"{room.parties['defendant']}", "amount": "1000", "costs": "included", "terms": "x"})
    assert r.status_code == 403
    assert "FRCP 68(a): only a party defending a claim may serve" in r.text


def test_client_may_not_make_offers_and_is_told_why(client, room):
    sign_in_as(client, room.users["plaintiff_client"])
    page = client.get(f"/cases/{room.id}/offers")
    assert "Make a settlement offer" not in page.text
    r = client.post(f"/cases/{room.id}/offers", data={
        "csrf_token": page_csrf(client), "from_party_id": room.parties["plaintiff"],
        "to_party_id": room.parties["defendant"], "amount": "10", "terms": "t"})
    assert r.status_code == 403 and "access policy" in r.text


def test_an_invitation_sent_from_the_members_page_is_accepted_on_its_landing_page(
        web_app, client, room):
    sign_in_as(client, room.admin)
    token = page_csrf(client, f"/cases/{room.id}/members")
    r = client.post(f"/cases/{room.id}/invitations", data={
        "csrf_token": token, "email": "web-auditor@example.com", "role": "auditor",
        "party_id": ""})
    assert r.status_code == 200 and "Invitation sent" in r.text
    assert "web-auditor@example.com" in r.text and "pending" in r.text
    link = token_for(web_app, "web-auditor@example.com")
    with TestClient(web_app) as stranger:
        landing = stranger.get(f"/invitations/{link}")
        assert landing.status_code == 200
        assert "Doe v. Acme Corp." in landing.text and "auditor" in landing.text
        assert "Create my account and accept" in landing.text
        accepted = stranger.post(f"/invitations/{link}/accept", data={
            "name": "Web Auditor", "password": "a long web passphrase"})
        assert accepted.status_code == 200 and "Invitation accepted" in accepted.text
        assert stranger.get(f"/invitations/{link}").text.count("no longer be accepted") == 1
    members = client.get(f"/cases/{room.id}/members")
    assert "web-auditor@example.com" in members.text


def test_a_counsel_is_offered_no_removal_of_another_partys_seats(client, room):
    sign_in_as(client, room.users["defense_counsel"])
    page = client.get(f"/cases/{room.id}/members").text
    assert "Remove Defense-Client" in page and "Remove Plaintiff-Client" not in page
    assert "Leave your seat as counsel" in page


def test_declining_on_the_landing_page_seats_nobody(web_app, client, room):
    sign_in_as(client, room.users["plaintiff_counsel"])
    token = page_csrf(client, f"/cases/{room.id}/members")
    client.post(f"/cases/{room.id}/invitations", data={
        "csrf_token": token, "email": "web-client@example.com", "role": "client",
        "party_id": room.parties["plaintiff"]})
    link = token_for(web_app, "web-client@example.com")
    with TestClient(web_app) as stranger:
        r = stranger.post(f"/invitations/{link}/decline")
        assert r.status_code == 200 and "No seat was created" in r.text
    assert "web-client@example.com" not in client.get(f"/cases/{room.id}/members").text.split(
        "Invitations")[0]


def test_bad_form_values_are_a_422_page_without_echo(client, room):
    sign_in_as(client, room.admin)
    r = client.post("/cases", data={"csrf_token": page_csrf(client), "caption": "A v. B",
                                    "court": "C", "court_state": "ZZ", "docket_number": "1"})
    assert r.status_code == 422 and "court_state" in r.text


def test_audit_tab_verifies_the_case(client, room):
    sign_in_as(client, room.users["auditor"])
    token = page_csrf(client, f"/cases/{room.id}/audit")
    r = client.post(f"/cases/{room.id}/audit/verify", data={"csrf_token": token})
    assert r.status_code == 200 and "Verified:" in r.text


def test_room_admin_sets_the_trial_date_and_gets_the_calendar(client, room):
    sign_in_as(client, room.admin)
    r = client.post(f"/cases/{room.id}/details", data={
        "csrf_token": page_csrf(client), "trial_date": "2031-03-03",
        "court_timezone": "America/Los_Angeles"})
    assert r.status_code == 200 and "Monday, March 3, 2031" in r.text
    ics = client.get(f"/cases/{room.id}/deadlines.ics")
    assert ics.status_code == 200 and ics.text.startswith("BEGIN:VCALENDAR")


def test_cost_comparison_explains_rule_68d(api, client, room, web_app):
    from datetime import timedelta

    from app.models.base import utcnow
    offer = api.rule68_offer(room)
    sign_in_as(client, room.users["plaintiff_counsel"])
    early = client.post(f"/cases/{room.id}/rule68/{offer['id']}/cost-comparison", data={
        "csrf_token": page_csrf(client), "judgment_amount": "1", "pre_offer_costs": "0"})
    assert early.status_code == 409 and "not accepted" in early.text
    later = utcnow() + timedelta(days=30)
    clock = web_app.state.services.clock
    web_app.state.services.clock = lambda: later
    try:
        sign_in_as(client, room.users["plaintiff_counsel"])  # the old session timed out
        assert "Costs after judgment" in client.get(f"/cases/{room.id}/rule68").text
        r = client.post(f"/cases/{room.id}/rule68/{offer['id']}/cost-comparison", data={
            "csrf_token": page_csrf(client), "judgment_amount": "50000",
            "pre_offer_costs": "1000", "judgment_for": "offeree"})
    finally:
        web_app.state.services.clock = clock
    assert r.status_code == 200 and "68(d)" in r.text
