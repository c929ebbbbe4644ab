import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from app.authz.permissions import Role
from app.deadlines import courts
from app.kernel.schemas import Day, Schema, Strict, check_timezone

Side = Literal["plaintiff", "defendant", "third_party"]
CourtSystem = Literal["federal", "ca_superior"]
# app.watermark.LEGEND_POSITIONS; a value outside it is refused by the service with 422
# invalid_legend_position (a stable code, rather than the generic validation_error).
LegendPosition = Literal["footer", "header", "diagonal"]


def us_state_codes() -> frozenset[str]:
    """States and territories with a federal district court."""
    return courts.states()


def _check_state(value: str | None) -> str | None:
    if value is not None and value not in us_state_codes():
        raise ValueError("court_state must be a US state or territory code such as CA or NY")
    return value


class CaseCreate(Strict):
    """A case names its court by `district` (CM/ECF court id); `court_state` and
    `court_timezone` are derived from it and, when given too, must agree. Clients that
    predate districts still send `court` and `court_state`; their time zone is then the
    state's courts' zone, never a default from elsewhere."""

    caption: str = Field(min_length=1, max_length=500)
    court: str | None = Field(default=None, min_length=1, max_length=200)
    court_state: str | None = Field(default=None, min_length=2, max_length=2)
    district: str | None = Field(default=None, min_length=2, max_length=8)
    division: str | None = Field(default=None, min_length=1, max_length=40)
    docket_number: str = Field(min_length=1, max_length=100)
    trial_date: Day | None = None
    court_timezone: str | None = Field(default=None, max_length=64)
    # "ca_superior": a California superior court named by `county` (then no district).
    court_system: CourtSystem = "federal"
    county: str | None = Field(default=None, min_length=1, max_length=40)

    _state = field_validator("court_state")(_check_state)
    _tz = field_validator("court_timezone")(check_timezone)


class CaseUpdate(Strict):
    caption: str | None = Field(default=None, min_length=1, max_length=500)
    court: str | None = Field(default=None, min_length=1, max_length=200)
    court_state: str | None = Field(default=None, min_length=2, max_length=2)
    district: str | None = Field(default=None, min_length=2, max_length=8)
    division: str | None = Field(default=None, min_length=1, max_length=40)
    docket_number: str | None = Field(default=None, min_length=1, max_length=100)
    trial_date: Day | None = None
    court_timezone: str | None = Field(default=None, max_length=64)
    # "ca_superior": a California superior court named by `county` (then no district).
    court_system: CourtSystem | None = None
    county: str | None = Field(default=None, min_length=1, max_length=40)
    # Where downloaded copies carry the visible legend (room admin): "footer" (the default),
    # "header" or "diagonal".
    legend_position: str | None = Field(default=None, max_length=40)

    _state = field_validator("court_state")(_check_state)
    _tz = field_validator("court_timezone")(check_timezone)


class CaseRead(Schema):
    id: uuid.UUID
    caption: str
    court: str
    court_state: str
    docket_number: str
    trial_date: date | None
    court_timezone: str
    district: str | None = None
    division: str | None = None
    court_system: CourtSystem = "federal"
    county: str | None = None
    legend_position: LegendPosition = "footer"
    created_at: datetime
    # Set once the case keys were destroyed: what remains is this metadata and the log.
    destroyed_at: datetime | None = None
    my_roles: list[Role] = []


class PartyCreate(Strict):
    name: str = Field(min_length=1, max_length=300)
    side: Side
    represented: bool = True


class PartyRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    name: str
    side: Side
    represented: bool


class ClaimCreate(Strict):
    claimant_party_id: uuid.UUID
    defending_party_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)
    description: str = Field(min_length=1, max_length=2000)


class ClaimRead(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    claimant_party_id: uuid.UUID
    defending_party_ids: list[uuid.UUID]
    description: str


class MemberRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    user_id: uuid.UUID
    role: Role
    party_id: uuid.UUID | None
    # A client seat, shown to members of the same party: whether it reads the party's
    # offers. None for other seats and for readers of another side (their business).
    reads_offers: bool | None = None


class DestroyRequest(Strict):
    confirm_caption: str = Field(min_length=1, max_length=500)


class DestroyResult(Schema):
    certificate: dict[str, Any]
