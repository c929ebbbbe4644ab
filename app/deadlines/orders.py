"""Court-ordered and stipulated deadlines and FRCP 6(b) extensions: the law, pure.

No database, no clock. Decides whether an order may be recorded at all (FRCP 6(b)(2)),
which branch of 6(b)(1) it rests on, what last day results and the line every page
shows for it ("extended to ... by order of <date>, ECF No. 42").

Invariants:
- an extension of the time to act under Rules 50(b) or (d), 52(b), 59(b), (d) or (e) or
  60(b) is refused: FRCP 6(b)(2) forbids it, whatever the order says, so recording it
  would put a deadline on the page that no court can grant;
- an order replaces a deadline only with a later one: a shorter time is not an
  "extension" under 6(b) and the room does not let a record shorten a party's time;
- `extra_days` counts as a period under FRCP 6(a)(1) from the deadline it extends (the
  old last day excluded, a weekend or legal holiday at the end moving it forward); a
  `new_deadline` is the court's own date, not a period, and is never moved: the
  explanation says when it falls on a Saturday, Sunday or legal holiday;
- the order's date and docket source appear in every line shown; nothing confidential
  (amounts, terms) is ever part of an order record.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final, Literal

from app.deadlines.rules import Deadline

OrderKind = Literal["court_order", "stipulation", "extension_6b"]
KIND_WORDS: Final = {"court_order": "by order of the court of",
                     "stipulation": "by the parties' stipulation of",
                     "extension_6b": "by order under FRCP 6(b) of"}

# FRCP 6(b)(2): "A court must not extend the time to act under Rules 50(b) and (d),
# 52(b), 59(b), (d), and (e), and 60(b)."
_NOT_EXTENDABLE: Final = frozenset({("50", "b"), ("50", "d"), ("52", "b"), ("59", "b"),
                                    ("59", "d"), ("59", "e"), ("60", "b")})
_RULE_REF: Final = re.compile(
    r"(?:\brule|\bfrcp|\bfed\.?\s*r\.?\s*civ\.?\s*p\.?|\bf\.?\s*r\.?\s*c\.?\s*p\.?)\s*"
    r"(?P<rule>\d{1,2})\s*\(\s*(?P<sub>[a-z])\s*\)",
    re.IGNORECASE)

RULE68_PREFIX: Final = "rule68:"
RULE68_SPLIT: Final = (
    "Courts are divided on whether FRCP 6(b) lets a court extend Rule 68's 14 days: some "
    "treat the time to accept like any other time the Rules set, others hold that an offer "
    "of judgment is the offeror's to keep open and decline to extend it; the order of "
    "record is what the room counts"
)


class OrderRefused(ValueError):
    """An order the room will not record; `code` is the stable machine word."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def forbidden_extension(*texts: str | None) -> str | None:
    """The first rule named in `texts` whose time FRCP 6(b)(2) forbids extending, as
    "Rule 59(e)", or None."""
    for text in texts:
        for match in _RULE_REF.finditer(text or ""):
            pair = (match["rule"], match["sub"].lower())
            if pair in _NOT_EXTENDABLE:
                return f"Rule {pair[0]}({pair[1]})"
    return None


def check_extendable(kind: OrderKind, applies_to: str, rule: str | None) -> None:
    """Refuse an order extending a time FRCP 6(b)(2) puts beyond any court's power.

    A court order setting such a deadline is refused too: whatever its label, a later last
    day for a 59(e) motion is an extension no court can make."""
    named = forbidden_extension(rule, applies_to)
    if named is not None:
        raise OrderRefused(
            f"FRCP 6(b)(2): a court must not extend the time to act under Rules 50(b) and (d), "
            f"52(b), 59(b), (d) and (e), and 60(b); this order names {named}.",
            "time_not_extendable")


@dataclass(frozen=True)
class Effect:
    """What an order does to a deadline: the last day, when it ends, the lines shown."""

    deadline: dt.date
    ends_at: dt.datetime
    explanation: list[str]


def _who(kind: OrderKind, order_date: dt.date, source: str) -> str:
    return f"{KIND_WORDS[kind]} {order_date.isoformat()}, {source}"


def branch_6b(kind: OrderKind, order_date: dt.date, base: dt.date | None) -> str:
    """Which part of FRCP 6(b)(1) the extension rests on, from the order's date."""
    if kind == "stipulation":
        return ("A stipulation extends time only as far as the court's rules let parties "
                "agree without an order (FRCP 6(b)(1); FRCP 29 for discovery; the "
                "district's local rule); otherwise the court's approval governs")
    if base is None or order_date <= base:
        return "Extended before the time expired: FRCP 6(b)(1)(A), for good cause"
    return ("Extended after the time expired: FRCP 6(b)(1)(B), on motion, for excusable "
            "neglect")


def effect(kind: OrderKind, *, order_date: dt.date, source: str, base: dt.date | None,
           computed: Deadline | None, new_deadline: dt.date | None, weekend_or_holiday:
           str | None, ends_at: dt.datetime, is_rule68: bool) -> Effect:
    """The lines shown for an order, given the resulting last day.

    `computed` is the FRCP 6(a) count of `extra_days` from `base` (when the order adds
    days); otherwise `new_deadline` is the court's own date and `weekend_or_holiday` says
    why that date is not a day to act on, when it is one.
    """
    if computed is not None:
        last = computed.date
        lines = [f"Extended to {last.isoformat()} {_who(kind, order_date, source)}",
                 *computed.explanation]
    else:
        assert new_deadline is not None
        last = new_deadline
        verb = "Extended" if base is not None else "Set"
        lines = [f"{verb} to {last.isoformat()} {_who(kind, order_date, source)}"]
        if weekend_or_holiday is not None:
            lines.append(f"{last.isoformat()} is {weekend_or_holiday}: a date the court "
                         "sets is not a period FRCP 6(a) computes, so it is not moved; "
                         "electronic filing stays open until midnight that day "
                         "(FRCP 6(a)(4)(A))")
    if base is not None:
        lines.append(f"The deadline before this order was {base.isoformat()}")
    lines.append(f"{branch_6b(kind, order_date, base)}")
    if is_rule68:
        lines.append(RULE68_SPLIT)
    return Effect(deadline=last, ends_at=ends_at, explanation=lines)
