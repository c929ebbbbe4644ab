"""Every ORM table, imported here so that Alembic and the app see one metadata.

The model modules keep their annotations evaluated (no ``from __future__ import
annotations``): declaring a model, SQLAlchemy would otherwise parse each of the ~550
``Mapped[...]`` strings back into a type, about 15 ms of every start
(``tests/unit/test_startup_imports.py`` keeps it so; the schemas likewise)."""

from app.models.audit import (
    AuditEvent,
    AuditLogState,
    AuditSubtree,
    SigningKey,
    TreeHead,
    WitnessCosignature,
    WitnessCursor,
)
from app.models.base import Base
from app.models.cases import (
    Case,
    CaseDestruction,
    Claim,
    ClaimDefendant,
    KeyRotation,
    Member,
    Party,
)
from app.models.ccp998 import Ccp998Offer
from app.models.courts import CourtClosure, DeadlineOrder
from app.models.documents import (
    CaseWatermarkSetting,
    Document,
    DocumentAnalysis,
    DocumentAnchor,
    DocumentAnchorCount,
    DocumentDownload,
    DocumentFolder,
    DocumentTombstone,
    DocumentVersion,
    Production,
    ProductionItem,
)
from app.models.ene import (
    EneAttendance,
    EneEvaluation,
    EneEvaluationShare,
    EneEvaluatorDecision,
    EneMessage,
    EneParticipant,
    EneRelease,
    EneSession,
    EneStatement,
)
from app.models.notifications import (
    AddressMail,
    MailOutbox,
    Notification,
    NotificationPreference,
    Reminder,
)
from app.models.offers import IdempotentResponse, SettlementOffer
from app.models.protective_orders import (
    Clawback,
    ClawbackCertification,
    DesignationChallenge,
    OrderAcknowledgment,
    ProtectiveOrder,
    PublicText,
)
from app.models.rule68 import (
    LiabilityHearing,
    OtherMeansConsent,
    Rule68Certificate,
    Rule68Offer,
    Rule68Offeree,
    ServiceConsent,
)
from app.models.seats import Invitation
from app.models.users import (
    LoginThrottle,
    PasswordReset,
    RecoveryCode,
    RefreshToken,
    User,
)
from app.models.web import WebSession

__all__ = [
    "AddressMail",
    "AuditEvent",
    "AuditLogState",
    "AuditSubtree",
    "Base",
    "Case",
    "CaseDestruction",
    "Ccp998Offer",
    "CaseWatermarkSetting",
    "Claim",
    "ClaimDefendant",
    "CourtClosure",
    "DeadlineOrder",
    "Document",
    "DocumentAnalysis",
    "DocumentAnchor",
    "DocumentAnchorCount",
    "DocumentDownload",
    "DocumentFolder",
    "DocumentTombstone",
    "DocumentVersion",
    "EneAttendance",
    "EneEvaluation",
    "EneEvaluationShare",
    "EneEvaluatorDecision",
    "EneMessage",
    "EneParticipant",
    "EneRelease",
    "EneSession",
    "EneStatement",
    "IdempotentResponse",
    "Invitation",
    "KeyRotation",
    "LiabilityHearing",
    "LoginThrottle",
    "MailOutbox",
    "Member",
    "Notification",
    "NotificationPreference",
    "OtherMeansConsent",
    "Party",
    "PasswordReset",
    "RecoveryCode",
    "RefreshToken",
    "Reminder",
    "Rule68Certificate",
    "Rule68Offer",
    "Rule68Offeree",
    "ServiceConsent",
    "SettlementOffer",
    "SigningKey",
    "TreeHead",
    "User",
    "WebSession",
    "WitnessCosignature",
    "WitnessCursor",
    "Clawback",
    "ClawbackCertification",
    "DesignationChallenge",
    "OrderAcknowledgment",
    "Production",
    "ProductionItem",
    "ProtectiveOrder",
    "PublicText",
]
