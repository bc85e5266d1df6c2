"""Which outside systems are the merchant's own REST API, read from a YAML file checked on load.

```yaml
systems:
  orders:
    base_url: https://api.northwind.example/v2
    auth: {header: Authorization, value: "Bearer ${NORTHWIND_API_KEY}"}
    endpoints:
      get_order: {path: "/orders/{number}", data: order}
    fields:
      order: {number: id, total: totals.grand, carrier: shipment.carrier}
```

Every system, operation and field has a default (docs/connectors.md lists them), so a file names only
what differs. Systems the file leaves out stay built-in. Secrets come from the environment, never the
file. A mistake is reported with the file, the line and the setting: `connectors.yaml: line 7: …`.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

import httpx
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session
from yaml.constructor import SafeConstructor

from tandem.connectors.builtin import builtin_connectors
from tandem.connectors.http import ClientPool, HttpCalendar, HttpCatalogue, HttpCrm, HttpOrders
from tandem.connectors.mapping import RECORDS
from tandem.connectors.models import ORDER_STATUSES
from tandem.connectors.operations import (
    CALENDAR_OPERATIONS,
    CATALOGUE_OPERATIONS,
    CRM_OPERATIONS,
    ORDER_OPERATIONS,
    PLACEHOLDER,
    Endpoint,
    Method,
    Operation,
)
from tandem.connectors.ports import ConnectorError, Connectors

ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
_DOTTED_PATH = re.compile(r"[^.\s]+(\.[^.\s]+)*")
# Headers whose values are credentials: they must come from the environment like `auth`.
_SECRET_HEADER = re.compile(r"auth|key|token|secret|password|cookie|signature", re.IGNORECASE)
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def _check(condition: bool, message: str, *at: str | int) -> None:
    if not condition:
        raise PydanticCustomError("connector_config", message, {"at": at})


def suggestion(word: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _known(word: str, known: Collection[str], what: str, *at: str | int) -> None:
    listed = ", ".join(sorted(known))
    _check(word in known, f"unknown {what} '{word}' (known: {listed}){suggestion(word, known)}", *at)


def _check_template(text: str, allowed: Collection[str], *at: str | int) -> None:
    for name in PLACEHOLDER.findall(text):
        _known(name, allowed, "placeholder", *at)
    _check("{" not in PLACEHOLDER.sub("", text) and "}" not in PLACEHOLDER.sub("", text), "stray '{' or '}'", *at)


class EndpointSettings(BaseModel):
    """The file's settings for one operation; anything left out keeps the operation's default."""

    model_config = ConfigDict(extra="forbid")

    method: Method | None = None
    path: str | None = None
    query: dict[str, Any] | None = None
    body: dict[str, Any] | None = None
    data: str | None = Field(default=None, description="Dotted path to the record or list in the reply.")


class AuthHeader(BaseModel):
    model_config = ConfigDict(extra="forbid")

    header: str = "Authorization"
    value: str

    @field_validator("header")
    @classmethod
    def _header_name(cls, header: str) -> str:
        _check(bool(_HEADER_NAME.fullmatch(header)), "is not a valid HTTP header name")
        return header

    @field_validator("value")
    @classmethod
    def _from_environment(cls, value: str) -> str:
        _check_header_value(value)
        _check(
            bool(ENV_REFERENCE.search(value)),
            "must take the secret from an environment variable, e.g. 'Bearer ${NORTHWIND_API_KEY}': "
            "secrets do not belong in this file",
        )
        return value


def _check_header_value(value: str, *at: str | int) -> None:
    _check("\r" not in value and "\n" not in value, "must be on one line", *at)
    _check("${" not in ENV_REFERENCE.sub("", value), "has a '${' that is not an ${ENVIRONMENT_VARIABLE}", *at)


class SystemSettings(BaseModel):
    """How to reach one system's REST API, and how its replies map onto the desk's records."""

    model_config = ConfigDict(extra="forbid")

    SYSTEM: ClassVar[str]
    OPERATIONS: ClassVar[Mapping[str, Operation]]
    RECORD_KINDS: ClassVar[tuple[str, ...]]

    base_url: str
    allow_plain_http: bool = Field(default=False, description="Allow http:// to a host other than this machine.")
    timeout_seconds: float = Field(default=5.0, gt=0, le=60, description="Longest wait for each step of a call.")
    connect_timeout_seconds: float | None = Field(default=None, gt=0, le=60)
    auth: AuthHeader | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    idempotency_header: str = "Idempotency-Key"
    money_as: Literal["string", "number"] = Field(default="string", description="How amounts are sent in bodies.")
    currency: str = Field(default="GBP", pattern=r"^[A-Z]{3}$", description="When a reply does not say.")
    endpoints: dict[str, EndpointSettings | None] = Field(default_factory=dict)
    fields: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, url: str) -> str:
        parts = urlsplit(url)
        _check(parts.scheme in ("http", "https") and bool(parts.hostname), "must be an http(s):// URL with a host")
        _check(not parts.username and not parts.password, "must not hold credentials: use auth instead")
        _check(not parts.query and not parts.fragment, "must not have a query or fragment")
        return url.rstrip("/")

    @model_validator(mode="after")
    def _encrypted_unless_local(self) -> SystemSettings:
        parts = urlsplit(self.base_url)
        _check(
            parts.scheme == "https" or parts.hostname in _LOOPBACK_HOSTS or self.allow_plain_http,
            "plain http:// would send the credentials unencrypted: use https:// (or allow_plain_http: true)",
            "base_url",
        )
        return self

    @field_validator("headers")
    @classmethod
    def _headers(cls, headers: dict[str, str]) -> dict[str, str]:
        for name, value in headers.items():
            _check(bool(_HEADER_NAME.fullmatch(name)), "is not a valid HTTP header name", name)
            _check_header_value(value, name)
            _check(
                not _SECRET_HEADER.search(name) or bool(ENV_REFERENCE.search(value)),
                "looks like a credential: take it from an environment variable, e.g. '${NORTHWIND_API_KEY}'",
                name,
            )
        return headers

    @field_validator("idempotency_header")
    @classmethod
    def _idempotency_header(cls, header: str) -> str:
        _check(bool(_HEADER_NAME.fullmatch(header)), "is not a valid HTTP header name")
        return header

    @field_validator("endpoints")
    @classmethod
    def _endpoints(cls, endpoints: dict[str, EndpointSettings | None]) -> dict[str, EndpointSettings | None]:
        for name, settings in endpoints.items():
            _known(name, cls.OPERATIONS, f"{cls.SYSTEM} operation", name)
            if settings is not None:
                _check_endpoint(name, cls.OPERATIONS[name], settings)
        return endpoints

    @field_validator("fields")
    @classmethod
    def _fields(cls, fields: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for record, mapping in fields.items():
            _known(record, cls.RECORD_KINDS, f"{cls.SYSTEM} record", record)
            for name, path in mapping.items():
                _known(name, RECORDS[record], f"{record} field", record, name)
                nested_here = path == "" and RECORDS[record][name].kind == "record"
                _check(nested_here or bool(_DOTTED_PATH.fullmatch(path)), "is not a dotted path", record, name)
        return fields

    def endpoint(self, operation: str) -> Endpoint | None:
        """The request for an operation; None when the file switches the operation off."""
        default = self.OPERATIONS[operation]
        if operation in self.endpoints and self.endpoints[operation] is None:
            return None
        settings = self.endpoints.get(operation) or EndpointSettings()
        return Endpoint(
            method=settings.method or default.method,
            path=settings.path if settings.path is not None else default.path,
            query=settings.query if settings.query is not None else default.query,
            body=settings.body if settings.body is not None else default.body,
            data=settings.data or "",
            writes=default.writes,
            on_not_found=default.on_not_found,
        )

    def mapping(self, record: str) -> Mapping[str, str]:
        return self.fields.get(record, {})

    def environment_variables(self) -> list[tuple[tuple[str, ...], str]]:
        """The environment variables the headers use, each with where it is named in the file."""
        auth = self.auth.value if self.auth else ""
        found: list[tuple[tuple[str, ...], str]] = [(("auth", "value"), name) for name in ENV_REFERENCE.findall(auth)]
        for header, value in self.headers.items():
            found += [(("headers", header), name) for name in ENV_REFERENCE.findall(value)]
        return found

    def request_headers(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """The headers every call sends, with secrets read from the environment now."""
        environ = os.environ if environ is None else environ
        accepts = any(name.lower() == "accept" for name in self.headers)
        headers = {**({} if accepts else {"Accept": "application/json"}), **self.headers}
        if self.auth is not None:
            headers[self.auth.header] = self.auth.value
        resolved = {}
        for name, template in headers.items():
            missing = [var for var in ENV_REFERENCE.findall(template) if not environ.get(var)]
            if missing:
                # The variable's name, never its value.
                raise ConnectorError(self.SYSTEM, "misconfigured", f"environment variable {missing[0]} is not set")
            resolved[name] = ENV_REFERENCE.sub(lambda match: environ[match.group(1)], template)
        return resolved

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.timeout_seconds, connect=self.connect_timeout_seconds or self.timeout_seconds)


def _check_endpoint(name: str, operation: Operation, settings: EndpointSettings) -> None:
    if settings.path is not None:
        path = settings.path
        _check(path.startswith("/") and not path.startswith("//"), "must start with a single '/'", name, "path")
        _check("?" not in path and "#" not in path, "must not hold '?' or '#': use query", name, "path")
        _check_template(path, operation.values, name, "path")
    for key, value in (settings.query or {}).items():
        _check(_is_scalar(value), "must be text, a number or true/false", name, "query", key)
        _check_template(str(value), operation.values, name, "query", key)
    body_keys = list(settings.body or {})
    for key, value in (settings.body or {}).items():
        _check(_is_scalar(value), "must be text, a number, true/false or null", name, "body", key)
        _check(bool(_DOTTED_PATH.fullmatch(key)), "is not a dotted path", name, "body", key)
        clash = next((other for other in body_keys if other.startswith(key + ".")), None)
        _check(clash is None, f"clashes with '{clash}'", name, "body", key)
        if isinstance(value, str):
            _check_template(value, operation.values, name, "body", key)
    if settings.data:
        _check(bool(_DOTTED_PATH.fullmatch(settings.data)), "is not a dotted path", name, "data")
    if settings.body is not None:
        method = settings.method or operation.method
        _check(method != "GET", "a GET request has no body", name, "body")


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


class OrdersSettings(SystemSettings):
    SYSTEM = "orders"
    OPERATIONS = ORDER_OPERATIONS
    RECORD_KINDS = ("order", "order_line", "refund")

    statuses: dict[str, str] = Field(
        default_factory=dict, description="The merchant's order statuses, as the desk's (shipped, delivered, …)."
    )

    @field_validator("statuses")
    @classmethod
    def _statuses(cls, statuses: dict[str, str]) -> dict[str, str]:
        for theirs, ours in statuses.items():
            _known(ours, ORDER_STATUSES, "order status", theirs)
        return statuses


class CatalogueSettings(SystemSettings):
    SYSTEM = "catalogue"
    OPERATIONS = CATALOGUE_OPERATIONS
    RECORD_KINDS = ("product",)


class CalendarSettings(SystemSettings):
    SYSTEM = "calendar"
    OPERATIONS = CALENDAR_OPERATIONS
    RECORD_KINDS = ("slot", "booking")


class CrmSettings(SystemSettings):
    SYSTEM = "crm"
    OPERATIONS = CRM_OPERATIONS
    RECORD_KINDS = ("lead",)


class Systems(BaseModel):
    model_config = ConfigDict(extra="forbid")

    orders: OrdersSettings | None = None
    catalogue: CatalogueSettings | None = None
    calendar: CalendarSettings | None = None
    crm: CrmSettings | None = None

    def configured(self) -> list[SystemSettings]:
        return [s for s in (self.orders, self.catalogue, self.calendar, self.crm) if s is not None]


class ConnectorConfig(BaseModel):
    """The connectors file. Holds one HTTP client per configured system, made on first use."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    systems: Systems = Field(default_factory=Systems)

    _clients: ClientPool = PrivateAttr(default_factory=ClientPool)

    @property
    def clients(self) -> ClientPool:
        return self._clients

    def close(self) -> None:
        """Close the HTTP clients (at shutdown); a later call opens new ones."""
        self._clients.close()


