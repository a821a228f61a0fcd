"""Cursor pages: keyset pagination with signed, opaque cursors."""

import binascii
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from backend.errors import ServiceError
from backend.schema_types import in_utc
from backend.statements import STAND_IN_TIME, STAND_IN_UUID, Statement

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
    refused = BadCursor(_("The cursor is not one this server gave out."))
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
    queryset = _in_order(queryset, time_field, descending)
    if cursor:
        moment, last_id = _decode_cursor(cursor)
        queryset = _after(queryset, moment, last_id, time_field, descending)
    return _page(list(queryset[: limit + 1]), limit, time_field)


class KeysetPages:
    """keyset_page's pages of a query whose shape never changes (a resident's
    own reports), compiled once per page size (`backend.statements`):
    `build(**values)` is the query, `stand_ins` its values to compile it with."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        time_field: str = "created_at",
        descending: bool = True,
        **stand_ins: Any,
    ) -> None:
        self._time_field = time_field

        def first(limit: int, **values: Any) -> QuerySet:
            return _in_order(build(**values), time_field, descending)[: limit + 1]

        def following(limit: int, moment: datetime, last_id: str, **values: Any) -> QuerySet:
            after = _after(build(**values), moment, last_id, time_field, descending)
            return _in_order(after, time_field, descending)[: limit + 1]

        self._first = Statement(first, **stand_ins)
        self._following = Statement(
            following, moment=STAND_IN_TIME, last_id=STAND_IN_UUID, **stand_ins
        )

    def page(self, cursor: str | None, limit: int, **values: Any) -> tuple[list[Any], str | None]:
        if cursor:
            moment, last_id = _decode_cursor(cursor)
            rows = self._following.all(shape=(limit,), moment=moment, last_id=last_id, **values)
        else:
            rows = self._first.all(shape=(limit,), **values)
        return _page(rows, limit, self._time_field)


def _in_order(queryset: QuerySet, time_field: str, descending: bool) -> QuerySet:
    sign = "-" if descending else ""
    return queryset.order_by(f"{sign}{time_field}", f"{sign}id")


def _after(
    queryset: QuerySet, moment: datetime, last_id: Any, time_field: str, descending: bool
) -> QuerySet:
    after = "lt" if descending else "gt"
    return queryset.filter(
        Q(**{f"{time_field}__{after}": moment}) | Q(**{time_field: moment, f"id__{after}": last_id})
    )


def _page(rows: list[Any], limit: int, time_field: str) -> tuple[list[Any], str | None]:
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    if isinstance(last, dict):  # a values() page
        return rows, encode_cursor([last[time_field], last["id"]])
    return rows, encode_cursor([getattr(last, time_field), last.id])
