"""The one error type of the service.

Domain functions raise `ServiceError` with a machine-readable code; the API
turns it into `{"error": {"code", "message", "details"}}` with its status.
"""

from typing import Any


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = details or {}
        self.headers = headers or {}


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class Unprocessable(ServiceError):
    status = 422
    code = "unprocessable"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotAuthenticated(ServiceError):
    status = 401
    code = "not_authenticated"