def connectors_for(session: Session, config: ConnectorConfig | None) -> Connectors:
    """The systems for one turn: the merchant's API where the file configures one, built-in otherwise."""
    builtin = builtin_connectors(session)
    if config is None:
        return builtin
    systems, clients = config.systems, config.clients
    return Connectors(
        orders=HttpOrders(systems.orders, clients) if systems.orders else builtin.orders,
        catalogue=HttpCatalogue(systems.catalogue, clients) if systems.catalogue else builtin.catalogue,
        calendar=HttpCalendar(systems.calendar, clients) if systems.calendar else builtin.calendar,
        crm=HttpCrm(systems.crm, clients) if systems.crm else builtin.crm,
    )


# ---- loading --------------------------------------------------------------------------------------


class ConnectorConfigError(ValueError):
    """A connectors file that cannot be used, saying where: `connectors.yaml: line 7: systems.orders.…`."""

    def __init__(self, source: str, problems: Iterable[tuple[int | None, str]]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = [f"{source}: " + (f"line {line}: " if line is not None else "") + text for line, text in self.problems]
        super().__init__("\n".join(lines))


def load_connector_config(path: str | Path, environ: Mapping[str, str] | None = None) -> ConnectorConfig:
    """Read and check a connectors file, including that the environment holds the secrets it names."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = (error.strerror or type(error).__name__) if isinstance(error, OSError) else "it is not UTF-8 text"
        raise ConnectorConfigError(str(path), [(None, f"cannot be read ({reason})")]) from error
    return parse_connector_config(text, str(path), environ)


def parse_connector_config(
    text: str, source: str = "<connectors>", environ: Mapping[str, str] | None = None
) -> ConnectorConfig:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise ConnectorConfigError(source, [_yaml_problem(error)]) from error
    if root is None:
        raise ConnectorConfigError(source, [(1, "the connectors file is empty")])
    _reject_duplicate_keys(root, source)
    try:
        # Safe: plain maps, lists, texts and numbers only; a tag that would build an object is refused.
        data = SafeConstructor().construct_object(root, deep=True)
    except yaml.YAMLError as error:
        raise ConnectorConfigError(source, [_yaml_problem(error)]) from error
    except (ValueError, TypeError) as error:  # `!!int abc`, say
        raise ConnectorConfigError(source, [(None, "a value cannot be read: check any !!tags")]) from error
    try:
        config = ConnectorConfig.model_validate(data)
    except ValidationError as error:
        raise ConnectorConfigError(source, [_problem(root, item) for item in error.errors()]) from None
    problems = _environment_problems(root, config, os.environ if environ is None else environ)
    if problems:
        raise ConnectorConfigError(source, problems)
    return config


def _yaml_problem(error: yaml.YAMLError) -> tuple[int | None, str]:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        return (mark.line + 1 if mark else None), f"not valid YAML: {error.problem}"
    return None, "not valid YAML"


def _reject_duplicate_keys(node: yaml.Node, source: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    line = key_node.start_mark.line + 1
                    raise ConnectorConfigError(source, [(line, f"'{key_node.value}' appears twice")])
                seen.add(key_node.value)
            _reject_duplicate_keys(value_node, source)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _reject_duplicate_keys(item, source)


def _environment_problems(
    root: yaml.Node, config: ConnectorConfig, environ: Mapping[str, str]
) -> list[tuple[int | None, str]]:
    problems: list[tuple[int | None, str]] = []
    for system in config.systems.configured():
        where = ("systems", system.SYSTEM)
        for at, name in system.environment_variables():
            if not environ.get(name):
                loc = (*where, *at)
                problems.append((_line(root, loc), f"{'.'.join(loc)}: environment variable {name} is not set"))
    return problems


def _problem(root: yaml.Node, error: Mapping[str, Any]) -> tuple[int | None, str]:
    ctx = error.get("ctx") or {}
    loc = (*error["loc"], *ctx.get("at", ()))
    kind = error["type"]
    if kind == "extra_forbidden":
        message = f"unknown setting '{loc[-1]}'{suggestion(str(loc[-1]), _SETTING_NAMES)}"
        loc = loc[:-1]
        line = _line(root, (*loc, str(error["loc"][-1])), key=True)
    else:
        line = _line(root, loc)
        message = {
            "missing": "is required",
            "model_type": "must be a mapping of settings",
            "dict_type": "must be a mapping of names to values",
        }.get(kind, error["msg"])
    # Never echo the value itself: it may be a secret someone pasted in by mistake.
    where = ".".join(str(step) for step in loc)
    return line, f"{where}: {message}" if where else message


def _line(root: yaml.Node, loc: Iterable[str | int], key: bool = False) -> int:
    """The line of the deepest node the location reaches (of its key, when `key`)."""
    node: yaml.Node = root
    key_node: yaml.Node | None = None
    for step in loc:
        key_node = None
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step), None)
            if match is None:
                break
            key_node, node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            break
    target = key_node if key and key_node is not None else node
    return int(target.start_mark.line) + 1


_SETTING_NAMES = sorted(
    {
        *ConnectorConfig.model_fields,
        *Systems.model_fields,
        *OrdersSettings.model_fields,
        *EndpointSettings.model_fields,
        *AuthHeader.model_fields,
    }
)
