"""The dated-cases table (``data/dated_cases.txt``) through GET /deadlines, each with its law.

Every expected date and instant in the table was worked out by hand from the cited text
and a printed calendar, never by running the engine: a row that fails is a disagreement
between the engine and the law as written, to be investigated, not re-recorded. The table
covers every federal holiday kind (observed Fridays and Mondays included), Inauguration
Day in the DC-area districts only, curated state holidays with their unsettled readings,
executive-order closures, recorded closure days and inaccessibility, backward periods,
FRCP 6(d) with its second roll, the years at the table's limits and periods in hours
across weekends, holidays and daylight-saving changes in Guam, Hawaii, Alaska, Arizona,
Puerto Rico and the continental zones.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

import pytest

DATA = Path(__file__).parent / "data" / "dated_cases.txt"


class Case(NamedTuple):
    name: str
    params: dict[str, object]
    closures: list[tuple[str, str, str | None]]
    expected: str
    readings: tuple[str, str] | None
    cite: str


def _parse(line: str) -> Case:
    name, raw, expected, cite = (part.strip() for part in line.split("|"))
    params: dict[str, object] = {}
    closures: list[tuple[str, str, str | None]] = []
    lists: dict[str, list[str]] = {"inaccessible_days": [], "extra_holidays": []}
    for token in raw.split():
        key, _, value = token.partition("=")
        if key == "closure":
            day, _, rest = value.partition("/")
            kind, _, where = rest.partition("@")
            closures.append((day, kind, where or None))
        elif key == "inaccessible":
            lists["inaccessible_days"].append(value)
        elif key == "extra":
            lists["extra_holidays"].append(value)
        elif key == "service":
            params["service_method"] = value
        else:
            params[key] = value
    params.update({k: v for k, v in lists.items() if v})
    first, _, second = expected.partition(" ")
    readings = tuple(second.split("..")) if second else None
    return Case(name, params, closures, first, readings, cite)  # type: ignore[arg-type]


def _cases() -> list[Case]:
    lines = [line for line in DATA.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    return [_parse(line) for line in lines]


CASES = _cases()


def test_the_table_is_large_cited_and_covers_every_kind():
    assert len(CASES) >= 150
    assert len({c.name for c in CASES}) == len(CASES)
    assert all(c.cite for c in CASES)
    cites = " ".join(c.cite for c in CASES)
    for needle in ("6103(a)", "6103(b)(1)", "6103(b)(2)", "6103(c)", "6(a)(6)(B)",
                   "Cal. Code Civ. Proc. 135", "N.Y. Gen. Constr. Law 24", "Gen. Prov. 1-111",
                   "Va. Code 2.2-3300", "D.C. Code", "Mass. Gen. Laws", "Tex. Gov't Code",
                   "6(a)(3)(A)", "6(a)(3)(B)", "6(a)(5)", "6(d)", "6(a)(2)(C)", "260a"):
        assert needle in cites, needle
    districts = {c.params.get("district") for c in CASES}
    assert {"gud", "hid", "akd", "azd", "prd", "dcd", "mdd", "vaed"} <= districts
    assert any(c.readings for c in CASES if "hours" in c.params)
    assert any(c.params.get("direction") == "before" for c in CASES)
    years = {int(str(c.params.get("trigger", c.params.get("trigger_at")))[:4]) for c in CASES}
    assert min(years) == 1971 and max(years) == 2199


@pytest.fixture
def caller(api):
    # Any signed-in account may compute: the template's outsider, made before the test.
    return api.room().users["outsider"]


def _record(api, district: str, day: str, kind: str) -> None:
    r = api.client.post(f"/api/v1/courts/{district}/closures", headers=api.admin.headers,
                        json={"date": day, "kind": kind, "reason": "Clerk's office closed",
                              "source": "General Order of the court"})
    assert r.status_code == 201, r.text


# A case without recorded closures is pure computation: run once, in the SQLite pass; the
# rows that record closure days read them back from the database on both.
@pytest.mark.parametrize("case", [
    c if c.closures else pytest.param(c, marks=pytest.mark.once) for c in CASES],
    ids=[c.name for c in CASES])
def test_dated_case_over_http(api, caller, case: Case):
    for day, kind, where in case.closures:
        _record(api, where or str(case.params["district"]), day, kind)
    r = api.client.get("/api/v1/deadlines", params=case.params, headers=caller.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    if "hours" in case.params:
        expected = datetime.fromisoformat(case.expected)
        got = datetime.fromisoformat(body["deadline_at"])
        assert got == expected, (body["deadline_at"], body["explanation"])
        assert got.utcoffset() == expected.utcoffset()
        assert body["deadline"] == expected.date().isoformat()
        assert datetime.fromisoformat(body["ends_at"]) == expected
        assert body["hours"] == int(str(case.params["hours"]))
    else:
        assert body["deadline"] == case.expected, body["explanation"]
        assert body["explanation"][-1].startswith(f"The last day is {case.expected} ")
        assert body["deadline_at"] is None
    if case.readings is None:
        assert body["readings"] is None, body["readings"]
    else:
        assert (body["readings"]["earliest"], body["readings"]["latest"]) == case.readings
        assert body["readings"]["why"]
        assert body["deadline"] == body["readings"]["earliest"]
    assert date.fromisoformat(body["deadline"])  # a calendar date, always


@pytest.mark.parametrize("params,code", [
    ({"trigger_at": "2026-03-06T10:00:00", "hours": 24}, "invalid_trigger_at"),
    ({"trigger_at": "2026-03-06 10:00:00Z", "hours": 24}, "invalid_trigger_at"),
    ({"trigger_at": "2026-03-06", "hours": 24}, "invalid_trigger_at"),
    ({"trigger_at": "2026-03-06T10:00Z", "hours": 24}, "invalid_trigger_at"),
    ({"trigger_at": "2026-02-30T10:00:00Z", "hours": 24}, "invalid_trigger_at"),
    ({"trigger_at": "2026-12-31T23:59:60Z", "hours": 24}, "invalid_trigger_at"),
    ({"trigger_at": "2026-03-06T10:00:00+24:00", "hours": 24}, "invalid_trigger_at"),
    ({"trigger_at": "1969-07-20T20:17:40Z", "hours": 24}, "invalid_trigger_at"),
    ({"trigger_at": "2026-03-06T10:00:00\u00a0Z", "hours": 24}, "invalid_trigger_at"),
    ({"trigger_at": "2026-03-06T10:00:00Z"}, "deadline_period_mismatch"),
    ({"hours": 24}, "deadline_period_mismatch"),
    ({"trigger_at": "2026-03-06T10:00:00Z", "hours": 24, "days": 3}, "deadline_period_mismatch"),
    ({"trigger_at": "2026-03-06T10:00:00Z", "hours": 24, "direction": "before"},
     "deadline_period_mismatch"),
    ({"trigger_at": "2026-03-06T10:00:00Z", "hours": 24, "service_method": "mail"},
     "deadline_period_mismatch"),
    ({"trigger_at": "2026-03-06T10:00:00Z", "hours": 0}, "validation_error"),
    ({"trigger_at": "2026-03-06T10:00:00Z", "hours": 9000}, "validation_error"),
    ({"trigger_at": "x" * 41, "hours": 1}, "validation_error"),
    ({"trigger_at": "2026-03-06T10:00:00Z", "hours": 24, "district": "zzz"}, "unknown_district"),
    ({}, "deadline_period_required"),
    ({"trigger": "2026-03-06"}, "deadline_period_required"),
])
def test_bad_hour_input_is_422_problem_json(api, caller, params, code):
    r = api.client.get("/api/v1/deadlines", params=params, headers=caller.headers)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == code


def test_hour_explanation_names_each_rule_in_order(api, caller):
    r = api.client.get("/api/v1/deadlines", headers=caller.headers, params={
        "trigger_at": "2026-03-06T10:00:00-05:00", "hours": 48, "district": "nysd"})
    lines = r.json()["explanation"]
    assert lines[0].endswith("FRCP 6(a)(2)(A)")
    assert "2026-03-08 is a Sunday: FRCP 6(a)(2)(C)" in lines
    assert any("crosses a change of America/New_York time" in line for line in lines)
    assert lines[-1].startswith("The period ends at 2026-03-09 11:00:00 EDT (Monday)")
