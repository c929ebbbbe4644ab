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

CALENDAR_SHA256 = "674235ab472b4d09df8b0a2fd1c52854502582427406dbe77fe233270e83dab6"
COURTS_SHA256 = "fc4ae1480ebdce144f16e1a218c0ec73c7f195b239b533d4b7fcc54bc93a55ea"


def test_calendar_file_is_pinned() -> None:
    assert calendar.data_sha256() == CALENDAR_SHA256
    assert calendar.version() == "2026.2"


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
           "WA", "WV", "WI", "WY"}
TERRITORIES = {"PR", "GU", "VI", "MP"}


def test_covered_states() -> None:
    assert calendar.covered_states() == COVERED


def test_every_state_of_the_district_table_has_an_entry() -> None:
    # FRCP 6(a)(6)(C) reads the holidays of "the state where the district court is
    # located": every district outside the territories must find its state here.
    states = {d.state for d in courts.districts()}
    assert states - TERRITORIES <= calendar.covered_states()
    assert len(states - TERRITORIES) == 51


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
