"""The court pickers: the case forms and the deadline calculator name the court by its
district (all 94, by name) and, where a district spans two time zones, by one of its
divisions from a closed list. No form offers a free-text time zone; the zone follows from
the court and is never New York by default."""

from __future__ import annotations

import re

from tests.web.helpers import page_csrf, sign_in_as


def _select(html: str, name: str) -> str:
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, name
    return match.group(1)


def _district_ids(html: str) -> list[str]:
    return [v for v in re.findall(r'<option value="([^"]*)"', _select(html, "district")) if v]


def _no_zone_field(html: str) -> None:
    assert 'name="court_timezone"' not in html.replace('type="hidden" name="court_timezone"', "")
    assert 'value="America/New_York"' not in html


def _case_zone(api, user, case_id: str) -> dict:
    r = api.client.get(f"/api/v1/cases/{case_id}", headers=user.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _new_case(client, **fields):
    return client.post("/cases", data={"csrf_token": page_csrf(client), "caption": "A v. B",
                                       "docket_number": "1:30-cv-1", **fields})


def test_the_new_case_form_picks_a_district_and_offers_no_zone(web_api, client, room):
    sign_in_as(client, room.admin)
    page = client.get("/").text
    ids = _district_ids(page)
    assert len(ids) == 94 and {"cand", "txwd", "gud", "prd", "dcd"} <= set(ids)
    assert "W.D. Tex. (Texas)" in page
    assert 'value="txwd/El Paso"' in _select(page, "division")
    _no_zone_field(page)
    r = _new_case(client, district="txwd", division="txwd/El Paso")
    assert r.status_code == 200 and "Case room opened" in r.text
    case_id = str(r.url).split("/cases/")[1].split("?")[0]
    case = _case_zone(web_api, room.admin, case_id)
    assert (case["district"], case["division"], case["court_state"], case["court_timezone"]) \
        == ("txwd", "El Paso", "TX", "America/Denver")
    r = _new_case(client, district="hid")
    case = _case_zone(web_api, room.admin, str(r.url).split("/cases/")[1].split("?")[0])
    assert case["court_timezone"] == "Pacific/Honolulu"


def test_a_two_zone_district_needs_its_own_division(client, room):
    sign_in_as(client, room.admin)
    r = _new_case(client, district="txwd")
    assert r.status_code == 422 and "division" in r.text
    r = _new_case(client, district="txwd", division="idd/Northern")
    assert r.status_code == 422 and "division" in r.text


def test_the_case_details_form_moves_the_case_by_district(web_api, client):
    other = web_api.room()
    sign_in_as(client, other.admin)
    page = client.get(f"/cases/{other.id}").text
    assert len(_district_ids(page)) == 94
    _no_zone_field(page)
    r = client.post(f"/cases/{other.id}/details", data={
        "csrf_token": page_csrf(client), "district": "tned",
        "division": "tned/Winchester"})
    assert r.status_code == 200 and "Case details saved" in r.text
    case = _case_zone(web_api, other.admin, str(other.id))
    assert (case["district"], case["division"], case["court_timezone"]) == (
        "tned", "Winchester", "America/Chicago")
    # The saved court is preselected, its division too.
    assert re.search(r'<option value="tned" selected>', r.text)
    assert 'value="tned/Winchester" selected' in r.text
    r = client.post(f"/cases/{other.id}/details", data={
        "csrf_token": page_csrf(client), "district": "nysd", "division": ""})
    assert r.status_code == 200
    assert _case_zone(web_api, other.admin, str(other.id))["court_timezone"] == \
        "America/New_York"


def test_the_calculator_picks_a_district_and_shows_its_zone(client, room):
    sign_in_as(client, room.users["plaintiff_client"])
    form = client.get("/deadlines")
    assert len(_district_ids(form.text)) == 94
    _no_zone_field(form.text)
    r = client.get("/deadlines", params={"trigger": "2026-01-05", "days": "14",
                                         "district": "txwd", "division": "txwd/El Paso"})
    assert r.status_code == 200 and "America/Denver" in r.text
    assert 'value="txwd/El Paso" selected' in r.text
    r = client.get("/deadlines", params={"trigger": "2026-01-05", "days": "14",
                                         "district": "cand"})
    assert r.status_code == 200 and "America/Los_Angeles" in r.text


def test_the_calculator_refuses_a_state_whose_courts_keep_two_zones(client, room):
    sign_in_as(client, room.users["plaintiff_client"])
    r = client.get("/deadlines", params={"trigger": "2026-01-05", "days": "14",
                                         "state": "TX"})
    assert r.status_code == 422
    r = client.get("/deadlines", params={"trigger": "2026-01-05", "days": "14",
                                         "district": "txwd"})
    assert r.status_code == 422 and "division" in r.text


def test_the_calculator_shows_both_readings_where_the_law_is_unsettled(client, room):
    # Inauguration Day 2009 is a holiday in two Maryland counties only (5 U.S.C. 6103(c)).
    sign_in_as(client, room.users["plaintiff_client"])
    r = client.get("/deadlines", params={"trigger": "2009-01-06", "days": "14",
                                         "district": "mdd"})
    assert r.status_code == 200 and "two readings" in r.text
    assert "Tuesday, January 20, 2009" in r.text and "Wednesday, January 21, 2009" in r.text
    calm = client.get("/deadlines", params={"trigger": "2026-01-05", "days": "14",
                                            "district": "mdd"})
    assert "two readings" not in calm.text


def test_the_room_links_the_calculator_with_its_district(web_api, client):
    other = web_api.room()
    sign_in_as(client, other.admin)
    client.post(f"/cases/{other.id}/details", data={
        "csrf_token": page_csrf(client), "district": "sdd", "division": "sdd/Western"})
    page = client.get(f"/cases/{other.id}").text
    link = re.search(r'href="(/deadlines\?case=[^"]+)"', page).group(1).replace("&amp;", "&")
    assert "district=sdd" in link and "court_timezone" not in link
    r = client.get(link + "&trigger=2026-01-05&days=14")
    assert r.status_code == 200 and "America/Denver" in r.text
