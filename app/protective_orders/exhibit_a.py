"""Exhibit A, the Acknowledgment and Agreement to Be Bound, as a PDF for the court.

Pure: values in, PDF bytes out. The page names the case, the signer's typed name, the
moment of signing in the court's time zone (and in UTC), the date the order was entered
and the SHA-256 of the exact text or PDF acknowledged, so that the court can tell which
order the signer agreed to when the order was later replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from app.kernel.papers import Caption, render_pdf


@dataclass(frozen=True)
class Signed:
    caption: str
    court: str
    docket_number: str
    court_timezone: str
    typed_name: str
    acknowledged_at: datetime
    entered_on: date
    order_sha256: str


def local_words(at: datetime, zone: str) -> str:
    """``December 14, 2026, 3:05 PM PST (America/Los_Angeles)``."""
    local = at.astimezone(ZoneInfo(zone))
    hour = local.strftime("%I:%M %p").lstrip("0")
    return f"{local:%B} {local.day}, {local:%Y}, {hour} {local.tzname()} ({zone})"


def render(signed: Signed) -> bytes:
    when = local_words(signed.acknowledged_at, signed.court_timezone)
    utc = signed.acknowledged_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    entered = f"{signed.entered_on:%B} {signed.entered_on.day}, {signed.entered_on:%Y}"
    return render_pdf(
        title="Exhibit A - Acknowledgment and Agreement to Be Bound",
        marking=None,
        caption=Caption(court=signed.court, title=signed.caption,
                        docket_number=signed.docket_number),
        sections=[
            ("Acknowledgment", [
                f"I, {signed.typed_name}, declare that I have read and understand the "
                f"protective order entered in this case on {entered}. I agree to comply "
                "with it and to be bound by it, and I understand that failing to comply "
                "may expose me to sanctions, including punishment for contempt of court.",
                "I will not disclose any information or item subject to the order to any "
                "person or entity except as the order allows. I submit to the jurisdiction "
                "of this court for the purpose of enforcing the order, even after this "
                "action ends.",
            ]),
            ("Signature", [
                f"Typed name (electronic signature): {signed.typed_name}",
                f"Signed: {when}",
                f"Signed (UTC): {utc}",
            ]),
            ("Order acknowledged", [
                f"Entered on: {entered}",
                f"SHA-256 of the order's text or PDF: {signed.order_sha256}",
            ]),
        ],
    )
