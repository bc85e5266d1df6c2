"""Generate the demo workspace from a fixed seed: the same store, customers and orders on every machine."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.connectors.models import AppointmentSlot, Order, Product
from tandem.customers.models import Customer, CustomerVulnerability
from tandem.demo import catalogue
from tandem.handoff.models import Queue
from tandem.knowledge.models import Article
from tandem.users.models import User
from tandem.users.security import hash_password
from tandem.workspace import service as workspace

SEED = 20261122
FIRST = (
    "Amelia Oliver Isla George Ava Noah Mia Arthur Ivy Leo Grace Oscar Freya Harry Lily Jack Sofia "
    "Charlie Ella Theo Aisha Mohammed Priya Arjun Zara Omar Chloe Ethan Hannah Samuel Maya Daniel "
    "Ruby Kai Nia Tomasz Agnieszka Lucia Mateo Ines Yusuf Fatima Wei Mei Kenji Aoife Cian Siobhan"
).split()
LAST = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Robinson Thompson Evans Walker "
    "White Roberts Green Hall Wood Jackson Clarke Khan Ahmed Singh Murphy Kelly Nowak Kowalski Garcia "
    "Rossi Chen Wang Okafor Mensah Byrne Campbell Stewart Hughes Price Bennett"
).split()
STREETS = "Mill Lane|Station Road|Church Street|Victoria Road|Park Avenue|High Street|Queens Road|Oak Close".split("|")
TOWNS = (
    "Leeds LS6",
    "Manchester M14",
    "Bristol BS7",
    "York YO10",
    "Sheffield S11",
    "Nottingham NG7",
    "Cardiff CF24",
    "Glasgow G12",
    "Brighton BN2",
    "Norwich NR2",
)
TIER_WEIGHTS = {"standard": 0.60, "silver": 0.22, "gold": 0.13, "platinum": 0.05}
TIER_VALUE = {"standard": (40, 900), "silver": (600, 2500), "gold": (2500, 9000), "platinum": (8000, 40000)}
STATUS_WEIGHTS = {
    "pending_payment": 3,
    "processing": 10,
    "shipped": 14,
    "out_for_delivery": 6,
    "delivered": 45,
    "delayed": 6,
    "cancelled": 6,
    "returned": 5,
    "refunded": 5,
}
CARRIERS = ("Royal Mail", "DPD", "Evri", "DHL")
QUEUES = {
    "orders": ("Where-is-my-order, changes and cancellations", ["orders", "shipping"], 6),
    "billing": ("Payments, invoices, refunds and billing disputes", ["billing", "disputes"], 9),
    "technical": ("Faulty products, accounts and log-in problems", ["product", "accounts"], 10),
    "complaints": ("Formal complaints and public escalations", ["complaints", "disputes"], 14),
    "vulnerable_customers": ("Customers in vulnerable circumstances: specialist, unhurried", ["vulnerability"], 18),
    "retention": ("Valuable customers thinking of leaving; exceptions", ["retention", "exceptions"], 12),
    "sales": ("Business, bulk and upgrade enquiries", ["sales"], 10),
    "general": ("Everything else, and requests for a person", ["general"], 8),
}
DEMO_PASSWORDS = {"admin": "tandem-admin", "supervisor": "tandem-supervisor", "agent": "tandem-agent"}
STAFF = [
    ("admin@northwind.example", "Alex Admin", "admin", [], "offline"),
    ("sam.supervisor@northwind.example", "Sam Okafor", "supervisor", list(QUEUES), "online"),
    ("maria.agent@northwind.example", "Maria Lopez", "agent", ["orders", "general", "billing"], "online"),
    ("james.agent@northwind.example", "James Byrne", "agent", ["billing", "complaints", "retention"], "online"),
    (
        "priya.agent@northwind.example",
        "Priya Shah",
        "agent",
        ["vulnerable_customers", "complaints", "general"],
        "online",
    ),
    ("tom.agent@northwind.example", "Tom Nowak", "agent", ["technical", "orders"], "away"),
    ("lena.agent@northwind.example", "Lena Fischer", "agent", ["sales", "retention", "general"], "offline"),
]


def is_seeded(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def seed(session: Session, today: date | None = None) -> dict[str, int]:
    """Fill an empty workspace. Deterministic for a given seed and date."""
    rng = random.Random(SEED)
    today = today or datetime.now(UTC).date()
    _queues(session)
    _staff(session)
    products = _products(session, rng)
    customers = _customers(session, rng, today)
    orders = _orders(session, rng, customers, products, today)
    _articles(session)
    slots = _calendar(session, rng, today)
    _settings(session)
    session.flush()
    return {
        "customers": len(customers),
        "orders": orders,
        "products": len(products),
        "articles": len(catalogue.ARTICLES),
        "appointment_slots": slots,
        "staff": len(STAFF),
    }


def _queues(session: Session) -> None:
    for name, (description, skills, minutes) in QUEUES.items():
        session.add(Queue(name=name, description=description, skills=skills, avg_handle_minutes=minutes))


def _staff(session: Session) -> None:
    hashes = {role: hash_password(password) for role, password in DEMO_PASSWORDS.items()}
    for email, name, role, queues, presence in STAFF:
        limit = {"agent": 50, "supervisor": 500, "admin": 1000}[role]
        session.add(
            User(
                email=email,
                name=name,
                role=role,
                password_hash=hashes[role],
                queues=queues,
                skills=queues,
                capacity=4,
                presence=presence,
                exception_limit=limit,
            )
        )


def _products(session: Session, rng: random.Random) -> list[Product]:
    products = []
    for category, (names, (low, high)) in catalogue.PRODUCT_LINES.items():
        for index, name in enumerate(names):
            price = Decimal(rng.randint(low, high)) - Decimal("0.01")
            colour = rng.choice(catalogue.COLOURS)
            product = Product(
                sku=f"{category[:3].upper()}-{index + 1:03d}",
                name=name,
                category=category,
                price=price,
                description=f"{name} in {colour}.",
                attributes={"colour": colour, "rating": round(rng.uniform(3.6, 4.9), 1)},
                in_stock=rng.choice([0, 3, 12, 40, 120]),
            )
            session.add(product)
            products.append(product)
    session.flush()
    return products


def _customers(session: Session, rng: random.Random, today: date) -> list[Customer]:
    customers = []
    tiers, weights = zip(*TIER_WEIGHTS.items(), strict=True)
    for number in range(1, 201):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        tier = rng.choices(tiers, weights)[0]
        low, high = TIER_VALUE[tier]
        spend = Decimal(rng.randint(low, high))
        customer = Customer(
            external_id=f"CUST-{number:05d}",
            name=f"{first} {last}",
            email=f"{first}.{last}{number}@mail.example".lower(),
            phone=f"+44 7700 9{rng.randint(0, 99999):05d}",
            address=f"{rng.randint(1, 120)} {rng.choice(STREETS)}, {rng.choice(TOWNS)}",
            tier=tier,
            lifetime_spend=spend,
            lifetime_value=(spend * Decimal("1.6")).quantize(Decimal("1")),
            customer_since=today - timedelta(days=rng.randint(20, 3650)),
            timezone="Europe/London",
            consents={"marketing_email": rng.random() < 0.4, "sms_updates": rng.random() < 0.6},
        )
        session.add(customer)
        customers.append(customer)
    session.flush()
    for customer in rng.sample(customers, 6):
        drivers = rng.choice([["health"], ["life_event"], ["resilience"], ["capability"], ["health", "capability"]])
        session.add(
            CustomerVulnerability(
                customer_id=customer.id,
                drivers=drivers,
                source="agent",
                notes="Prefers a slower pace and written confirmation.",
            )
        )
    return customers


def _orders(
    session: Session, rng: random.Random, customers: list[Customer], products: list[Product], today: date
) -> int:
    statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    now = datetime.combine(today, time(12, 0), tzinfo=UTC)
    for number in range(1, 1001):
        status = rng.choices(statuses, weights)[0]
        placed = now - timedelta(days=_age_days(rng, status), hours=rng.randint(0, 23))
        lines = _order_lines(rng, products)
        total = sum((Decimal(str(line["price"])) * line["quantity"] for line in lines), Decimal("0"))
        customer = rng.choice(customers)
        session.add(
            Order(
                number=f"A{10000 + number}",
                customer_id=customer.id,
                status=status,
                placed_at=placed,
                total=total,
                currency="GBP",
                items=lines,
                shipping_address=customer.address or "",
                **_fulfilment(rng, status, placed, total),
            )
        )
    return 1000


def _age_days(rng: random.Random, status: str) -> int:
    recent = {
        "pending_payment": (0, 1),
        "processing": (0, 2),
        "shipped": (1, 4),
        "out_for_delivery": (2, 5),
        "delayed": (4, 12),
    }
    low, high = recent.get(status, (6, 400))
    return rng.randint(low, high)


def _order_lines(rng: random.Random, products: list[Product]) -> list[dict[str, Any]]:
    chosen = rng.sample(products, rng.choice([1, 1, 1, 2, 2, 3]))
    return [
        {
            "sku": p.sku,
            "name": p.name,
            "category": p.category,
            "quantity": rng.choice([1, 1, 1, 2]),
            "price": str(p.price),
        }
        for p in chosen
    ]


def _fulfilment(rng: random.Random, status: str, placed: datetime, total: Decimal) -> dict[str, Any]:
    shipped = status not in ("pending_payment", "processing", "cancelled")
    fields: dict[str, Any] = {
        "carrier": rng.choice(CARRIERS) if shipped else None,
        "tracking_number": f"TRK{rng.randint(10**9, 10**10 - 1)}" if shipped else None,
        "estimated_delivery": placed + timedelta(days=rng.randint(2, 5)) if status != "cancelled" else None,
    }
    if status in ("delivered", "returned", "refunded"):
        fields["delivered_at"] = placed + timedelta(days=rng.randint(1, 5))
    if status == "delayed" and fields["estimated_delivery"] is not None:
        fields["estimated_delivery"] += timedelta(days=rng.randint(3, 7))
    if status == "refunded":
        fields["refunded_amount"] = total
    return fields


def _articles(session: Session) -> None:
    for article in catalogue.ARTICLES:
        session.add(Article(**article))


def _calendar(session: Session, rng: random.Random, today: date) -> int:
    count = 0
    for offset in range(1, 15):
        day = today + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        for store in ("Northwind Manchester", "Northwind Bristol"):
            for hour in range(10, 16):
                for minute in (0, 30):
                    starts = datetime.combine(day, time(hour, minute), tzinfo=UTC)
                    status = "booked" if rng.random() < 0.3 else "free"
                    session.add(
                        AppointmentSlot(
                            resource=store,
                            kind="product demo",
                            starts_at=starts,
                            ends_at=starts + timedelta(minutes=30),
                            status=status,
                        )
                    )
                    count += 1
    return count


def _settings(session: Session) -> None:
    workspace.put(session, "store", {"name": catalogue.STORE_NAME, "stores": catalogue.STORES})
    workspace.put(session, "business_hours", catalogue.BUSINESS_HOURS)
    workspace.put(session, "refund_policy", catalogue.REFUND_POLICY)


def demo_logins() -> list[tuple[str, str, str]]:
    return [(email, role, DEMO_PASSWORDS[role]) for email, _, role, _, _ in STAFF]
