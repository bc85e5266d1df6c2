"""Customer records: create, upsert by the merchant's own id, read."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tandem.customers import repository
from tandem.customers.models import Customer, CustomerException, CustomerVulnerability
from tandem.customers.schemas import CustomerCreate, CustomerFields
from tandem.events import service as events
from tandem.kit.errors import Conflict, NotFound


def create(session: Session, data: CustomerCreate, actor: str) -> Customer:
    if data.external_id and repository.by_external_id(session, data.external_id):
        raise Conflict(f"A customer with external id {data.external_id!r} already exists; use the upsert endpoint.")
    customer = Customer(**data.model_dump())
    session.add(customer)
    _flush_or_conflict(session, data.external_id)
    events.record(session, "customer.created", actor, customer_id=customer.id)
    return customer


def upsert(session: Session, external_id: str, data: CustomerFields, actor: str) -> tuple[Customer, bool]:
    """Create or update the customer known by the merchant's id. Returns (customer, created)."""
    customer = repository.by_external_id(session, external_id)
    if customer is None:
        return create(session, CustomerCreate(external_id=external_id, **data.model_dump()), actor), True
    changed = sorted(data.model_fields_set)
    for field in changed:
        setattr(customer, field, getattr(data, field))
    session.flush()
    events.record(session, "customer.updated", actor, customer_id=customer.id, fields=changed)
    return customer, False


def get(session: Session, customer_id: int) -> Customer:
    customer = repository.get(session, customer_id)
    if customer is None:
        raise NotFound(f"No customer with id {customer_id}.")
    return customer


def record_vulnerability(
    session: Session, customer_id: int, drivers: list[str], notes: str, actor: str, source: str = "agent"
) -> CustomerVulnerability:
    get(session, customer_id)
    record = CustomerVulnerability(customer_id=customer_id, drivers=drivers, notes=notes, source=source)
    session.add(record)
    session.flush()
    # The event names the drivers only; the notes are special-category data and stay in their table.
    events.record(session, "customer.vulnerability_recorded", actor, customer_id=customer_id, drivers=drivers)
    return record


def _flush_or_conflict(session: Session, external_id: str | None) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(f"A customer with external id {external_id!r} already exists.") from exc


def record_exception(session: Session, customer_id: int, **fields: Any) -> CustomerException:
    """A decided policy exception joins the customer's exception history."""
    decided = CustomerException(customer_id=customer_id, **fields)
    session.add(decided)
    session.flush()
    return decided


CONTACT_FIELDS = ("email", "phone", "address")


def update_contact(
    session: Session, customer_id: int, field: str, value: str, actor: str, conversation_id: int | None = None
) -> tuple[str | None, str]:
    """Change one contact detail; the event keeps the old and new values (the audit a customer may ask for)."""
    if field not in CONTACT_FIELDS:
        raise ValueError(f"not a contact field: {field}")
    customer = get(session, customer_id)
    old = getattr(customer, field)
    setattr(customer, field, value)
    session.flush()
    events.record(
        session,
        "customer.contact_updated",
        actor,
        conversation_id,
        customer_id=customer_id,
        field=field,
        old=old,
        new=value,
    )
    return old, value


def find_by_email(session: Session, email: str) -> Customer | None:
    return repository.by_email(session, email)
