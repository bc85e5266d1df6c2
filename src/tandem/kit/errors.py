"""Errors that carry their meaning and HTTP status; one handler renders them all as JSON."""

from __future__ import annotations

from typing import Any


class TandemError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": {"code": self.code, "message": self.message}}
        if self.details:
            body["error"]["details"] = self.details
        return body


class NotFound(TandemError):
    status_code = 404
    code = "not_found"


class Conflict(TandemError):
    status_code = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class Unauthenticated(TandemError):
    status_code = 401
    code = "unauthenticated"


class Forbidden(TandemError):
    status_code = 403
    code = "forbidden"


class PayloadTooLarge(TandemError):
    status_code = 413
    code = "payload_too_large"


class ValidationFailed(TandemError):
    status_code = 422
    code = "validation_failed"


class NotMigrated(TandemError):
    status_code = 503
    code = "not_migrated"
