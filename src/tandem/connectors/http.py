"""The HTTP connectors: the merchant's own REST API, called as the connectors file describes.

Every failure becomes a `ConnectorError` the assistant turns into an honest message and a hand-over:

    no reply in time (or HTTP 408)          timeout
    cannot connect, HTTP 5xx or 429         unavailable
    HTTP 4xx on a write (or a bad request)  rejected
    401/403, a reply that does not map,     misconfigured
    an unexpected status or not JSON
    HTTP 404                                None from get_order, [] for a customer's orders or bookings,
                                            rejected for a write, misconfigured elsewhere

Details name the operation, the status and the mapping that failed, never a reply's body: replies
hold customer data.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import quote

import httpx

from tandem.connectors.mapping import MISSING, MappingError, lookup, read_record
from tandem.connectors.models import ORDER_STATUSES
from tandem.connectors.operations import PLACEHOLDER, Endpoint
from tandem.connectors.ports import (
    Booking,
    ConnectorError,
    CustomerRef,
    FailureKind,
    LeadIn,
    OrderLine,
    OrderRecord,
    ProductRecord,
    RefundResult,
    Slot,
)

if TYPE_CHECKING:
    from tandem.connectors.config import (
        CalendarSettings,
        CatalogueSettings,
        CrmSettings,
        OrdersSettings,
        SystemSettings,
    )

log = logging.getLogger("tandem.connectors.http")

NOT_FOUND = object()


class ClientPool:
    """One `httpx.Client` per system for the life of the process, made on first use, safe across threads."""

    def __init__(self) -> None:
        self._clients: dict[str, httpx.Client] = {}
        self._lock = threading.Lock()

    def client(self, settings: SystemSettings) -> httpx.Client:
        client = self._clients.get(settings.SYSTEM)
        if client is not None:
            return client
        with self._lock:
            client = self._clients.get(settings.SYSTEM)
            if client is None:
                client = self._open(settings)
                self._clients[settings.SYSTEM] = client
        return client

    def open_systems(self) -> list[str]:
        """The systems that have a client now (they are made on first use)."""
        return sorted(self._clients)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    @staticmethod
    def _open(settings: SystemSettings) -> httpx.Client:
        # Secrets are read from the environment here, once per process: restart after rotating a key.
        headers = settings.request_headers()
        try:
            return httpx.Client(
                base_url=settings.base_url + "/",
                headers=headers,
                timeout=settings.timeout(),
                follow_redirects=False,
            )
        except (ValueError, TypeError) as error:  # a header value that is not ASCII, say
            raise ConnectorError(settings.SYSTEM, "misconfigured", "the headers could not be used") from error


class _Api:
    """Calls one system's endpoints and turns every way that can fail into a ConnectorError."""

    def __init__(self, settings: SystemSettings, clients: ClientPool) -> None:
        self.settings = settings
        self.clients = clients

    def call(
        self, operation: str, values: Mapping[str, Any], idempotency_key: str | None = None, reply: bool = True
    ) -> Any:
        """The reply's JSON at the endpoint's `data` path (None when no `reply` is wanted), or NOT_FOUND
        when a 404 means "there is none"."""
        endpoint = self.settings.endpoint(operation)
        if endpoint is None:
            self.fail(operation, "rejected", f"{operation} is switched off for this system")
        path = self._path(operation, endpoint, values)
        headers = {"Content-Type": "application/json"} if endpoint.body is not None else {}
        if idempotency_key is not None:
            headers[self.settings.idempotency_header] = idempotency_key
        body = self._body(endpoint, values) if endpoint.body is not None else None
        response = self._send(operation, endpoint, path, _query(endpoint, values), body, headers)
        if response.status_code == 404 and endpoint.on_not_found in ("none", "empty"):
            return NOT_FOUND
        self._check_status(operation, endpoint, response.status_code)
        if not reply:
            return None
        document = self._json(operation, endpoint, response)
        data = lookup(document, endpoint.data)
        if data is MISSING:
            self.fail(operation, "misconfigured", _after_write(endpoint, f"the reply has no '{endpoint.data}'"))
        return data

    @contextmanager
    def reading(self, operation: str) -> Iterator[None]:
        """Turn a reply that does not fit the mapping into a ConnectorError."""
        try:
            yield
        except MappingError as error:
            endpoint = self.settings.endpoint(operation)
            writes = endpoint is not None and endpoint.writes
            detail = f"the reply does not fit the mapping: {error}"
            self.fail(operation, "misconfigured", _after_write(endpoint, detail) if writes else detail)

    def items(self, operation: str, data: Any) -> list[Any]:
        if not isinstance(data, list):
            self.fail(operation, "misconfigured", "the reply is not a list: set the endpoint's data path")
        return data

    def fail(self, operation: str, kind: FailureKind, detail: str, status: int | None = None) -> NoReturn:
        log.warning(
            "connector.failed",
            extra={"system": self.settings.SYSTEM, "operation": operation, "kind": kind, "status": status},
        )
        raise ConnectorError(self.settings.SYSTEM, kind, f"{operation}: {detail}")

    def _send(
        self,
        operation: str,
        endpoint: Endpoint,
        path: str,
        query: dict[str, str],
        body: bytes | None,
        headers: dict[str, str],
    ) -> httpx.Response:
        try:
            client = self.clients.client(self.settings)
        except ConnectorError as error:  # a secret missing from the environment, say
            self.fail(operation, error.kind, error.detail)
        try:
            return client.request(endpoint.method, path, params=query, content=body, headers=headers)
        except httpx.TimeoutException:
            seconds = self.settings.timeout_seconds
            self.fail(operation, "timeout", _after_write(endpoint, f"no reply within {seconds:g}s"))
        except (httpx.UnsupportedProtocol, httpx.InvalidURL):
            self.fail(operation, "misconfigured", "the URL cannot be used")
        except (httpx.HTTPError, httpx.StreamError) as error:
            # The exception's type, not its text: the text may quote the URL and so the order number.
            self.fail(operation, "unavailable", _after_write(endpoint, f"could not reach it ({type(error).__name__})"))
        except (UnicodeError, ValueError, TypeError):
            self.fail(operation, "misconfigured", "the request could not be built")

    def _check_status(self, operation: str, endpoint: Endpoint, status: int) -> None:
        if 200 <= status < 300:
            return
        said = f"HTTP {status}"
        if status == 404:
            kind: FailureKind = "rejected" if endpoint.on_not_found == "rejected" else "misconfigured"
            self.fail(operation, kind, said if kind == "rejected" else f"{said}: check the endpoint's path", status)
        if status in (401, 403):
            self.fail(operation, "misconfigured", f"{said}: the credentials were refused", status)
        if status == 408:
            self.fail(operation, "timeout", _after_write(endpoint, said), status)
        if status == 429:
            self.fail(operation, "unavailable", f"{said}: too many requests", status)
        if 400 <= status < 500:
            self.fail(operation, "rejected", said, status)
        if status >= 500:
            self.fail(operation, "unavailable", _after_write(endpoint, said), status)
        self.fail(operation, "misconfigured", f"unexpected {said}", status)

    def _json(self, operation: str, endpoint: Endpoint, response: httpx.Response) -> Any:
        try:
            # Decimal, never float: 19.99 must stay 19.99.
            return json.loads(response.content, parse_float=Decimal, parse_constant=_no_constants)
        except (ValueError, RecursionError):
            self.fail(operation, "misconfigured", _after_write(endpoint, "the reply is not JSON"))

    def _path(self, operation: str, endpoint: Endpoint, values: Mapping[str, Any]) -> str:
        def segment(name: str) -> str:
            value = values[name]
            text = "" if value is None else _text(value)
            if not text.strip(". "):
                self.fail(operation, "rejected", f"no {name} to ask for")
            # Quote everything, '/' included: a value from a conversation must not change the path.
            return quote(text, safe="")

        return _fill(endpoint.path, segment)

    def _body(self, endpoint: Endpoint, values: Mapping[str, Any]) -> bytes:
        document: dict[str, Any] = {}
        for key, template in (endpoint.body or {}).items():
            _put(document, key, _json_value(template, values, self.settings.money_as))
        return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _after_write(endpoint: Endpoint | None, detail: str) -> str:
    if endpoint is not None and endpoint.writes:
        return f"{detail}; the request may have been applied: check before trying again"
    return detail


