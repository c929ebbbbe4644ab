"""An ENE session keeps its case's court: the court's time zone, and the closure days a
platform admin records for the case's district (FRCP 6(a)(3)) move the statements' due
date like every other computation in the room."""

from __future__ import annotations


def _room_in(api, district: str, division: str | None = None):
    room = api.room()
    r = api.client.patch(f"/api/v1/cases/{room.id}", headers=room.admin.headers,
                         json={"district": district, "division": division})
    assert r.status_code == 200 and r.json()["district"] == district, r.text
    return room


def _session(api, room, **fields):
    body = {"evaluator_user_id": room.users["neutral"].id,
            "scheduled_at": "2030-06-20T17:00:00Z", "statement_due": {"days_before": 7},
            **fields}
    return api.client.post(f"/api/v1/cases/{room.id}/ene-sessions",
                           headers=room.admin.headers, json=body)


def _close(api, district: str, day: str, kind: str = "inaccessible"):
    r = api.client.post(f"/api/v1/courts/{district}/closures", headers=api.admin.headers,
                        json={"date": day, "kind": kind, "reason": "Clerk's office closed",
                              "source": "General Order 30-02"})
    assert r.status_code == 201, r.text


def test_a_recorded_closure_moves_the_statement_due_date(api):
    # Thursday 2030-06-20 less 7 days is Thursday 06-13 (N.D. Cal. ADR L.R. 5-8).
    room = _room_in(api, "cand")
    before = _session(api, room)
    assert before.status_code == 201 and before.json()["statement_due_date"] == "2030-06-13"
    # The clerk's office of N.D. Cal. is recorded inaccessible that Thursday: the time is
    # extended to the first accessible day, Friday 06-14 (FRCP 6(a)(3)(A)), even for a
    # period counted backward.
    _close(api, "cand", "2030-06-13")
    after = _session(api, room)
    assert after.status_code == 201, after.text
    assert after.json()["statement_due_date"] == "2030-06-14"
    assert after.json()["statement_due_at"].startswith("2030-06-15T07:00:00")  # LA midnight


def test_a_recorded_court_holiday_moves_a_backward_due_date_earlier(api):
    # A day the court is closed by order (FRCP 6(a)(6)(B)) is a legal holiday: a backward
    # period lands on the day before it, Wednesday 06-12 (FRCP 6(a)(5)).
    room = _room_in(api, "casd")
    _close(api, "casd", "2030-06-13", kind="declared_holiday")
    r = _session(api, room)
    assert r.status_code == 201 and r.json()["statement_due_date"] == "2030-06-12"


def test_a_closure_of_another_district_changes_nothing(api):
    room = _room_in(api, "caed")
    _close(api, "cacd", "2030-06-13", kind="declared_holiday")
    r = _session(api, room)
    assert r.status_code == 201 and r.json()["statement_due_date"] == "2030-06-13"


def test_the_session_zone_is_the_case_court_zone(api):
    room = _room_in(api, "txwd", "El Paso")
    r = _session(api, room)
    assert r.status_code == 201 and r.json()["court_timezone"] == "America/Denver"
    # Thursday 2030-06-13 ends at midnight Mountain time, not Eastern.
    assert r.json()["statement_due_at"].startswith("2030-06-14T06:00:00")
    r = _session(api, room, court_timezone="America/Denver")
    assert r.status_code == 201


def test_a_zone_other_than_the_court_s_is_refused(api):
    room = _room_in(api, "cand")
    for zone in ("America/New_York", "America/Denver"):
        r = _session(api, room, court_timezone=zone)
        assert r.status_code == 422 and r.json()["code"] == "court_timezone_mismatch", r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    listed = api.client.get(f"/api/v1/cases/{room.id}/ene-sessions",
                            headers=room.admin.headers).json()
    assert listed == [] or all(s["court_timezone"] == "America/Los_Angeles" for s in listed)
