from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from app.kernel.passwords import MIN_PASSWORD_LENGTH
from app.kernel.schemas import Strict


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


class RefreshRequest(Strict):
    refresh_token: str = Field(min_length=1, max_length=200)


class MeRead(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    is_platform_admin: bool
    totp_enabled: bool


class UserCreate(Strict):
    email: EmailStr = Field(max_length=320)
    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str


class PasswordChange(Strict):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)


class TotpSetup(BaseModel):
    secret: str
    otpauth_uri: str


class TotpConfirm(Strict):
    code: str = Field(pattern=r"^[0-9]{6}$")
