"""Rule 68 in plain words, for people without a lawyer and for clients: the last moment to
accept, what doing nothing means, who may make such an offer and what a party who cannot
may do instead, and "talk to your lawyer" for a represented client.

Pure: dates, zone names and flags in, sentences out. The words say what the rule says and
no more; amounts and terms are never part of them (they also reach notices and pages).
"""

from __future__ import annotations

import datetime as dt
from typing import Final
from zoneinfo import ZoneInfo

ZONE_WORDS: Final[dict[str, str]] = {
    "America/New_York": "Eastern", "America/Detroit": "Eastern",
    "America/Indiana/Indianapolis": "Eastern", "America/Kentucky/Louisville": "Eastern",
    "America/Chicago": "Central", "America/Denver": "Mountain", "America/Boise": "Mountain",
    "America/Phoenix": "Arizona", "America/Los_Angeles": "Pacific",
    "America/Anchorage": "Alaska", "Pacific/Honolulu": "Hawaii",
    "America/Puerto_Rico": "Atlantic", "America/St_Thomas": "Atlantic",
    "Pacific/Guam": "Chamorro", "Pacific/Saipan": "Chamorro",
}

WHO_MAY_OFFER: Final = (
    "Who may make such an offer: only a party defending against a claim, served at least 14 "
    "days before trial (FRCP 68(a)). A party who cannot, such as the party bringing the "
    "claim, may instead make an ordinary settlement offer (the Settlement offers tab) or ask "
    "the court for a settlement conference (FRCP 16).")
IF_NOTHING: Final = (
    "If you do nothing, the offer lapses at that moment. If you then go on and the judgment "
    "you finally win is not more than this offer, you pay the other side's costs from the "
    "day of the offer (FRCP 68(d)).")
TALK_TO_COUNSEL: Final = (
    "You have a lawyer in this case: talk to your lawyer before you decide. Only your lawyer "
    "can accept this offer for you.")


def zone_word(zone: str, on: dt.date) -> str:
    """"Pacific", "Eastern", ...; else the zone's abbreviation on that day."""
    if zone in ZONE_WORDS:
        return ZONE_WORDS[zone]
    noon = dt.datetime.combine(on, dt.time(12), tzinfo=ZoneInfo(zone))
    return noon.tzname() or zone


def last_moment(deadline: dt.date, zone: str) -> str:
    """E.g. "11:59 pm Pacific, Monday, December 14": the last minute of the last day."""
    return f"11:59 pm {zone_word(zone, deadline)}, {deadline:%A, %B} {deadline.day}"


def plain_words(*, status: str, deadline: dt.date, zone: str,
                represented_client: bool) -> list[str]:
    """The sentences shown with an offer, in reading order."""
    moment = last_moment(deadline, zone)
    if status == "accepted":
        words = ["This offer was accepted. Either side may now file it with the notice of "
                 "acceptance and proof of service, and the clerk then enters judgment."]
    elif status == "open":
        words = [f"Last moment to accept: by {moment}. Accepting means serving a written "
                 "notice of acceptance on the side that made the offer by then.", IF_NOTHING]
    else:
        words = [f"The time to accept ended at {moment}; the offer is now considered "
                 "withdrawn (FRCP 68(b)). A notice of acceptance mailed or delivered before "
                 "then still counts once it is recorded."]
    words.append(WHO_MAY_OFFER)
    if represented_client:
        words.append(TALK_TO_COUNSEL)
    return words


def explanation_line(deadline: dt.date, zone: str) -> str:
    """The plain-words line added to the end of the deadline explanation."""
    return f"In plain words: the offer can be accepted until {last_moment(deadline, zone)}."
