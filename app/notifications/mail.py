"""Composing a notification's e-mail: plain text and HTML, the case named in words, a link.

Nothing confidential can reach a mail: its only inputs are the notification (a kind, ids, a
link, a due time), the recipient's address and the case's caption, docket number and time
zone; a digest's lines are made of the same (``digests``). ``Message-ID`` is the outbox
row's id, so a mail sent twice after a crash is the same message to the recipient's mail
system.
"""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from app.notifications.digests import DigestLetter
from app.notifications.kinds import KINDS, case_words, due_sentence, headline

FOOTER = "This notice holds no terms and no content: they stay in the room."
DIGEST_FOOTER = ("You chose to receive these notices once a day; change it on your inbox "
                 "page. A Rule 68 offer served on you is always mailed at once.")
INBOX_PATH = "/notifications"


@dataclass(frozen=True)
class Letter:
    """Everything a mail is made of, loaded by the worker in one read."""

    mail_id: uuid.UUID
    to: str
    kind: str
    link: str
    due_at: datetime | None
    caption: str | None
    docket_number: str | None
    court_timezone: str


def message_id(mail_id: uuid.UUID, mail_from: str) -> str:
    """Stable per outbox row: a resent mail carries the same id."""
    domain = mail_from.rsplit("@", 1)[-1].strip(" >") or "settleroom.invalid"
    return f"<{mail_id}@{domain}>"


def sentences(letter: Letter) -> tuple[str, list[str]]:
    """The subject and the paragraphs of the mail, in words."""
    kind = KINDS[letter.kind]
    title = headline(kind, case_words(letter.caption, letter.docket_number))
    when = due_sentence(kind, letter.due_at, letter.court_timezone)
    return title, [f"{title}.", *([when] if when else []), kind.action]


def compose(letter: Letter, *, mail_from: str, public_url: str, now: datetime) -> EmailMessage:
    title, paragraphs = sentences(letter)
    url = public_url.rstrip("/") + letter.link
    msg = _headers(letter.mail_id, letter.to, title, mail_from=mail_from, now=now)
    msg.set_content("\n\n".join([*paragraphs, url, FOOTER]) + "\n")
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    msg.add_alternative(
        f"<!doctype html><html><body>{body}"
        f'<p><a href="{html.escape(url, quote=True)}">'
        f"{html.escape(KINDS[letter.kind].link_text)}</a></p>"
        f"<p>{html.escape(FOOTER)}</p></body></html>\n", subtype="html")
    return msg


def _headers(mail_id: uuid.UUID, to: str, subject: str, *, mail_from: str,
             now: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(mail_id, mail_from)
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def digest_subject(count: int) -> str:
    return ("Your daily summary: 1 update in your settlement rooms" if count == 1 else
            f"Your daily summary: {count} updates in your settlement rooms")


def compose_digest(letter: DigestLetter, *, mail_from: str, public_url: str,
                   now: datetime) -> EmailMessage:
    """One line per item, each already in words (``digests._lines``), and the inbox link."""
    url = public_url.rstrip("/") + INBOX_PATH
    intro = (f"What happened in your rooms, as of 8 am ({letter.zone}) on "
             f"{letter.day:%A, %B} {letter.day.day}, {letter.day:%Y}:")
    msg = _headers(letter.mail_id, letter.to, digest_subject(len(letter.lines)),
                   mail_from=mail_from, now=now)
    msg.set_content("\n\n".join([intro, "\n".join(f"- {line}" for line in letter.lines),
                                  f"Open your inbox: {url}", DIGEST_FOOTER, FOOTER]) + "\n")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in letter.lines)
    msg.add_alternative(
        f"<!doctype html><html><body><p>{html.escape(intro)}</p><ul>{items}</ul>"
        f'<p><a href="{html.escape(url, quote=True)}">Open your inbox</a></p>'
        f"<p>{html.escape(DIGEST_FOOTER)}</p><p>{html.escape(FOOTER)}</p></body></html>\n",
        subtype="html")
    return msg
