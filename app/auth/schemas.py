import uuid
from typing import Any, Literal

from pydantic import ConfigDict, EmailStr, Field

from app.kernel.passwords import MIN_PASSWORD_LENGTH
from app.kernel.schemas import Schema, Strict


class TokenPair(Schema):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    # The account's password was chosen by someone else: until it is replaced
    # (POST /me/password), every other call answers 403 password_change_required.
    password_change_required: bool = False


class RefreshRequest(Strict):
    refresh_token: str = Field(min_length=1, max_length=200)


class MeRead(Schema):
    id: uuid.UUID
    email: str
    name: str
    is_platform_admin: bool
    totp_enabled: bool
    must_change_password: bool = False


class UserCreate(Strict):
    email: EmailStr = Field(max_length=320)
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)


class UserRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str


def _factor_code() -> Any:
    """A TOTP code (6 digits) or a recovery code ("xxxxx-xxxxx"), when a factor is set."""
    return Field(default=None, min_length=1, max_length=32, pattern=r"^[0-9A-Za-z -]+$")


class PasswordChange(Strict):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)
    code: str | None = _factor_code()


class TotpBegin(Strict):
    """Re-authentication: the password, and the current factor's code when one is set."""

    password: str = Field(min_length=1, max_length=1024)
    code: str | None = _factor_code()


class TotpRemove(Strict):
    password: str = Field(min_length=1, max_length=1024)
    code: str | None = _factor_code()


class RecoveryCodes(Schema):
    """Shown once, when a factor is confirmed: each code signs in once instead of a TOTP code."""

    recovery_codes: list[str]


class TotpSetup(Schema):
    secret: str
    otpauth_uri: str


class TotpConfirm(Strict):
    code: str = Field(pattern=r"^[0-9]{6}$")


class PasswordResetRequest(Strict):
    email: EmailStr = Field(max_length=320)


class PasswordResetRequested(Schema):
    """The same answer whether or not an account uses the address."""

    status: Literal["requested"] = "requested"


class PasswordReset(Strict):
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)
