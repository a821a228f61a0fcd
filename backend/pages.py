"""Cursor pages: keyset pagination with signed, opaque cursors."""

import binascii
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet
from ninja import Schema
from pydantic import Field

from backend.errors import ServiceError
from backend.schema_types import in_utc

MAX_PAGE_SIZE = 100


class PageQuery(Schema):
    """Which page: the cursor the previous page gave, and how many rows."""

    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)


class BadCursor(ServiceError):
    status = 400
    code = "invalid_cursor"


_CURSOR_SALT = "api.cursor"


def encode_cursor(values: list[Any]) -> str:
    """An opaque cursor: the last row's (time, id), signed so that a cursor this
    server did not give out is refused before anything reads it."""
    moment, row_id = values
    return signing.dumps([moment.isoformat(), str(row_id)], salt=_CURSOR_SALT, compress=True)


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    refused = BadCursor("The cursor is not one this server gave out.")
    try:
        values = signing.loads(cursor, salt=_CURSOR_SALT)
    except (signing.BadSignature, ValueError, UnicodeDecodeError, binascii.Error):
        raise refused from None
    match values:
        case [str(moment_text), str(row_id)]:
            try:
                return in_utc(datetime.fromisoformat(moment_text)), row_id
            except ValueError:
                raise refused from None
    raise refused


def keyset_page(
    queryset: QuerySet,
    cursor: str | None,
    limit: int,
    time_field: str = "created_at",
    descending: bool = True,
) -> tuple[list[Any], str | None]:
    """A page ordered by (time_field, id), newest first unless `descending=False`:
    stable whatever is added meanwhile, and served from an index at any depth.

    Returns the rows and the cursor of the next page (None on the last page).
    """
    sign, after = ("-", "lt") if descending else ("", "gt")
    queryset = queryset.order_by(f"{sign}{time_field}", f"{sign}id")
    if cursor:
        moment, last_id = _decode_cursor(cursor)
        queryset = queryset.filter(
            Q(**{f"{time_field}__{after}": moment})
            | Q(**{time_field: moment, f"id__{after}": last_id})
        )
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    if isinstance(last, dict):  # a values() page
        return rows, encode_cursor([last[time_field], last["id"]])
    return rows, encode_cursor([getattr(last, time_field), last.id])
