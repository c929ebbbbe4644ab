"""The auditor's view of a case's log: filters typed on the page turned into an
``EventFilter``, ids turned into the names the auditor may see, and the same listing as CSV
and as a PDF report.

Only metadata is ever shown or exported (ids, actions, outcomes, designations, hashes): the
log holds no confidential content, and names are those of the case's parties and members,
which every member of the case, the auditor included, already sees on the Members tab.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.audit.queries import EventFilter
from app.audit.schemas import AuditEventRead, TreeHeadRead
from app.authz.words import role_words
from app.cases import service as case_service
from app.kernel import papers
from app.web.render import court_time
from app.web.room import Room

MARKING = "CONFIDENTIAL - audit metadata of this case (no settlement content)"


@dataclass(frozen=True)
class Filters:
    """The filter form's values, as typed (kept to fill the form in again)."""

    person: uuid.UUID | None = None
    action: str | None = None
    document: str | None = None
    outcome: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def to_event_filter(self, tz: str) -> EventFilter:
        """Dates are whole days in the court's time zone, both ends included."""
        zone = ZoneInfo(tz)
        since = datetime.combine(self.date_from, time(0), zone) if self.date_from else None
        until = (datetime.combine(self.date_to + timedelta(days=1), time(0), zone)
                 if self.date_to else None)
        return EventFilter(actor_user_id=self.person, action=self.action,
                           object_id=self.document, outcome=self.outcome,
                           since=since, until=until)

    def query(self) -> dict[str, str]:
        """The filters as query parameters (for paging and the export links)."""
        values = {"person": self.person, "action": self.action, "document": self.document,
                  "outcome": self.outcome, "date_from": self.date_from,
                  "date_to": self.date_to}
        return {k: str(v) for k, v in values.items() if v}

    def described(self, names: dict[str, str]) -> list[str]:
        out = []
        if self.person:
            out.append(f"person: {names.get(str(self.person), str(self.person))}")
        for label, value in (("action", self.action), ("document", self.document),
                             ("outcome", self.outcome), ("from", self.date_from),
                             ("to", self.date_to)):
            if value:
                out.append(f"{label}: {value}")
        return out or ["none: every event of the case"]


# Detail keys whose value is a role: ``via`` says who gave a seat ("platform_admin").
ROLE_KEYS = frozenset({"role", "via"})


def _named(value: Any, names: dict[str, str]) -> str:
    if isinstance(value, list):
        return ", ".join(_named(v, names) for v in value)
    text = str(value)
    return names.get(text, text)


def details(event: AuditEventRead, names: dict[str, str]) -> list[tuple[str, str]]:
    """The event's details with party and member ids replaced by their names, and roles
    (a seat's, or who gave it) in words."""
    return [(key, role_words(str(value)) if key in ROLE_KEYS else _named(value, names))
            for key, value in event.details.items()]


def who(event: AuditEventRead, names: dict[str, str], room: Room) -> str:
    actor = names.get(str(event.actor_user_id), "unknown user") if event.actor_user_id else "-"
    if event.actor_party_id:
        actor += f" for {room.party_name(event.actor_party_id)}"
    return actor


CSV_COLUMNS = ["leaf_index", "case_seq", "time", "time_utc", "who", "action", "object_type",
               "object_id", "outcome", "details"]


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet would read as a formula is quoted as text (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_csv(events: Iterable[AuditEventRead], names: dict[str, str], room: Room) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in events:
        row = [str(e.leaf_index), str(e.case_seq or ""), court_time(e.timestamp, room.tz),
               e.timestamp.isoformat(), who(e, names, room), e.action, e.object_type,
               e.object_id or "", e.outcome,
               "; ".join(f"{k}={v}" for k, v in details(e, names))]
        writer.writerow([_csv_safe(cell) for cell in row])
    return out.getvalue()


def as_pdf(events: list[AuditEventRead], names: dict[str, str], room: Room,
           head: TreeHeadRead, filters: Filters) -> bytes:
    case = room.case
    lines = [f"#{e.leaf_index}"
             + (f" (no. {e.case_seq} of the case)" if e.case_seq else "")
             + f" - {court_time(e.timestamp, room.tz)} - {who(e, names, room)} - "
             + f"{e.action} ({e.object_type}) - {e.outcome}"
             + "".join(f"; {k}={v}" for k, v in details(e, names))
             for e in events]
    return papers.render_pdf(
        title="Audit report", marking=MARKING, caption=case_service.caption_of(case), sections=[
            ("Times", [f"In the court's time zone ({room.tz})."]),
            ("Signed log", [f"Tree size {head.tree_size}, root hash {head.root_hash}, "
                            f"signed {court_time(head.timestamp, room.tz)} by key "
                            f"{head.key_id}. Each event below was checked against its "
                            "hashed entry; the JSON bundle proves each one's inclusion "
                            "offline (settleroom audit verify-bundle)."]),
            ("Filters", filters.described(names)),
            (f"Events ({len(events)})", lines or ["No event matches."]),
        ])
