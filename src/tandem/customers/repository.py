"""Queries over customers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.customers.models import Customer, CustomerException, CustomerVulnerability


def get(session: Session, customer_id: int) -> Customer | None:
    return session.get(Customer, customer_id)


def by_external_id(session: Session, external_id: str) -> Customer | None:
    return session.scalars(select(Customer).where(Customer.external_id == external_id)).first()


def vulnerabilities(session: Session, customer_id: int) -> Sequence[CustomerVulnerability]:
    query = select(CustomerVulnerability).where(CustomerVulnerability.customer_id == customer_id)
    return session.scalars(query.order_by(CustomerVulnerability.id)).all()


def exceptions(session: Session, customer_id: int) -> Sequence[CustomerException]:
    query = select(CustomerException).where(CustomerException.customer_id == customer_id)
    return session.scalars(query.order_by(CustomerException.decided_at)).all()


def by_email(session: Session, email: str) -> Customer | None:
    query = select(Customer).where(func.lower(Customer.email) == email.strip().lower(), Customer.erased_at.is_(None))
    return session.scalars(query.order_by(Customer.id).limit(1)).first()
