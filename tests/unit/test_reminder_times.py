"""Reminder times: 7, 3 and 1 days before the last day at 9 am, and 8 am on the last day,
court time, through changes of daylight saving time."""

from __future__ import annotations

from datetime import UTC, datetime

from app.notifications.reminders import fire_times, last_day


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_across_the_end_of_daylight_saving_time_in_new_york():
    # A Rule 68 window ending at midnight, New York time, starting November 3, 2026: the
    # last day is November 2; clocks went back on November 1.
    due = _utc(2026, 11, 3, 5, 0)
    assert last_day(due, "America/New_York").isoformat() == "2026-11-02"
    assert fire_times(due, "America/New_York") == [
        _utc(2026, 10, 26, 13, 0),  # 9 am EDT
        _utc(2026, 10, 30, 13, 0),  # 9 am EDT
        _utc(2026, 11, 1, 14, 0),  # 9 am EST
        _utc(2026, 11, 2, 13, 0),  # 8 am EST, the last day
    ]


def test_across_the_start_of_daylight_saving_time_in_california():
    # Clocks went forward on March 8, 2026; the window ends at midnight starting March 11.
    due = _utc(2026, 3, 11, 7, 0)
    assert fire_times(due, "America/Los_Angeles") == [
        _utc(2026, 3, 3, 17, 0),  # 9 am PST
        _utc(2026, 3, 7, 17, 0),  # 9 am PST
        _utc(2026, 3, 9, 16, 0),  # 9 am PDT
        _utc(2026, 3, 10, 15, 0),  # 8 am PDT
    ]


def test_an_offer_ending_before_eight_on_its_last_day_has_no_morning_reminder():
    due = _utc(2026, 6, 15, 11, 0)  # 7 am EDT
    times = fire_times(due, "America/New_York")
    assert len(times) == 3 and all(t < due for t in times)
    assert times[-1] == _utc(2026, 6, 14, 13, 0)  # 9 am the day before
