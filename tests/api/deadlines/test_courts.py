"""GET /courts, cases that name their district, time zones that are never free text or
defaulted away from the court, and closure days that reach every computation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

CASE = {"caption": "A v. B", "docket_number": "1:26-cv-1"}


def _create(api, owner, **fields):
    return api.client.post("/api/v1/cases", headers=owner.headers, json={**CASE, **fields})


def test_courts_lists_94_districts_with_zones_and_divisions(api):
    r = api.client.get("/api/v1/courts", headers=api.user("u").headers)
    body = r.json()
    by_id = {c["id"]: c for c in body["courts"]}
    assert r.status_code == 200 and len(by_id) == 94
    assert by_id["cand"]["state"] == "CA" and by_id["cand"]["timezones"] == ["America/Los_Angeles"]
    assert by_id["gud"]["timezones"] == ["Pacific/Guam"]
    assert {d["name"]: d["timezone"] for d in by_id["txwd"]["divisions"]}["El Paso"] == \
        "America/Denver"
    assert by_id["nysd"]["state_holidays_covered"] is True
    assert by_id["ilnd"]["state_holidays_covered"] is True
    # FRCP 81(d)(1): the territories' districts have their curated calendars too.
    assert all(c["state_holidays_covered"] for c in body["courts"])
    assert {by_id[d]["timezones"][0] for d in ("prd", "vid", "gud", "nmid")} == {
        "America/Puerto_Rico", "America/St_Thomas", "Pacific/Guam", "Pacific/Saipan"}
    assert body["calendar_version"] and len(body["calendar_sha256"]) == 64
    assert api.client.get("/api/v1/courts").status_code == 401


@pytest.mark.parametrize("fields,state,zone,division", [
    ({"district": "cand"}, "CA", "America/Los_Angeles", None),
    ({"district": "NYSD"}, "NY", "America/New_York", None),
    ({"district": "txwd", "division": "el paso"}, "TX", "America/Denver", "El Paso"),
    ({"district": "txwd", "division": "Austin"}, "TX", "America/Chicago", "Austin"),
    ({"district": "cand", "court_state": "CA", "court_timezone": "America/Los_Angeles"}, "CA",
     "America/Los_Angeles", None),
    # Old clients: court and state only; the zone is the state's courts' zone.
    ({"court": "N.D. Cal.", "court_state": "CA"}, "CA", "America/Los_Angeles", None),
    ({"court": "D.D.C.", "court_state": "DC"}, "DC", "America/New_York", None),
])
def test_case_court_is_derived_from_the_district(api, fields, state, zone, division):
    owner = api.user("owner")
    r = _create(api, owner, **fields)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["court_state"], body["court_timezone"], body["division"]) == (
        state, zone, division)
    assert body["court"]


@pytest.mark.parametrize("fields,code", [
    ({"district": "txwd"}, "division_required"),
    ({"district": "txwd", "division": "Dallas"}, "unknown_division"),
    ({"district": "xxd"}, "unknown_district"),
    ({"district": "cand", "court_state": "NY"}, "court_state_mismatch"),
    ({"district": "cand", "court_timezone": "America/New_York"}, "court_timezone_mismatch"),
    ({"court": "N.D. Cal.", "court_state": "CA", "court_timezone": "America/New_York"},
     "court_timezone_mismatch"),
    ({"court": "W.D. Tex.", "court_state": "TX"}, "court_timezone_required"),
    ({"court": "N.D. Cal."}, "field_required"),
    ({"court": "N.D. Cal.", "court_state": "CA", "court_timezone": "Pacific"},
     "validation_error"),
    ({"district": "cand", "court_timezone": "US/../../etc/passwd"}, "validation_error"),
])
def test_case_court_refusals_are_422_with_a_code(api, fields, code):
    r = _create(api, api.user("owner"), **fields)
    assert r.status_code == 422 and r.json()["code"] == code, r.text


def test_patching_the_district_rederives_state_and_zone(api):
    owner = api.user("owner")
    case_id = _create(api, owner, district="cand").json()["id"]
    url = f"/api/v1/cases/{case_id}"
    r = api.client.patch(url, headers=owner.headers, json={"district": "nysd"})
    assert (r.json()["court_state"], r.json()["court_timezone"]) == ("NY", "America/New_York")
    r = api.client.patch(url, headers=owner.headers, json={"court_timezone": "America/Chicago"})
    assert r.status_code == 422 and r.json()["code"] == "court_timezone_mismatch"
    r = api.client.patch(url, headers=owner.headers, json={"court_timezone": "Pacific"})
    assert r.status_code == 422 and r.json()["code"] == "validation_error"


@pytest.mark.parametrize("params,code", [
    ({"court_timezone": "Pacific"}, "invalid_deadline_input"),
    ({"district": "txwd"}, "division_required"),
    ({"district": "zzz"}, "unknown_district"),
    ({"district": "cand", "court_timezone": "America/New_York"}, "court_timezone_mismatch"),
    ({"district": "cand", "state": "NY"}, "invalid_deadline_input"),
])
def test_deadline_court_refusals(api, params, code):
    r = api.client.get("/api/v1/deadlines", headers=api.user("u").headers,
                       params={"trigger": "2026-01-05", "days": 14, **params})
    assert r.status_code == 422 and r.json()["code"] == code, r.text


@pytest.mark.parametrize("params,ends_at", [
    ({"district": "cand"}, "2026-01-21T08:00:00Z"),  # midnight Pacific
    ({"state": "CA"}, "2026-01-21T08:00:00Z"),  # the state's one zone, not New York
    ({"district": "txwd", "division": "El Paso"}, "2026-01-21T07:00:00Z"),  # Mountain
    ({}, "2026-01-21T05:00:00Z"),  # no court at all: Eastern, as before
])
def test_deadline_ends_at_midnight_in_the_court_zone(api, params, ends_at):
    r = api.client.get("/api/v1/deadlines", headers=api.user("u").headers,
                       params={"trigger": "2026-01-05", "days": 14, **params})
    assert r.json()["deadline"] == "2026-01-20" and r.json()["ends_at"] == ends_at


def test_a_territory_counts_its_own_holidays(api):
    # Commonwealth Covenant Day (Wed 2027-03-24) in the Northern Mariana Islands: the
    # answer names the day and no longer says only federal days are counted.
    r = api.client.get("/api/v1/deadlines", headers=api.user("u").headers,
                       params={"trigger": "2027-03-10", "days": 14, "district": "nmid"})
    body = r.json()
    assert r.status_code == 200 and body["deadline"] == "2027-03-25"
    assert any("Commonwealth Covenant Day" in line for line in body["explanation"])
    assert not any(line.startswith("No curated holiday calendar")
                   for line in body["explanation"])


def _closure(api, user, district="cand", **fields):
    body = {"date": "2026-06-16", "reason": "Power outage at the courthouse",
            "source": "General Order 26-07", **fields}
    return api.client.post(f"/api/v1/courts/{district}/closures", headers=user.headers,
                           json=body)


def test_only_a_platform_admin_records_a_closure(api):
    r = _closure(api, api.user("counsel"))
    assert r.status_code == 403 and r.json()["code"] == "not_platform_admin"
    r = _closure(api, api.admin)
    assert r.status_code == 201 and r.json()["rule"] == "FRCP 6(a)(3)"
    assert _closure(api, api.admin).json()["code"] == "closure_exists"
    assert _closure(api, api.admin, district="zzz").json()["code"] == "unknown_district"
    assert _closure(api, api.admin, source="").status_code == 422
    listed = api.client.get("/api/v1/courts/cand/closures", headers=api.user("u").headers).json()
    assert {c["date"]: c["kind"] for c in listed}["2026-06-16"] == "inaccessible"
    assert {c["date"]: c["kind"] for c in listed}["2025-01-09"] == "executive_order"
    other = api.client.get("/api/v1/courts/caed/closures", headers=api.user("u").headers).json()
    assert "2026-06-16" not in {c["date"] for c in other}


def test_a_recorded_closure_reaches_the_calculator_for_that_district_only(api):
    _closure(api, api.admin)  # Tue 2026-06-16, where 2026-06-02 + 14 lands
    user = api.user("u")
    params = {"trigger": "2026-06-02", "days": 14}
    here = api.client.get("/api/v1/deadlines", headers=user.headers,
                          params={**params, "district": "cand"}).json()
    there = api.client.get("/api/v1/deadlines", headers=user.headers,
                           params={**params, "district": "caed"}).json()
    assert (here["deadline"], there["deadline"]) == ("2026-06-17", "2026-06-16")
    assert "The clerk's office is inaccessible on 2026-06-16: FRCP 6(a)(3)(A)" in \
        here["explanation"]


def test_a_recorded_closure_reaches_a_rule68_offer_in_the_room(api, app):
    room = api.room()
    api.consent_all(room)
    r = api.client.patch(f"/api/v1/cases/{room.id}", headers=room.admin.headers,
                         json={"district": "cand"})
    assert r.status_code == 200 and r.json()["district"] == "cand"
    _closure(api, api.admin, date="2026-06-16", kind="declared_holiday",
             reason="Day of mourning declared by Congress", source="Pub. L. (example)")
    app.state.services.clock = lambda: datetime(2026, 6, 2, 15, 0, tzinfo=UTC)
    offer = api.rule68_offer(room)
    assert offer["acceptance_deadline"] == "2026-06-17"
    assert any("2026-06-16 is a day declared a holiday by the President or Congress" in line
               for line in offer["deadline_explanation"])


@pytest.mark.parametrize("params,code", [
    ({"state": "TX"}, "court_timezone_required"),  # txwd's El Paso keeps Mountain time
    ({"state": "fl"}, "court_timezone_required"),
    ({"state": "KY"}, "court_timezone_required"),
    ({"state": "TX", "court_timezone": "America/New_York"}, "court_timezone_mismatch"),
    ({"state": "CA", "court_timezone": "America/New_York"}, "court_timezone_mismatch"),
    ({"district": "txwd", "court_timezone": "America/Los_Angeles"}, "court_timezone_mismatch"),
    ({"district": "txwd", "division": "El Paso", "court_timezone": "America/Chicago"},
     "court_timezone_mismatch"),
])
def test_a_state_never_falls_back_to_eastern_time(api, params, code):
    r = api.client.get("/api/v1/deadlines", headers=api.user("u").headers,
                       params={"trigger": "2026-01-05", "days": 14, **params})
    assert r.status_code == 422 and r.json()["code"] == code, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("params,ends_at", [
    ({"state": "TX", "court_timezone": "America/Denver"}, "2026-01-21T07:00:00Z"),
    ({"state": "TX", "court_timezone": "America/Chicago"}, "2026-01-21T06:00:00Z"),
    ({"state": "TX", "district": "txsd"}, "2026-01-21T06:00:00Z"),
    ({"district": "txwd", "court_timezone": "America/Denver"}, "2026-01-21T07:00:00Z"),
    ({"state": "AZ"}, "2026-01-21T07:00:00Z"),  # one zone: Phoenix, no daylight time
])
def test_a_multi_zone_state_takes_the_zone_or_district_given(api, params, ends_at):
    r = api.client.get("/api/v1/deadlines", headers=api.user("u").headers,
                       params={"trigger": "2026-01-05", "days": 14, **params})
    assert r.status_code == 200, r.text
    assert r.json()["deadline"] == "2026-01-20" and r.json()["ends_at"] == ends_at


def test_a_period_in_hours_in_a_multi_zone_state_needs_the_court(api):
    r = api.client.get("/api/v1/deadlines", headers=api.user("u").headers,
                       params={"trigger_at": "2026-01-05T10:00:00Z", "hours": 24,
                               "state": "TN"})
    assert r.status_code == 422 and r.json()["code"] == "court_timezone_required"
