"""Section 998 in plain words, for people without a lawyer and for clients: the last moment
to accept, what doing nothing means, who may make such an offer and what a party who cannot
may do instead, and "talk to your lawyer" for a represented client.

Pure; shares the wording helpers of the Rule 68 plain words (``last_moment``, the counsel
sentence). Amounts and terms are never part of the words (they reach notices and pages).
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from app.rule68.plain import TALK_TO_COUNSEL, last_moment

WHO_MAY_OFFER: Final = (
    "Who may make such an offer: any party to the case may make a section 998 offer to any "
    "other party, served at least 10 days before trial (Code Civ. Proc. 998(b)). A party "
    "who cannot, because trial is less than 10 days away, may still make an ordinary "
    "settlement offer (the Settlement offers tab) or ask the court for a settlement "
    "conference.")
IF_NOTHING: Final = (
    "If you do nothing, the offer is treated as withdrawn at that moment. If you then go "
    "on and do not get a better result at trial than this offer, you can lose some of your "
    "costs and have to pay some of the other side's (Code Civ. Proc. 998(c)-(e)).")
MAY_BE_REVOKED: Final = (
    "The side that made the offer may take it back at any time until it is accepted.")


def plain_words(*, status: str, last_day: dt.date, zone: str, cut_by_trial: bool,
                represented_client: bool) -> list[str]:
    """The sentences shown with a 998 offer, in reading order."""
    moment = last_moment(last_day, zone)
    if status == "accepted":
        words = ["This offer was accepted. The offer and the signed acceptance may now be "
                 "filed with the court, and the clerk then enters judgment (998(b)(1))."]
    elif status == "open":
        before = " (trial starts the next day)" if cut_by_trial else ""
        words = [f"Last moment to accept: by {moment}{before}. Accepting means signing a "
                 "statement that the offer is accepted.", IF_NOTHING, MAY_BE_REVOKED]
    elif status == "revoked":
        words = ["The side that made this offer took it back before it was accepted; it can "
                 "no longer be accepted."]
    else:
        words = [f"The time to accept ended at {moment}; the offer is now treated as "
                 "withdrawn (998(b)(2)) and can no longer be accepted."]
    words.append(WHO_MAY_OFFER)
    if represented_client:
        words.append(TALK_TO_COUNSEL)
    return words


def explanation_line(last_day: dt.date, zone: str) -> str:
    return f"In plain words: the offer can be accepted until {last_moment(last_day, zone)}."
