"""What each notification says, in words: pure, no database.

A notification tells that something happened and where to look, never what it says: the
words below name an event and, for a deadline, its last moment in the court's time zone.
Amounts, terms, bodies, filenames and document text have no way in, because nothing here
takes them: the only inputs are a kind, the case's caption and docket number (visible to
every member, and left out when the recipient asks for caption-less mail) and a due time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.kernel.timefmt import court_moment

LAST_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Kind:
    name: str
    headline: str  # the subject line and the first sentence, without the case
    action: str  # what the reader may do, and where
    # How a due time is said ("{when}" is replaced); ``exclusive`` when the time is the end
    # of a window that closes at midnight (its last minute, 11:59 pm, is what is said).
    due: str = "It is open until {when}."
    exclusive: bool = False
    # False for a notice that is itself legal service (a Rule 68 offer served through the
    # room): it always goes by e-mail, whatever the recipient's preferences.
    optional: bool = True
    # False for a mail about the account rather than a case (a password reset): its
    # headline names no case, and its link is not the room's.
    in_case: bool = True
    link_text: str = "Open the room"


RULE68_WINDOW = ("Open the room to read it. If it is not accepted in writing within 14 days "
                 "after service it is considered withdrawn (Fed. R. Civ. P. 68(a)-(b)). If "
                 "you are represented, talk to your lawyer.")

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("offer.received", "A settlement offer was made",
         "Open the room to read it; the receiving party's counsel (or the party acting "
         "without one) may accept, reject or counter it there."),
    Kind("offer.countered", "A counter-offer was made",
         "Open the room to read it; the earlier offer is closed."),
    Kind("offer.accepted", "A settlement offer was accepted",
         "Open the room to see the accepted offer and its memorandum."),
    Kind("offer.rejected", "A settlement offer was rejected",
         "Open the room to see the offer's status."),
    Kind("offer.withdrawn", "A settlement offer was withdrawn",
         "Open the room to see the offer's status."),
    Kind("rule68.served", "A Rule 68 offer of judgment was served on your side", RULE68_WINDOW,
         due="The last moment to accept is {when}.", exclusive=True, optional=False),
    Kind("offer.expired", "A settlement offer expired unanswered",
         "It can no longer be accepted. Open the room to see the thread; either side may "
         "make a new offer."),
    Kind("rule68.lapsed", "A Rule 68 offer of judgment lapsed unaccepted",
         "The 14 days to accept have run out, so the offer is considered withdrawn (Fed. R. "
         "Civ. P. 68(b)). Evidence of it is admissible only in a proceeding to determine "
         "costs; if the judgment finally obtained is not more favorable than the offer, the "
         "offeree pays the costs incurred after it was made (Fed. R. Civ. P. 68(d)). If you "
         "are represented, talk to your lawyer."),
    Kind("rule68.accepted", "A Rule 68 offer of judgment was accepted",
         "Open the room to see the acceptance; either party may now file the offer, the "
         "notice of acceptance and proof of service (Fed. R. Civ. P. 68(a))."),
    Kind("ccp998.served", "A section 998 offer to compromise was served on your side",
         "Open the room to read it. If it is not accepted before trial or within 30 days "
         "after it was made (plus the time the manner of service adds) it is deemed "
         "withdrawn (Cal. Code Civ. Proc. 998(b)(2)); the side that made it may revoke it "
         "until it is accepted. If you are represented, talk to your lawyer.",
         due="The last moment to accept is {when}.", exclusive=True, optional=False),
    Kind("ccp998.accepted", "A section 998 offer to compromise was accepted",
         "Open the room to see the signed acceptance; the offer and acceptance may now be "
         "filed and judgment entered (Cal. Code Civ. Proc. 998(b)(1))."),
    Kind("ccp998.revoked", "A section 998 offer to compromise was revoked",
         "It can no longer be accepted. Open the room to see its status."),
    Kind("ene.scheduled", "An Early Neutral Evaluation session was scheduled",
         "Open the room for the session's details and the written statements' due date.",
         due="The session begins at {when}."),
    Kind("ene.session_moved", "An Early Neutral Evaluation session was moved",
         "Open the room for the session's new date and the written statements' due date.",
         due="The session now begins at {when}."),
    Kind("ene.message", "A new message was posted in an ENE channel you read",
         "Open the session in the room to read it."),
    Kind("ene.released", "An ENE message or statement was released to your side",
         "Open the session in the room to read it."),
    Kind("ene.evaluation_shared", "The evaluator shared the evaluation with your side",
         "Open the session in the room to read it."),
    Kind("invitation", "You are invited to a seat in a settlement room",
         "Open the link below to see who invites you, to which seat, and to accept or "
         "decline. No seat exists until you accept; the link works once. If you did not "
         "expect this invitation, decline it or let it expire.",
         due="The invitation expires at {when}."),
    Kind("password_reset", "Reset your settleroom password",
         "Someone, probably you, asked to reset the password of the settleroom account of "
         "this address. Open the link below to choose a new password; it works once. Your "
         "other sessions end when you do, and a second factor, if you set one up, stays. If "
         "you did not ask, ignore this mail: your password stays as it is.",
         due="The link works until {when}.", optional=False, in_case=False,
         link_text="Choose a new password"),
    Kind("password_reset.no_account", "A settleroom password reset was asked for this address",
         "Someone asked to reset the password of a settleroom account of this address, but "
         "no account uses it. If you expected one, ask the person who invited you, or the "
         "platform administrator, which address it uses. If you did not ask, ignore this "
         "mail.", optional=False, in_case=False, link_text="Open settleroom"),
    Kind("member.seated", "You were given a seat in a settlement room",
         "Open the room's members page to see your seat. If you did not expect it, you may "
         "leave the room there."),
    Kind("member.added", "A member joined your party in the room",
         "Open the room's members page to see who sits for your party now."),
    Kind("member.removed", "A member of your party left or was removed from the room",
         "Open the room's members page to see who sits for your party now."),
    Kind("document.shared", "A document was shared with your side",
         "Open the room's documents to see it; each download is your own marked copy."),
    Kind("reminder.rule68", "Reminder: a Rule 68 offer of judgment served on your side is "
         "open", RULE68_WINDOW, due="The last moment to accept is {when}.", exclusive=True),
    Kind("reminder.offer", "Reminder: a settlement offer to your side is open",
         "Open the room to read it and to accept, reject or counter it before it expires."),
    Kind("reminder.statement", "Reminder: your side's written ENE statement is due",
         "Open the session in the room to submit it; a late statement is marked late.",
         due="It is due by the end of the day: {when}.", exclusive=True),
    Kind("protective_order.entered", "A protective order was recorded in the room",
         "Open the room's protective order page to read it. Before you open a designated "
         "document you sign its Acknowledgment and Agreement to Be Bound (Exhibit A) there; "
         "a replaced order needs a new acknowledgment."),
    Kind("designation.challenged", "A designation of your side's document was challenged",
         "Open the room's protective order page for the challenge, the day by which the "
         "parties begin to meet and confer, and the day by which your side moves to retain "
         "the designation; without a motion by then it may be treated as withdrawn.",
         due="The last day to move to retain the designation is {when}.", exclusive=True),
    Kind("document.clawed_back", "A document your side received was clawed back",
         "Stop using it now: sequester or destroy every copy you hold and do not disclose "
         "it (Fed. R. Civ. P. 26(b)(5)(B)), then certify it on the room's protective order "
         "page.", due="Certify by {when}.", exclusive=True),
)}


def due_words(due_at: datetime, court_timezone: str) -> str:
    """``11:59 pm Pacific Standard Time, Monday, December 14, 2026 (America/Los_Angeles)``."""
    return f"{court_moment(due_at, court_timezone)} ({court_timezone})"


def case_words(caption: str | None, docket_number: str | None) -> str:
    """How the case is named in a message: caption and docket, or nothing if hidden."""
    if not caption:
        return "one of your cases"
    return f"{caption} ({docket_number})" if docket_number else caption


def headline(kind: Kind, case: str) -> str:
    return f"{kind.headline} in {case}" if kind.in_case else kind.headline


def due_sentence(kind: Kind, due_at: datetime | None, court_timezone: str) -> str | None:
    """``due_at`` in words, in the court's time zone, as the kind says it."""
    if due_at is None:
        return None
    moment = due_at - LAST_MINUTE if kind.exclusive else due_at
    return kind.due.format(when=due_words(moment, court_timezone))
