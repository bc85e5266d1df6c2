from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Role = Literal["agent", "supervisor", "admin"]
Presence = Literal["online", "away", "offline"]
Password = Annotated[str, StringConstraints(min_length=8, max_length=200)]


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: EmailStr
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    role: Role = "agent"
    password: Password
    queues: list[Annotated[str, StringConstraints(max_length=64)]] = Field(default_factory=list)
    skills: list[Annotated[str, StringConstraints(max_length=64)]] = Field(default_factory=list)
    capacity: int = Field(default=3, ge=0, le=50)
    exception_limit: int = Field(default=50, ge=0)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    name: str
    role: str
    queues: list[str]
    skills: list[str]
    capacity: int
    presence: str
    exception_limit: int
    active: bool


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str
    expires_at: datetime


class PresenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    presence: Presence


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    scopes: list[str] = Field(min_length=1)


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="Shown once; store it now.")