def _no_constants(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _fill(template: str, value_of: Callable[[str], str]) -> str:
    """`template` with each {name} replaced by value_of(name)."""
    return PLACEHOLDER.sub(lambda match: value_of(match.group(1)), template)


def _exact_placeholder(template: Any) -> str | None:
    if isinstance(template, str):
        match = PLACEHOLDER.fullmatch(template)
        return match.group(1) if match else None
    return None


def _utc(moment: datetime) -> datetime:
    # A time without an offset is taken as UTC, like the desk's own (never as this machine's local time).
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _utc(value).isoformat()
    return str(value)


def _filled(template: str, values: Mapping[str, Any]) -> str:
    return _fill(template, lambda name: "" if values[name] is None else _text(values[name]))


def _query(endpoint: Endpoint, values: Mapping[str, Any]) -> dict[str, str]:
    query = {}
    for param, template in endpoint.query.items():
        name = _exact_placeholder(template)
        if name is not None and values[name] is None:
            continue  # nothing to filter by: leave the parameter out
        query[param] = _filled(template, values) if isinstance(template, str) else _text(template)
    return query


def _json_value(template: Any, values: Mapping[str, Any], money_as: str) -> Any:
    name = _exact_placeholder(template)
    if name is None:
        return _filled(template, values) if isinstance(template, str) else template
    value = values[name]
    if isinstance(value, Decimal):
        return float(value) if money_as == "number" else str(value)
    if isinstance(value, datetime):
        return _utc(value).isoformat()
    return value


def _put(document: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for step in parents:
        document = document.setdefault(step, {})
    document[last] = value


def _normalise_number(number: str) -> str:
    # As typed by a customer: '#A10023 ' is A10023. Case is the merchant's business.
    return number.strip().lstrip("#").strip()


# ---- the connectors -------------------------------------------------------------------------------


class HttpOrders:
    def __init__(self, settings: OrdersSettings, clients: ClientPool) -> None:
        self.settings = settings
        self.api = _Api(settings, clients)

    def get_order(self, number: str) -> OrderRecord | None:
        number = _normalise_number(number)
        if not number:
            return None
        data = self.api.call("get_order", {"number": number})
        if data is NOT_FOUND:
            return None
        with self.api.reading("get_order"):
            return self._order(data)

    def orders_for_customer(self, customer: CustomerRef, limit: int = 5) -> list[OrderRecord]:
        values = {"customer_id": customer.id, "external_id": customer.external_id, "limit": limit}
        data = self.api.call("orders_for_customer", values)
        if data is NOT_FOUND:
            return []
        with self.api.reading("orders_for_customer"):
            orders = [self._order(item) for item in self.api.items("orders_for_customer", data)]
        return sorted(orders, key=lambda order: order.placed_at, reverse=True)[:limit]

    def refund(self, number: str, amount: Decimal, reason: str, idempotency_key: str) -> RefundResult:
        values = {"number": _normalise_number(number), "amount": amount, "reason": reason}
        data = self.api.call("refund", values, idempotency_key)
        with self.api.reading("refund"):
            refund = read_record("refund", data, self.settings.mapping("refund"))
        return RefundResult(
            reference=refund["reference"],
            amount=amount if refund["amount"] is None else refund["amount"],
            currency=refund["currency"] or self.settings.currency,
        )

    def _order(self, document: Any) -> OrderRecord:
        order = read_record("order", document, self.settings.mapping("order"))
        status = self.settings.statuses.get(order["status"], order["status"])
        if status not in ORDER_STATUSES:
            raise MappingError("order.status is not one of the desk's statuses: map it under 'statuses'")
        line_mapping = self.settings.mapping("order_line")
        lines = []
        for item in order["lines"] or ():
            line = read_record("order_line", item, line_mapping)
            quantity = 1 if line["quantity"] is None else line["quantity"]
            lines.append(OrderLine(line["sku"], line["name"], quantity, line["price"], line["category"] or ""))
        return OrderRecord(
            number=order["number"],
            status=status,
            placed_at=order["placed_at"],
            total=order["total"],
            currency=order["currency"] or self.settings.currency,
            lines=tuple(lines),
            carrier=order["carrier"],
            tracking_number=order["tracking_number"],
            estimated_delivery=order["estimated_delivery"],
            delivered_at=order["delivered_at"],
            refunded_amount=order["refunded_amount"] or Decimal("0"),
            customer_external_id=order["customer_external_id"],
        )


class HttpCatalogue:
    def __init__(self, settings: CatalogueSettings, clients: ClientPool) -> None:
        self.settings = settings
        self.api = _Api(settings, clients)

    def search(
        self, category: str | None = None, max_price: Decimal | None = None, in_stock_only: bool = True, limit: int = 20
    ) -> list[ProductRecord]:
        values = {"category": category, "max_price": max_price, "in_stock_only": in_stock_only, "limit": limit}
        data = self.api.call("search", values)
        with self.api.reading("search"):
            products = [self._product(item) for item in self.api.items("search", data)]
        # Applied here too, so an API that ignores a filter still never offers what was ruled out.
        if max_price is not None:
            products = [p for p in products if p.price <= max_price]
        if in_stock_only:
            products = [p for p in products if p.in_stock > 0]
        return products[:limit]

    def _product(self, document: Any) -> ProductRecord:
        product = read_record("product", document, self.settings.mapping("product"))
        return ProductRecord(
            sku=product["sku"],
            name=product["name"],
            category=product["category"] or "",
            price=product["price"],
            description=product["description"] or "",
            in_stock=product["in_stock"] or 0,
            attributes=product["attributes"] or {},
        )


class HttpCalendar:
    def __init__(self, settings: CalendarSettings, clients: ClientPool) -> None:
        self.settings = settings
        self.api = _Api(settings, clients)

    def free_slots(self, after: datetime, before: datetime, limit: int = 6) -> list[Slot]:
        after, before = _utc(after), _utc(before)
        data = self.api.call("free_slots", {"after": after, "before": before, "limit": limit})
        with self.api.reading("free_slots"):
            slots = [self._slot(item) for item in self.api.items("free_slots", data)]
        slots = [slot for slot in slots if after <= slot.starts_at < before]
        return sorted(slots, key=lambda slot: slot.starts_at)[:limit]

    def bookings(self, customer: CustomerRef) -> list[Booking]:
        data = self.api.call("bookings", {"customer_id": customer.id, "external_id": customer.external_id})
        if data is NOT_FOUND:
            return []
        with self.api.reading("bookings"):
            return [self._booking(item, customer) for item in self.api.items("bookings", data)]

    def book(self, slot_id: str, customer: CustomerRef, idempotency_key: str) -> Booking:
        values = {"slot_id": slot_id, "customer_id": customer.id, "external_id": customer.external_id}
        data = self.api.call("book", values, idempotency_key)
        with self.api.reading("book"):
            return self._booking(data, customer)

    def cancel(self, booking_id: str, customer: CustomerRef) -> None:
        values = {"booking_id": booking_id, "customer_id": customer.id, "external_id": customer.external_id}
        self.api.call("cancel", values, reply=False)

    def _slot(self, document: Any) -> Slot:
        slot = read_record("slot", document, self.settings.mapping("slot"))
        return Slot(slot["id"], slot["resource"] or "", slot["kind"] or "", slot["starts_at"], slot["ends_at"])

    def _booking(self, document: Any, customer: CustomerRef) -> Booking:
        booking = read_record("booking", document, self.settings.mapping("booking"))
        return Booking(booking["id"], self._slot(booking["slot"]), customer.id)


class HttpCrm:
    def __init__(self, settings: CrmSettings, clients: ClientPool) -> None:
        self.settings = settings
        self.api = _Api(settings, clients)

    def create_lead(self, lead: LeadIn, idempotency_key: str) -> str:
        values = {
            "need": lead.need,
            "size": lead.size,
            "budget": lead.budget,
            "timeline": lead.timeline,
            "contact": lead.contact,
            "customer_id": lead.customer.id if lead.customer else None,
            "external_id": lead.customer.external_id if lead.customer else None,
            "conversation_id": lead.conversation_id,
        }
        data = self.api.call("create_lead", values, idempotency_key)
        with self.api.reading("create_lead"):
            reference: str = read_record("lead", data, self.settings.mapping("lead"))["reference"]
        return reference
