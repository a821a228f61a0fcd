"""Building blocks every API router uses: the error schema and cursor pages.

They live below the apps (not in mobile_api) so that the routers of
`moderation` and `notifications` can use them without importing the API that
mounts them.
"""

import binascii
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict

from backend.errors import ServiceError


def _iso_only(value: object) -> object:
    """Dates and times as ISO 8601 text only: pydantic would also read a bare
    number as a Unix timestamp, which the schema does not promise."""
    if isinstance(value, int | float) or (
        isinstance(value, str) and re.fullmatch(r"[-+]?\d+(\.\d*)?", value.strip())
    ):
        raise ValueError("must be an ISO 8601 date or datetime")
    return value


def _in_utc(value: datetime) -> datetime:
    # Any offset Python reads (up to ±23:59) is fine here; PostgreSQL takes ±15:59.
    if value.tzinfo is None:
        value = timezone.make_aware(value)
    return value.astimezone(UTC)


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only), AfterValidator(_in_utc)]
IsoDate = Annotated[date, BeforeValidator(_iso_only)]


class ErrorBody(Schema):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorOut(Schema):
    error: ErrorBody


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """`response={200: X, **errors(401, 404)}`: the error codes an operation documents.

    400 and 422 are always among them: any request whose body or parameters
    cannot be read at all is a 400, and one carrying control characters, in
    any field, a 422."""
    return dict.fromkeys(sorted({400, 422, *statuses}), ErrorOut)


MAX_PAGE_SIZE = 100


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
                return _in_utc(datetime.fromisoformat(moment_text)), row_id
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
    return rows, encode_cursor([getattr(last, time_field), last.id])


class Out(BaseModel):
    """The base of response schemas. Each is built explicitly (an `of()`
    constructor, or `model_validate` of a plain row), so it skips ninja's Schema root
    validator, which reads ORM objects attribute by attribute and cost more than
    the rest of a page's serialisation."""

    model_config = ConfigDict(from_attributes=True)
