"""The one error type of the service.

Domain functions raise `ServiceError` with a machine-readable code; the API
turns it into `{"error": {"code", "message", "details"}}` with its status.
"""

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import JsonResponse


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


def error_response(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> "JsonResponse":
    """The one error shape, `{"error": {"code", "message", "details"}}`, for the
    API, the middleware and Django's own fallbacks alike.

    Answered from inside a view, call `undo_request_writes()` too."""
    from django.http import JsonResponse

    response = JsonResponse(
        {"error": {"code": code, "message": str(message), "details": details or {}}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# The transaction of the write request being answered, if any (set by
# mobile_api.limits.AtomicWritesMiddleware).
request_transaction: ContextVar[object | None] = ContextVar("request_transaction", default=None)


def undo_request_writes() -> None:
    """A view that answers with an error undoes what its request wrote (each
    write request is one transaction, mobile_api.limits.AtomicWritesMiddleware):
    a refusal or a crash never leaves half-written data behind. Only the
    request's own transaction is marked, never one around it (a test's)."""
    from django.db import connection, transaction

    ours = request_transaction.get()
    if ours is not None and connection.atomic_blocks and connection.atomic_blocks[-1] is ours:
        transaction.set_rollback(True)
