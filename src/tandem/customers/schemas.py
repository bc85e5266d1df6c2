"""What the API accepts and returns for customers (never the ORM rows themselves)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Tier = Literal["standard", "silver", "gold", "platinum"]
ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]


class CustomerFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = ""
    email: EmailStr | None = None
    phone: Phone | None = None
    address: Annotated[str, StringConstraints(max_length=2000)] | None = None
    tier: Tier = "standard"
    lifetime_value: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)] = Decimal("0")
    lifetime_spend: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)] = Decimal("0")
    customer_since: date | None = None
    timezone: Annotated[str, StringConstraints(max_length=64)] | None = None
    consents: dict[str, bool] = Field(default_factory=dict)


class CustomerCreate(CustomerFields):
    external_id: ExternalId | None = None


class CustomerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str | None
    name: str
    email: str | None
    phone: str | None
    address: str | None
    tier: str
    lifetime_value: Decimal
    lifetime_spend: Decimal
    customer_since: date | None
    timezone: str | None
    consents: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class VulnerabilityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    drivers: list[str]
    notes: str
    source: str
    created_at: datetime
