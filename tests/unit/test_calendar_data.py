"""The curated calendar and the district table are pinned: changing either is a reviewed
change. Update the hash below in the same commit as the data, with the citation."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from app.deadlines import courts
from app.deadlines import holiday_calendar as calendar

CALENDAR_SHA256 = "f21debba332e8487bcb41e6ff46cb3f90f1a5fe7be604a70090e26fd54376fb8"
COURTS_SHA256 = "fc4ae1480ebdce144f16e1a218c0ec73c7f195b239b533d4b7fcc54bc93a55ea"


def test_calendar_file_is_pinned() -> None:
    assert calendar.data_sha256() == CALENDAR_SHA256
    assert calendar.version() == "2026.3"


def test_courts_file_is_pinned() -> None:
    assert hashlib.sha256(courts.DATA_FILE.read_bytes()).hexdigest() == COURTS_SHA256


def test_every_entry_is_cited() -> None:
    data = json.loads(calendar.DATA_FILE.read_bytes())
    assert all(c["citation"] and c["reason"] for c in data["closures"])
    # A closure read both ways says why, and the note argues it from the rule's text.
    assert all(c["note"] for c in data["closures"] if "unsettled" in c)
    for state in data["states"].values():
        assert state["citation"] and state["observance"]["citation"]
        for holiday in state["holidays"]:
            assert holiday["citation"], holiday["name"]
            if (holiday.get("courts_observe") is False or "scope" in holiday
                    or holiday.get("unsettled")):
                assert holiday["note"], holiday["name"]


def test_ninety_four_districts_each_with_a_zone() -> None:
    table = courts.districts()
    assert len(table) == 94 and len({d.id for d in table}) == 94
    for district in table:
        assert district.timezones
        if district.needs_division:
            assert {d.timezone for d in district.divisions} == set(district.timezones)


COVERED = {"CA", "NY", "MD", "VA", "DC", "MA", "TX",
           "AL", "AK", "AZ", "AR", "CO", "CT", "DE", "FL",
           "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
           "LA", "ME", "MI", "MN", "MS", "MO", "MT", "NE",
           "NV", "NH", "NJ", "NM", "NC", "ND", "OH", "OK",
           "OR", "PA", "RI", "SC", "SD", "TN", "UT", "VT",
           "WA", "WV", "WI", "WY",
           "PR", "GU", "VI", "MP"}
TERRITORIES = {"PR", "GU", "VI", "MP"}


def test_covered_states() -> None:
    assert calendar.covered_states() == COVERED


def test_every_state_of_the_district_table_has_an_entry() -> None:
    # FRCP 6(a)(6)(C) reads the holidays of "the state where the district court is
    # located", and FRCP 81(d)(1) makes "state" include D.C. and every US territory:
    # every district, the four territorial ones included, must find its entry here.
    states = {d.state for d in courts.districts()}
    assert states == calendar.covered_states()
    assert len(states - TERRITORIES) == 51 and TERRITORIES <= states


def test_the_territorial_districts_keep_their_own_zones() -> None:
    zones = {d.state: d.timezones for d in courts.districts() if d.state in TERRITORIES}
    assert zones == {"PR": ("America/Puerto_Rico",), "GU": ("Pacific/Guam",),
                     "VI": ("America/St_Thomas",), "MP": ("Pacific/Saipan",)}


def test_each_territory_names_its_statute_and_its_own_days() -> None:
    # One territory-only day per territory, settled, with the statute the entry cites.
    cases = {
        ("PR", dt.date(2027, 11, 19)): "1 L.P.R.A. sec. 71",  # Discovery of Puerto Rico
        ("GU", dt.date(2027, 7, 21)): "1 GCA sec. 1000",  # Liberation Day
        ("VI", dt.date(2027, 3, 31)): "1 V.I.C. sec. 171",  # Transfer Day
        ("MP", dt.date(2027, 3, 24)): "P.L. 15-4",  # Commonwealth Covenant Day
    }
    for (state, day), cite in cases.items():
        found = calendar.state_holidays(state, day.year)[day]
        assert found.unsettled is None and cite in found.citation, (state, day)
        assert cite in calendar.state_citation(state)


def test_a_territorial_day_in_doubt_is_unsettled() -> None:
    # Guam's Good Friday is missing from some Government of Guam schedules, and a Sunday
    # Liberty Day's Monday in the Virgin Islands rests on no confirmed weekend rule.
    assert calendar.state_holidays("GU", 2027)[dt.date(2027, 3, 26)].unsettled
    monday = calendar.state_holidays("VI", 2026)[dt.date(2026, 11, 2)]
    assert monday.unsettled and "weekend" in monday.unsettled
    # Puerto Rico moves only a Sunday holiday (to the Monday); a Saturday one stays put.
    assert dt.date(2027, 7, 26) in calendar.state_holidays("PR", 2027)
    assert dt.date(2026, 7, 24) not in calendar.state_holidays("PR", 2026)


def test_indiana_election_days_are_settled_in_even_years_only() -> None:
    even = calendar.state_holidays("IN", 2026)[dt.date(2026, 11, 3)]
    odd = calendar.state_holidays("IN", 2027)[dt.date(2027, 11, 2)]
    assert even.unsettled is None and "3-10-2-1" in even.citation
    assert odd.unsettled and "odd year" in odd.unsettled


def test_a_day_whose_status_is_in_doubt_is_unsettled_with_its_reason() -> None:
    # Connecticut's Good Friday rests on the Governor's yearly proclamation under 1-4,
    # not on the statute's list: it must come out unsettled, Lincoln Day must not.
    days = calendar.state_holidays("CT", 2027)
    good_friday = days[dt.date(2027, 3, 26)]
    assert good_friday.unsettled is not None and "proclamation" in good_friday.unsettled
    assert days[dt.date(2027, 2, 12)].unsettled is None


def test_no_runtime_dependency_on_the_holidays_package() -> None:
    text = open("pyproject.toml").read()
    assert '"holidays' not in text
    # Installed or not, the application never imports it: a fresh interpreter that imports
    # the whole app (every router, hence every computation) has no module of that name.
    root = str(Path(__file__).resolve().parents[2])
    probe = ("import sys, app.main; print(sorted(m for m in sys.modules "
             "if m == 'holidays' or m.startswith('holidays.')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, cwd=root, env={**os.environ, "PYTHONPATH": root})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_the_executive_order_closures_are_cited_to_the_right_order() -> None:
    found = calendar.closures()
    christmas_eve_2012 = found[date(2012, 12, 24)]
    assert "13633" in christmas_eve_2012.citation and "77 Fed. Reg. 76339" in \
        christmas_eve_2012.citation and christmas_eve_2012.unsettled is None
    # EO 13281 closed offices for the last half of the workday only: read both ways.
    half_day = found[date(2002, 12, 24)]
    assert "13281" in half_day.citation and half_day.unsettled
    assert "13632" not in calendar.DATA_FILE.read_text(encoding="utf-8")
    # December 26, 2003 (EO 13320) closed whole; December 24 of 2009 (EO 13523) and 2015
    # (EO 13713) only for the last half of the workday, read both ways like 2002.
    dec_26_2003 = found[date(2003, 12, 26)]
    assert "13320" in dec_26_2003.citation and dec_26_2003.unsettled is None
    for day, order in ((date(2009, 12, 24), "13523"), (date(2015, 12, 24), "13713")):
        assert order in found[day].citation and found[day].unsettled
    # EO 13478 is the 2008 order on Social Security numbers; December 26, 2008 is EO 13482.
    assert "13482" in found[date(2008, 12, 26)].citation
    assert "13478" not in calendar.DATA_FILE.read_text(encoding="utf-8")
