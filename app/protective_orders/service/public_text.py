"""Public text of a case: court orders, opinions, rules and a party's own public filings that
the filing guard must not flag (issue #18 item 5). ``POST /cases/{id}/public-texts``.

Threats:
- a member registers another party's protected passage as "public" to blind the guard.
  A registered text counts only in the filing checks and paper checks requested by members
  of the party it was registered for (``public_text_parties``): a party can blind only its
  own guard, and every other party's checks still find the passage. Every registration and
  removal is an audit event naming the text's id, SHA-256 and party (never its words, title
  or citation), so a court can see what a party called public and when;
- a file is untrusted like any upload: it is read by the draft reader
  (``app.protective_orders.drafts``: content-typed, PDFs parsed in the limited worker,
  DOCX bounded, page images read by OCR);
- the text, title and citation could still say something about a party's strategy: they are
  sealed under the case key (destroyed with it) and shown to the case's counsel, pro se
  parties and room admins only, never in audit details, logs, errors or mails.

Invariants: only counsel or a pro se party registers, for a party it speaks for; the member
who added a text, or a room admin, removes it; the room keeps the text read from the file,
not the file, and the file's SHA-256.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.audit.service import record
from app.authz import policy_protective_orders as pol
from app.authz.policy import Denial
from app.context import CaseContext
from app.documents.multipart import Form, TextOrForm
from app.errors import AppError, Invalid, NotFound
from app.kernel import shingles as sh
from app.models.protective_orders import (
    PUBLIC_TEXT_LABEL_OBJECT_TYPE,
    PUBLIC_TEXT_OBJECT_TYPE,
    PublicText,
)
from app.protective_orders import repository as repo
from app.protective_orders.drafts import read_draft
from app.protective_orders.schemas import PublicTextFields, PublicTextRead
from app.refusals import refuse, refuse_unless
from app.runtime import Services
from app.sealing import open_bytes, open_json, seal_bytes, seal_json

ADD = "public_text.add"
REMOVE = "public_text.remove"
OBJECT = "public_text"


class PublicTextNotFound(NotFound):
    code = "public_text_not_found"


@dataclass(frozen=True)
class ReadText:
    text: str
    sha256: str
    kind: str


def _from_file(form: Form, svc: Services) -> ReadText:
    files = form.files_named("file")
    if len(files) != 1 or len(form.files) != 1:
        raise Invalid("Send exactly one file part named file.", code="file_required")
    draft = read_draft(TextOrForm(form=form), svc)
    return ReadText("\n\n".join(p.text for p in draft.pages), files[0].sha256, draft.kind)


def _read(session: Session, ctx: CaseContext, svc: Services, text: str | None,
          form: Form | None) -> ReadText:
    try:
        if form is not None:
            got = _from_file(form, svc)
        else:
            assert text is not None
            got = ReadText(text, hashlib.sha256(text.encode()).hexdigest(), "text")
        if len(sh.words(got.text)) < sh.K:
            raise Invalid(f"The public text has fewer than {sh.K} words: it would change "
                          "nothing.", code="public_text_too_short")
    except AppError as exc:  # bad files are audited refusals like any other
        refuse(session, ctx, ADD, OBJECT, None, exc)
    return got


def _seal(svc: Services, row: PublicText, fields: PublicTextFields, text: str) -> None:
    binding = {"case_id": row.case_id, "object_id": row.id}
    row.label_sealed = seal_json(svc.key_provider, {"title": fields.title.strip(),
                                                    "citation": fields.citation.strip()},
                                 object_type=PUBLIC_TEXT_LABEL_OBJECT_TYPE, **binding)
    row.text_sealed = seal_bytes(svc.key_provider, object_type=PUBLIC_TEXT_OBJECT_TYPE,
                                 plaintext=text.encode(), **binding)


def _read_model(svc: Services, row: PublicText) -> PublicTextRead:
    label = open_json(svc.key_provider, row.label_sealed, case_id=row.case_id,
                      object_type=PUBLIC_TEXT_LABEL_OBJECT_TYPE, object_id=row.id)
    return PublicTextRead(id=row.id, party_id=row.party_id, title=label["title"],
                          citation=label["citation"], sha256=row.sha256, kind=row.kind,
                          words=row.words, added_by=row.added_by, created_at=row.created_at)


def add_public_text(session: Session, ctx: CaseContext, svc: Services, *,
                    fields: PublicTextFields, text: str | None = None,
                    form: Form | None = None) -> PublicTextRead:
    party = pol.registering_party(ctx.memberships, fields.party_id)
    if isinstance(party, Denial):
        refuse(session, ctx, ADD, OBJECT, None, party)
    assert isinstance(party, uuid.UUID)
    got = _read(session, ctx, svc, text, form)
    row = PublicText(id=uuid.uuid4(), case_id=ctx.case_id, party_id=party,
                     added_by=ctx.user_id, sha256=got.sha256, kind=got.kind,
                     words=len(sh.words(got.text)), created_at=svc.now())
    _seal(svc, row, fields, got.text)
    repo.add(session, row)
    record(session, ctx, ADD, OBJECT, row.id, {
        "public_text_id": row.id, "public_text_sha256": row.sha256, "party_id": party,
        "kind": row.kind, "words": row.words}, party_id=party)
    return _read_model(svc, row)


def list_public_texts(session: Session, ctx: CaseContext, svc: Services
                      ) -> list[PublicTextRead]:
    return [_read_model(svc, row) for row in repo.public_texts(session, ctx.case_id)]


def remove_public_text(session: Session, ctx: CaseContext, *,
                       public_text_id: uuid.UUID) -> None:
    row = repo.public_text(session, ctx.case_id, public_text_id)
    if row is None:
        refuse(session, ctx, REMOVE, OBJECT, public_text_id, PublicTextNotFound(
            "No such public text in this case."))
    refuse_unless(session, ctx, REMOVE, OBJECT, row.id,
                  pol.can_remove_public_text(ctx.user_id, ctx.memberships, row.added_by))
    record(session, ctx, REMOVE, OBJECT, row.id, {
        "public_text_id": row.id, "public_text_sha256": row.sha256, "party_id": row.party_id},
        party_id=row.party_id)
    session.delete(row)
    session.flush()


def public_texts_for(session: Session, ctx: CaseContext, svc: Services) -> list[str]:
    """The registered public text that counts in this member's checks: its own parties'."""
    parties = pol.public_text_parties(ctx.memberships)
    return [open_bytes(svc.key_provider, row.text_sealed, case_id=row.case_id,
                       object_type=PUBLIC_TEXT_OBJECT_TYPE, object_id=row.id).decode()
            for row in repo.public_texts(session, ctx.case_id, parties=parties)]
