"""What every schema builds on: the `Out` base, ISO dates, and the documented error shape
(the response itself is built by `backend.errors.error_response`)."""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict


def _iso_only(value: object) -> object:
    """Dates and times as ISO 8601 text only: pydantic would also read a bare
    number as a Unix timestamp, which the schema does not promise."""
    if isinstance(value, int | float) or (
        isinstance(value, str) and re.fullmatch(r"[-+]?\d+(\.\d*)?", value.strip())
    ):
        raise ValueError("must be an ISO 8601 date or datetime")
    return value


def in_utc(value: datetime) -> datetime:
    # Any offset Python reads (up to ±23:59) is fine here; PostgreSQL takes ±15:59.
    if value.tzinfo is None:
        value = timezone.make_aware(value)
    return value.astimezone(UTC)


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_only), AfterValidator(in_utc)]
IsoDate = Annotated[date, BeforeValidator(_iso_only)]


class Out(BaseModel):
    """The base of response schemas. Each is built explicitly (an `of()`
    constructor, or `model_validate` of a plain row), so it skips ninja's Schema root
    validator, which reads ORM objects attribute by attribute and cost more than
    the rest of a page's serialisation."""

    model_config = ConfigDict(from_attributes=True)


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
