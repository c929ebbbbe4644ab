"""Documents, their versions, per-recipient downloads and the per-case watermark channels.

Invariants:
- Content never sits in a column in clear: the file bytes are a STREAM ciphertext file
  named by the version id under ``data_dir/blobs/<case_id>/``; the row keeps only its
  stream header. Both the original and the displayed filename live in ``names_sealed``.
- A version row is inserted only after its ciphertext file exists (a failed request can
  leave an orphan file, swept by ``app.documents.sweep``, never a row without a file).
- A download points at the exact version it received; a new version never changes it.
- The per-download code is a secret (every watermark bit derives from it): sealed under
  the case key. The tag printed on the copy is an HMAC of it and may stay in clear.
- A folder's path is content (it can say what the documents in it are): sealed, with a
  keyed MAC of it (``content_mac``) only to keep a party's paths unique.
- A produced version is produced once; its pages carry the Bates numbers
  ``first_number .. first_number + page_count - 1`` of its production, and a produced
  document cannot be deleted (``RESTRICT``), so a production index never loses a row.
- A deleted document leaves a tombstone naming no file: ids, designation, who and when.
- What a trace reads instead of the original (``app.documents.analysis``): a version's text
  layer, sealed under the case key like its content, and the anchors of its text, keyed
  hashes under a key derived from the case key. Anchor rows and counts reveal nothing
  without that key; they are deleted with the case's keys (``register_keyed``).
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.models.base import METADATA, TYPE_ANNOTATION_MAP, CreatedMixin, IdMixin
from app.sealing import SealedColumn, register_keyed, register_sealed

NAMES_OBJECT_TYPE = "document_version.names"
CONTENT_OBJECT_TYPE = "document_version.content"
CODE_OBJECT_TYPE = "document_download.code"
FOLDER_OBJECT_TYPE = "document_folder.path"
LAYER_OBJECT_TYPE = "document_version.text_layer"



class DocumentsBase(DeclarativeBase):
    """The registry of this aggregate's mappers (``app.models.base.Base`` says why)."""

    metadata = METADATA
    type_annotation_map = TYPE_ANNOTATION_MAP


class Document(IdMixin, CreatedMixin, DocumentsBase):
    __tablename__ = "documents"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    uploader_party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    designation: Mapped[str] = mapped_column(String(20))  # CONFIDENTIAL | AEO | ENE
    audience_all: Mapped[bool] = mapped_column(default=False)
    # Party ids (strings) when not ``audience_all``.
    audience_party_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    ene_session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("ene_sessions.id"), default=None
    )
    current_version: Mapped[int] = mapped_column(default=1)
    folder_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("document_folders.id", ondelete="SET NULL"), default=None, index=True
    )


class DocumentFolder(IdMixin, CreatedMixin, DocumentsBase):
    """A party's folder in the case's document room; ``path`` segments are separated by
    "/". Who sees its path: see ``app.authz.policy_documents.can_see_folder``."""

    __tablename__ = "document_folders"
    __table_args__ = (UniqueConstraint("case_id", "party_id", "path_mac"),)

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    path_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    path_mac: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class Production(IdMixin, CreatedMixin, DocumentsBase):
    """A numbered production by one party: Bates numbers ``first_number..last_number``
    under ``prefix``; a party's numbers continue across its productions in the case."""

    __tablename__ = "document_productions"
    __table_args__ = (UniqueConstraint("case_id", "party_id", "first_number"),)

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    prefix: Mapped[str] = mapped_column(String(20))
    first_number: Mapped[int]
    last_number: Mapped[int]
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class ProductionItem(IdMixin, DocumentsBase):
    __tablename__ = "production_items"
    __table_args__ = (UniqueConstraint("version_id"),
                      UniqueConstraint("production_id", "position"))

    production_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("document_productions.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="RESTRICT"), index=True
    )
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("document_versions.id", ondelete="RESTRICT")
    )
    position: Mapped[int]
    first_number: Mapped[int]
    page_count: Mapped[int]


class DocumentTombstone(DocumentsBase):
    """What remains of a deleted document: never a name, never content."""

    __tablename__ = "document_tombstones"

    document_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    uploader_party_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parties.id"))
    designation: Mapped[str] = mapped_column(String(20))
    versions: Mapped[int]
    uploaded_at: Mapped[datetime]
    deleted_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[datetime]


class DocumentVersion(IdMixin, CreatedMixin, DocumentsBase):
    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "version"),)

    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    media_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    names_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    stream_header: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class DocumentDownload(IdMixin, DocumentsBase):
    __tablename__ = "document_downloads"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("document_versions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    party_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("parties.id"), default=None)
    role: Mapped[str] = mapped_column(String(20))
    downloaded_at: Mapped[datetime]
    client_address: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(300), default=None)
    code_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    tag: Mapped[str] = mapped_column(String(32), index=True)
    channels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The scheme the copy's PDF text layer was marked with (app.watermark.model.MARK_SCHEMES):
    # rows from before revision 0029 are scheme 1; the download service writes its MarkSpec's.
    mark_scheme: Mapped[int] = mapped_column(SmallInteger, server_default="1")


class DocumentAnalysis(DocumentsBase):
    """A version's text layer (``app.watermark.textlayer``), sealed, and how many words its
    text has: stored once (at upload, or for a version stored before the trace index by the
    first trace that needed it), read by traces in place of the decrypted original."""

    __tablename__ = "document_analyses"

    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("document_versions.id", ondelete="CASCADE"), primary_key=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    # Before the blob: a trace reads the word count of every version in its scope, and
    # SQLite reads a row's columns in order (a blob past the page costs overflow reads).
    words: Mapped[int]
    layer_sealed: Mapped[bytes] = mapped_column(LargeBinary)


class DocumentAnchor(DocumentsBase):
    """One anchor of a version's text: a keyed 64-bit hash of a run of words (see
    ``app.documents.analysis``). A trace looks its own anchors up here, in one query."""

    __tablename__ = "document_anchors"
    __table_args__ = (Index("ix_document_anchors_lookup", "case_id", "anchor", "version_id"),)

    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("document_versions.id", ondelete="CASCADE"), primary_key=True
    )
    anchor: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))


class DocumentAnchorCount(DocumentsBase):
    """How many versions of the case hold an anchor: a trace looks up its rarest anchors
    first, so the phrases every document shares cost nothing."""

    __tablename__ = "document_anchor_counts"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    anchor: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    versions: Mapped[int]


class CaseWatermarkSetting(DocumentsBase):
    """Invisible channels a case's downloads carry; no row means every channel."""

    __tablename__ = "case_watermark_settings"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    channels: Mapped[list[Any]] = mapped_column(JSON, default=list)
    updated_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]


register_sealed(SealedColumn(
    model=DocumentVersion, column="names_sealed", object_type=NAMES_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
register_sealed(SealedColumn(
    model=DocumentVersion, column="stream_header", object_type=CONTENT_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
register_sealed(SealedColumn(
    model=DocumentDownload, column="code_sealed", object_type=CODE_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
register_sealed(SealedColumn(
    model=DocumentFolder, column="path_sealed", object_type=FOLDER_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.id, version=lambda row: 1,
))
register_sealed(SealedColumn(
    model=DocumentAnalysis, column="layer_sealed", object_type=LAYER_OBJECT_TYPE,
    case_id=lambda row: row.case_id, object_id=lambda row: row.version_id,
    version=lambda row: 1,
))
for _keyed in (DocumentAnalysis, DocumentAnchor, DocumentAnchorCount):
    register_keyed(_keyed)
