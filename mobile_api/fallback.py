"""Errors answered outside any view (no route matched, a wrong method, a crash
before the view, a refusal at the edge) in the shape the caller expects: the
API's JSON error, or Open311's own error list under /open311/, in the format
its path names. No client of ours ever gets an HTML page."""

import sys
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from backend.errors import error_response, undo_request_writes
from open311.formats import errors as open311_errors

OPEN311_PREFIX = "/open311/"
StrOrPromise = str | Promise


def site_error(
    request: HttpRequest, status: int, code: str, message: StrOrPromise, details: dict | None = None
) -> HttpResponse:
    """The error in the caller's language: the edge middleware answers before
    LocaleMiddleware has chosen it, so its messages are lazy and rendered here.
    Open311 speaks English to the integrators who read it, as its views do."""
    if request.path.startswith(OPEN311_PREFIX):
        fmt = "xml" if request.path.endswith(".xml") else "json"
        with translation.override("en"):
            return open311_errors(fmt, status, str(message))
    with translation.override(translation.get_language_from_request(request)):
        return error_response(status, code, str(message), details)


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return site_error(request, 400, "malformed_request", _("The request could not be read."))


def json_forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return site_error(request, 403, "forbidden", _("You may not do this."))


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return site_error(request, 404, "not_found", _("Not found."))


def json_server_error(request: HttpRequest) -> HttpResponse:
    """Django calls this inside its `except`: a database that does not answer
    (as when a request's transaction cannot begin) is a 503 to retry."""
    undo_request_writes()
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = site_error(
            request, 503, "service_unavailable", _("The service is briefly unavailable; try again.")
        )
        response["Retry-After"] = "5"
        return response
    return site_error(request, 500, "internal_error", _("Something went wrong on our side."))


class MethodNotAllowedMiddleware:
    """The API's router answers a wrong method with Django's bare 405; say it
    in the error shape, keeping its `Allow` header. (The admin keeps its pages.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not request.path.startswith("/admin/"):
            allowed = response["Allow"]
            response = site_error(
                request,
                405,
                "method_not_allowed",
                _("%(method)s is not allowed here.") % {"method": request.method},
                {"allowed": allowed.split(", ")},
            )
            response["Allow"] = allowed
        return response
