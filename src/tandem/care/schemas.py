"""What the care API and CLI accept and return. A segment never means "everyone" by accident."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from tandem.connectors.orders import normalise_number
from tandem.customers.schemas import Tier
from tandem.kit import clock

CampaignKind = Literal["onboarding", "known_issue"]
OrderStatus = Literal[
    "pending_payment",
    "processing",
    "shipped",
    "out_for_delivery",
    "delivered",
    "delayed",
    "cancelled",
    "returned",
    "refunded",
]
Key = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9][a-z0-9._-]{2,79}$"),
]
Carrier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
OrderNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Sentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=600)]
MAX_RECIPIENTS = 10_000
SAMPLE_SIZE = 10


class NewCustomers(BaseModel):
    model_config = ConfigDict(extra="forbid")
    within_days: int = Field(ge=1, le=3650, description="customer_since on or after today minus this many days.")


class OrderFilter(BaseModel):
    """Customers with at least one order matching every criterion given."""

    model_config = ConfigDict(extra="forbid")
    statuses: list[OrderStatus] = Field(default_factory=list, max_length=9)
    carrier: Carrier | None = Field(default=None, description="Case-insensitive, e.g. DPD.")
    placed_from: date | None = None
    placed_to: date | None = Field(default=None, description="Inclusive.")
    numbers: list[OrderNumber] = Field(default_factory=list, max_length=1000)

    @field_validator("statuses")
    @classmethod
    def _sorted_statuses(cls, statuses: list[OrderStatus]) -> list[OrderStatus]:
        return sorted(set(statuses))

    @field_validator("numbers")
    @classmethod
    def _normalised_numbers(cls, numbers: list[str]) -> list[str]:
        cleaned = sorted({normalise_number(n) for n in numbers} - {""})
        if numbers and not cleaned:
            raise ValueError("order numbers must not be blank")
        return cleaned

    @field_validator("placed_to")
    @classmethod
    def _range_in_order(cls, placed_to: date | None, info: ValidationInfo) -> date | None:
        placed_from = info.data.get("placed_from")
        if placed_to is not None and placed_from is not None and placed_to < placed_from:
            raise ValueError("must be on or after placed_from")
        return placed_to

    @model_validator(mode="after")
    def _something_to_match(self) -> OrderFilter:
        if not (self.statuses or self.carrier or self.placed_from or self.placed_to or self.numbers):
            raise ValueError("give at least one of statuses, carrier, placed_from, placed_to or numbers")
        return self


class Segment(BaseModel):
    """Who a campaign is for: every criterion given must hold. Erased customers are never included."""

    model_config = ConfigDict(extra="forbid")
    new_customers: NewCustomers | None = None
    orders: OrderFilter | None = None
    tiers: list[Tier] = Field(default_factory=list, max_length=4)

    @field_validator("tiers")
    @classmethod
    def _sorted_tiers(cls, tiers: list[Tier]) -> list[Tier]:
        return sorted(set(tiers))

    @model_validator(mode="after")
    def _not_everyone(self) -> Segment:
        if self.new_customers is None and self.orders is None and not self.tiers:
            raise ValueError("give at least one of new_customers, orders or tiers (a campaign is never for everyone)")
        return self


class CampaignDraft(BaseModel):
    """A campaign to preview. The same body, with a key, sends it."""

    model_config = ConfigDict(extra="forbid")
    kind: CampaignKind
    key: Key | None = Field(default=None, description="Idempotency key: the same key is never sent twice.")
    segment: Segment
    issue: Key | None = Field(
        default=None,
        validate_default=True,
        description="known_issue only: the issue's key; nobody hears twice about one issue. Defaults to the key.",
    )
    explanation: Sentence | None = Field(
        default=None, validate_default=True, description="known_issue only (required): what happened."
    )
    action: Sentence | None = Field(
        default=None, validate_default=True, description="known_issue only: what the team is doing about it."
    )
    customer_action: Sentence | None = Field(
        default=None, validate_default=True, description="known_issue only: what the customer must do; default none."
    )
    expected: date | None = Field(
        default=None, validate_default=True, description="known_issue only: when we currently expect it resolved."
    )
    max_recipients: int = Field(
        default=500, ge=1, le=MAX_RECIPIENTS, description="Refuse to send if the segment reaches more customers."
    )

    @field_validator("issue", "action", "customer_action")
    @classmethod
    def _known_issue_only(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("kind") == "onboarding":
            raise ValueError("applies to known_issue campaigns only")
        return value

    @field_validator("explanation")
    @classmethod
    def _explained(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if value is None and kind == "known_issue":
            raise ValueError("a known_issue campaign must say what happened")
        if value is not None and kind == "onboarding":
            raise ValueError("applies to known_issue campaigns only")
        return value

    @field_validator("expected")
    @classmethod
    def _expected_ahead(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None:
            return None
        if info.data.get("kind") == "onboarding":
            raise ValueError("applies to known_issue campaigns only")
        if value < clock.now().date():
            raise ValueError("is in the past")
        return value

    @property
    def topic(self) -> str | None:
        """What the customer is told about: one message per topic per customer, whichever campaign sends it.
        None for a known-issue draft with neither issue nor key (a preview cannot tell who already heard)."""
        if self.kind == "onboarding":
            return "onboarding"
        return self.issue or self.key


class CampaignIn(CampaignDraft):
    key: Key = Field(description="Idempotency key: the same key is never sent twice.")


class RecipientSample(BaseModel):
    customer_id: int
    name: str = Field(description="Previews are for staff who may send campaigns only.")
    order_numbers: list[str]


class PreviewOut(BaseModel):
    kind: CampaignKind
    topic: str | None
    matched: int = Field(description="Customers in the segment.")
    to_contact: int = Field(description="Customers who would get a message.")
    skipped: dict[str, int] = Field(description="Customers left out, by reason: erased, opted_out, already_contacted.")
    max_recipients: int
    within_limit: bool
    sample: list[RecipientSample]
    example_message: str | None = Field(description="The message the first customer in the sample would get.")


class CampaignOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key: str
    kind: str
    topic: str
    matched: int
    sent: int
    skipped: dict[str, int]
    created_by: str
    created_at: datetime


class SendOut(BaseModel):
    campaign: CampaignOut
    replayed: bool = Field(description="True when this key was already sent: nobody was contacted this time.")


class CampaignList(BaseModel):
    items: list[CampaignOut]
