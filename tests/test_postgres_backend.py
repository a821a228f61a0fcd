"""The database engine (backend/postgresql): Django's, reading timestamps with
psycopg's compiled loader (what it reads must be what Django's own loader read)
and inserting a few rows as VALUES."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from psycopg.pq import Format

from backend.postgresql.base import DatabaseWrapper
from backend.postgresql.compiler import SMALL_BATCH

pytestmark = pytest.mark.django_db


def _read(sql: str, *params: object) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_the_connection_reads_timestamps_with_the_compiled_loader():
    assert isinstance(connections["default"], DatabaseWrapper)
    connection.ensure_connection()
    adapters = connection.connection.adapters
    loader = adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)
    assert loader.__name__ == "CompiledTimestampLoader"
    # Django compares this with its own time zone before each cursor: equal,
    # so it does not put its slower loader back.
    assert loader.timezone == connection.timezone


def test_timestamps_read_back_as_written_and_in_utc():
    written = datetime(2026, 7, 1, 3, 4, 5, 123456, tzinfo=timezone(timedelta(hours=7)))
    (read,) = _read("SELECT %s::timestamptz", written)
    assert read == written
    assert read.utcoffset() == timedelta(0)
    assert read.isoformat() == "2026-06-30T20:04:05.123456+00:00"


def test_a_timestamp_written_in_another_zone_reads_as_the_same_instant():
    (read,) = _read("SELECT '2026-01-01 10:00:00+07'::timestamptz")
    assert read == datetime(2026, 1, 1, 3, 0, tzinfo=UTC)


def test_null_and_dates_are_unaffected():
    null, day = _read("SELECT NULL::timestamptz, DATE '2026-02-03'")
    assert null is None
    assert str(day) == "2026-02-03"


def _insert_sql(rows: int) -> str:
    groups = [Group(name=f"batch-{rows}-{i}") for i in range(rows)]
    with CaptureQueriesContext(connection) as captured:
        Group.objects.bulk_create(groups)
    assert Group.objects.filter(name__startswith=f"batch-{rows}-").count() == rows
    (insert,) = [q["sql"] for q in captured if q["sql"].startswith("INSERT")]
    return insert


def test_a_few_rows_are_inserted_as_values_and_many_through_unnest():
    assert "UNNEST" not in _insert_sql(3)
    assert "VALUES" in _insert_sql(SMALL_BATCH)
    assert "UNNEST" in _insert_sql(SMALL_BATCH + 1)
