"""Pure rules of Rule 68 as practiced: who 68(c) covers, how service and acceptance made
outside the room are recorded, which consents the rules ask for, and the warnings an offer
carries. Plain values in and out; the clock is a parameter.

Invariants:
- 68(c) lets "the party held liable" serve an offer after liability is determined; every
  other party, and a liable party offering on claims the determination does not cover,
  keeps the 68(a) limit of 14 days before trial;
- service by mail is complete on mailing, by leaving with the clerk on leaving, by other
  consented means on delivery to the agency designated to deliver (FRCP 5(b)(2)(C), (D),
  (F)): an acceptance mailed on the last day is timely, whenever it is recorded;
- a service date before the day it is recorded is flagged ``backdated`` for both sides and
  may lie at most ``MAX_BACKDATE_DAYS`` back, so that the room cannot be fed a date that
  nobody could check any more;
- written consent is asked only where FRCP 5(b)(2) asks for it: (E) electronic service on
  the person served, (F) other means on the person served; mail, hand delivery and leaving
  with the clerk need none, and the server never consents to its own service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Hashable
from typing import Final, Literal

AttorneyFees = Literal["included", "excluded", "silent"]
Consent = Literal["electronic", "other"]

MAX_BACKDATE_DAYS: Final = 30
"""How far back a service made outside the room may be dated when it is recorded. The window
to accept is 14 days (17 after service by mail); a month leaves room for a mailed acceptance
recorded once the mail arrives, and refuses dates nobody could still check."""

SERVICE_RULE: Final[dict[str, str]] = {
    "electronic": "FRCP 5(b)(2)(E)",
    "personal": "FRCP 5(b)(2)(A)-(B)",
    "mail": "FRCP 5(b)(2)(C)",
    "clerk": "FRCP 5(b)(2)(D)",
    "other": "FRCP 5(b)(2)(F)",
}

COMPLETE_ON: Final[dict[str, str]] = {
    "personal": "complete on handing it over or leaving it at the office or dwelling",
    "mail": "complete on mailing",
    "clerk": "complete on leaving it with the court clerk",
    "other": "complete on delivery to the agency designated to make delivery",
}


def liability_covers(
    offeror_party_id: Hashable,
    claim_id: Hashable | None,
    liable_party_ids: Collection[Hashable] | None,
    claim_ids: Collection[Hashable] | None,
) -> bool:
    """True iff the 68(c) determination covers an offer by `offeror_party_id` on `claim_id`.

    `liable_party_ids` None means every party defending a claim (rows recorded before the
    parties held liable were); `claim_ids` None or empty means every claim. An offer on the
    whole case (`claim_id` None) is covered only when the determination covers every claim.
    """
    if liable_party_ids is not None and offeror_party_id not in liable_party_ids:
        return False
    if not claim_ids:
        return True
    return claim_id is not None and claim_id in claim_ids


def consent_needed(method: str) -> Consent | None:
    """The written consent of the person served that a service method needs, if any."""
    if method == "electronic":
        return "electronic"
    if method == "other":
        return "other"
    return None


def is_backdated(served_on: dt.date, recorded_on: dt.date) -> bool:
    """Served on a court day before the court day the service is recorded."""
    return served_on < recorded_on


def too_far_back(served_on: dt.date, recorded_on: dt.date) -> bool:
    return (recorded_on - served_on).days > MAX_BACKDATE_DAYS


# --- warnings --------------------------------------------------------------------------

UNAPPORTIONED: Final = (
    "This joint offer does not say how much goes to each offeree. Courts have held that an "
    "unapportioned joint offer may not shift costs under Rule 68(d), because no offeree can "
    "tell whether its own judgment is more favorable (e.g. Gavoni v. Dobbs House, Inc., "
    "164 F.3d 1071 (7th Cir. 1999)). Serve a later offer with an amount per offeree to be sure."
)
FEES_SILENT: Final = (
    "The offer does not say whether attorney's fees are included. An ambiguous offer is read "
    "against the offeror (Nusom v. COMH Woodburn, Inc., 122 F.3d 830 (9th Cir. 1997)), and "
    "where the statute defines fees as part of costs an offer silent on fees may leave "
    "pre-offer fees to be awarded on top of the amount (Marek v. Chesny, 473 U.S. 1 (1985))."
)
NO_CERTIFICATE: Final = (
    "No certificate of service is on record for service made outside the room; a filing "
    "needs one (FRCP 5(d)(1)(B))."
)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def backdated_warning(what: str, served_at: dt.datetime, recorded_at: dt.datetime) -> str:
    return (f"{what} is dated {_utc(served_at)} but was recorded in the room on a later day, "
            f"{_utc(recorded_at)}: the date rests on the certificate of service, not on the "
            "room's clock.")


def offer_warnings(
    *,
    offeree_count: int,
    apportioned: bool,
    attorney_fees: str,
) -> list[tuple[str, str]]:
    """(code, text) warnings about the offer's own terms."""
    found: list[tuple[str, str]] = []
    if offeree_count > 1 and not apportioned:
        found.append(("unapportioned_joint_offer", UNAPPORTIONED))
    if attorney_fees == "silent":
        found.append(("attorney_fees_silent", FEES_SILENT))
    return found
