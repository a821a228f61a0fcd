"""Checks at the edge, before any view reads the request: its size, and the
characters of everything a view could read from it.

Control characters (NUL above all) have no place in a report, a name or a
query: PostgreSQL refuses NUL in text, and the others hide text from the
people who read it. They are refused once, here, for the whole site (the API,
Open311, the admin), in the URL, the query string, form fields, uploaded file
names and JSON bodies. Tab, newline and carriage return are text.
"""

import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from backend.errors import request_transaction
from mobile_api.fallback import site_error

CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Valid JSON can carry a control character only as an escape; most bodies have none.
JSON_CONTROL_ESCAPE = re.compile(rb"\\u00(?:[01][0-9a-fA-F]|7[fF]|[89][0-9a-fA-F])")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Methods that read: no body to check, no transaction to hold (AtomicWritesMiddleware).
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class RequestSizeLimitMiddleware:
    """Refuse a request body that is too large before anything reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return site_error(
                request,
                413,
                "request_too_large",
                _("The upload is larger than the service accepts."),
                {"max_bytes": settings.PHOTO_MAX_BYTES},
            )
        return self.get_response(request)


def first_control_character(value: Any, where: str) -> str | None:
    """Where the first control character in a value (text, or lists and dicts
    of them, keys included) is, or None."""
    if isinstance(value, str):
        return where if CONTROL_CHARACTER.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = first_control_character(key, where) or first_control_character(
                item, f"{where}.{key}"
            )
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = first_control_character(item, f"{where}[{index}]")
            if found:
                return found
    return None


def _first_field(fields: MultiValueDict, values_of: Callable[[Any], str]) -> str | None:
    """The first field (of a query string, a form, its files) whose name or
    any of whose values holds a control character."""
    for name in fields:
        if first_control_character([name, *map(values_of, fields.getlist(name))], name):
            return name
    return None


def _first_in_request(request: HttpRequest) -> str | None:
    found = first_control_character(request.path_info, "path") or _first_field(request.GET, str)
    if found or request.method in SAFE_METHODS:
        return found
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        return _first_field(request.POST, str) or _first_field(
            request.FILES, lambda upload: upload.name or ""
        )
    if content_type.endswith("json") and JSON_CONTROL_ESCAPE.search(request.body):
        try:
            return first_control_character(json.loads(request.body), "body")
        except ValueError:
            return None  # not JSON at all: the view says so
    return None


class AtomicWritesMiddleware:
    """Each request that may write (any method but GET, HEAD and OPTIONS) is
    one transaction, undone by any error answer (backend.errors.undo_request_writes,
    called by the API's, Open311's and Django's error handlers): a refusal or
    a crash midway never leaves half a write. Reads run without one, so a
    kept public read costs the database nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        atomic = transaction.atomic()
        with atomic:
            token = request_transaction.set(atomic)
            try:
                return self.get_response(request)
            finally:
                request_transaction.reset(token)


class ControlCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            where = _first_in_request(request)
        except MultiPartParserError:
            where = None  # a broken body: the view that reads it answers 400
        if where is not None:
            return site_error(
                request,
                422,
                "control_characters",
                _("The request contains control characters, which no field accepts."),
                {"field": CONTROL_CHARACTER.sub("?", where)},  # never echoed as sent
            )
        return self.get_response(request)
