"""California judicial holidays and the counting rules of Code Civ. Proc. 12, 12a and 135.

Pure: no clock, no database, no network; kept apart from the FRCP 6 engine
(``app.deadlines.rules``), which counts federal time. Only the ``Holiday`` value type of the
federal holiday calendar is shared.

Sources (statute text checked against the official Legislative Information text of CCP 135
as amended by AB 855 (2021), Gov. Code 6700 and Cal. Rules of Court, rule 1.11):
- CCP 135: every full day that Gov. Code 6700 makes a holiday is a judicial holiday, except
  September 9 (Admission Day), the second Monday in October (Columbus Day, excepted since
  AB 855, operative 2022) and days the President but not the Governor appoints; Native
  American Day (fourth Friday in September) is one since AB 855; every Saturday and the day
  after Thanksgiving are judicial holidays. Later amendments keep out Lunar New Year,
  Genocide Remembrance Day and Diwali (AB 268 (2025)): none of them is a judicial holiday.
- Gov. Code 6700(a): every Sunday; Juneteenth since AB 1655 (2022), from 2023.
- Good Friday is a holiday from noon to 3 p.m. only (Gov. Code 6700(a)): not a "full day".
- Cal. Rules of Court, rule 1.11 (the Judicial Council's designation CCP 135 allows): a
  judicial holiday falling on a Saturday is observed on the preceding Friday, one falling
  on a Sunday on the following Monday.
- CCP 12: exclude the first day, include the last, unless it is a holiday; CCP 12a: a
  period whose last day is a holiday (every Saturday, every CCP 135 holiday) is extended to
  the next day that is not a holiday.

Invariants:
- only the years in ``SUPPORTED_YEARS`` are computed (the law as in force from 2022); any
  other year raises ``CalendarInputError`` rather than guessing at an older or a future list;
- a day the Governor appoints, or a closure under Gov. Code 68115, is not in the list: the
  caller passes such days as ``extra_holidays``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from app.deadlines.holiday_calendar import Holiday

SUPPORTED_YEARS: Final = range(2022, 2041)
ONE_DAY: Final = dt.timedelta(days=1)
CCP135: Final = "Cal. Code Civ. Proc. 135"
GOV6700: Final = "Cal. Gov. Code 6700(a)"
RULE_1_11: Final = "Cal. Rules of Court, rule 1.11"

# (name, citation, rule): rule is ("date", month, day) or ("nth", month, weekday, nth) with
# weekday 0 = Monday and nth -1 the last one; "after_thanksgiving" is the Friday after.
_RULES: Final[tuple[tuple[str, str, tuple[object, ...], int], ...]] = (
    ("New Year's Day", f"{GOV6700}; {CCP135}", ("date", 1, 1), 2022),
    ("Martin Luther King, Jr. Day", f"{GOV6700}; {CCP135}", ("nth", 1, 0, 3), 2022),
    ("Lincoln Day", f"{GOV6700}; {CCP135}", ("date", 2, 12), 2022),
    ("Washington's Birthday (Presidents' Day)", f"{GOV6700}; {CCP135}", ("nth", 2, 0, 3), 2022),
    ("Cesar Chavez Day", f"{GOV6700}; {CCP135}", ("date", 3, 31), 2022),
    ("Memorial Day", f"{GOV6700}; {CCP135}", ("nth", 5, 0, -1), 2022),
    ("Juneteenth", f"{GOV6700} as amended by AB 1655 (2022); {CCP135}", ("date", 6, 19), 2023),
    ("Independence Day", f"{GOV6700}; {CCP135}", ("date", 7, 4), 2022),
    ("Labor Day", f"{GOV6700}; {CCP135}", ("nth", 9, 0, 1), 2022),
    ("Native American Day", f"{GOV6700}; {CCP135} as amended by AB 855 (2021)",
     ("nth", 9, 4, 4), 2022),
    ("Veterans Day", f"{GOV6700}; {CCP135}", ("date", 11, 11), 2022),
    ("Thanksgiving Day", f"{GOV6700}; {CCP135}", ("nth", 11, 3, 4), 2022),
    ("Day after Thanksgiving", CCP135, ("after_thanksgiving",), 2022),
    ("Christmas Day", f"{GOV6700}; {CCP135}", ("date", 12, 25), 2022),
)

NOT_JUDICIAL_HOLIDAYS: Final = (
    ("Admission Day (September 9)", "a state holiday that CCP 135 excepts"),
    ("Columbus Day (second Monday in October)", "excepted from CCP 135 by AB 855 (2021)"),
    ("Lunar New Year", "a state holiday that CCP 135 excepts"),
    ("Genocide Remembrance Day (April 24)", "a state holiday that CCP 135 excepts"),
    ("Diwali", "a state holiday that AB 268 (2025) makes no judicial holiday"),
    ("Good Friday", "a holiday from noon to 3 p.m. only (Gov. Code 6700(a)): not a full day"),
)


class CalendarInputError(ValueError):
    """A day the California calendar does not compute (outside ``SUPPORTED_YEARS``)."""


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    if nth > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    last = dt.date(year + month // 12, month % 12 + 1, 1) - ONE_DAY
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _nominal(rule: tuple[object, ...], year: int) -> dt.date:
    kind = rule[0]
    if kind == "date":
        return dt.date(year, int(rule[1]), int(rule[2]))  # type: ignore[call-overload]
    if kind == "nth":
        return _nth_weekday(year, int(rule[1]), int(rule[2]), int(rule[3]))  # type: ignore[call-overload]
    return _nth_weekday(year, 11, 3, 4) + ONE_DAY


def _observed(day: dt.date) -> dt.date:
    """Rule 1.11: Saturday -> the Friday before, Sunday -> the Monday after."""
    if day.weekday() == 5:
        return day - ONE_DAY
    if day.weekday() == 6:
        return day + ONE_DAY
    return day


@lru_cache(maxsize=64)
def judicial_holidays(year: int) -> Mapping[dt.date, Holiday]:
    """The CCP 135 holidays kept by the courts in `year` (weekday observances only).

    A holiday of the next year observed in this one (New Year's Day on a Saturday is kept
    on the Friday, December 31) is included; Saturdays and Sundays themselves are not listed
    (``is_holiday`` covers them)."""
    if year not in SUPPORTED_YEARS:
        raise CalendarInputError(
            f"the California judicial calendar is computed for {SUPPORTED_YEARS.start}-"
            f"{SUPPORTED_YEARS.stop - 1} only, not {year}")
    days: dict[dt.date, Holiday] = {}
    for nominal_year in (year - 1, year, year + 1):
        for name, citation, rule, since in _RULES:
            if nominal_year < since:
                continue
            nominal = _nominal(rule, nominal_year)
            kept = _observed(nominal)
            if kept.year != year:
                continue
            if kept != nominal:
                days[kept] = Holiday(name=f"{name}, observed", citation=f"{citation}; {RULE_1_11}")
            else:
                days.setdefault(kept, Holiday(name=name, citation=citation))
    return MappingProxyType(dict(sorted(days.items())))


def holiday_reason(day: dt.date, extra_holidays: Collection[dt.date] = ()) -> str | None:
    """Why `day` is a holiday under CCP 12a (with its citation), or None for a court day."""
    holiday = judicial_holidays(day.year).get(day)
    if holiday is not None:
        return f"{holiday.name} ({holiday.citation})"
    if day.weekday() == 5:
        return f"a Saturday ({CCP135}; Cal. Code Civ. Proc. 12a)"
    if day.weekday() == 6:
        return f"a Sunday ({GOV6700})"
    if day in extra_holidays:
        return "a day the court was closed, as recorded for the court"
    return None


def is_court_day(day: dt.date, extra_holidays: Collection[dt.date] = ()) -> bool:
    return holiday_reason(day, extra_holidays) is None


def next_court_day(day: dt.date, extra_holidays: Collection[dt.date] = ()) -> dt.date:
    """`day` itself when it is a court day, else the next one (CCP 12a)."""
    while not is_court_day(day, extra_holidays):
        day += ONE_DAY
    return day


def add_court_days(day: dt.date, count: int,
                   extra_holidays: Collection[dt.date] = ()) -> dt.date:
    """The `count`-th court day after `day` (`day` itself not counted)."""
    for _ in range(count):
        day = next_court_day(day + ONE_DAY, extra_holidays)
    return day


def previous_court_day(day: dt.date, extra_holidays: Collection[dt.date] = ()) -> dt.date:
    """`day` itself when it is a court day, else the court day before it."""
    while not is_court_day(day, extra_holidays):
        day -= ONE_DAY
    return day


def subtract_court_days(day: dt.date, count: int,
                        extra_holidays: Collection[dt.date] = ()) -> dt.date:
    """The `count`-th court day before `day` (`day` itself not counted)."""
    for _ in range(count):
        day = previous_court_day(day - ONE_DAY, extra_holidays)
    return day
