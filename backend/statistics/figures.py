"""Performance figures, time series and exports, computed in the database.

Durations are percentiles of (acknowledged_at - created_at) and
(resolved_at - created_at); PostgreSQL computes them with percentile_cont,
SQLite (the embedded default, small data) in Python.
"""

import csv
from collections.abc import Iterator
from datetime import datetime

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from backend.areas.models import Area, AreaLevel, Unit
from backend.catalogue.models import Category
from backend.i18n import localized
from backend.reports.models import OPEN_STATUSES, Report, Status, Visibility, overdue

DONE = [Status.RESOLVED, Status.CLOSED]
# Grouping by an id column lets PostgreSQL answer from an index alone; the
# codes are looked up afterwards (a few rows).
GROUP_IDS: dict[str, tuple[str, type[Area] | type[Unit] | type[Category]]] = {
    "area": ("area__ancestries__ancestor_id", Area),
    "unit": ("unit_id", Unit),
    "category": ("category_id", Category),
}


def grouped(reports: QuerySet[Report], by: str, level: AreaLevel | None) -> QuerySet[Report]:
    """The reports to group by `by`; by area, each counted once within its
    ancestor of `level` (through the area tree's closure, across reforms)."""
    if by != "area":
        return reports
    if level is None:
        raise ValueError("grouping by area needs a level")
    return reports.filter(area__ancestries__ancestor_level=level)


class Percentiles(Aggregate):
    """PostgreSQL's percentile_cont for several fractions over one sort."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fractions: tuple[float, ...], **extra):
        from django.contrib.postgres.fields import ArrayField

        super().__init__(
            expression,
            fractions=", ".join(str(f) for f in fractions),
            output_field=ArrayField(DurationField()),
            **extra,
        )


def _hours(value) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


TO_ACKNOWLEDGE = ExpressionWrapper(
    F("acknowledged_at") - F("created_at"), output_field=DurationField()
)
TO_RESOLVE = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())


def performance(reports: QuerySet[Report], by: str, level: AreaLevel | None = None) -> list[dict]:
    """One row per area of a level, unit or category: counts, durations, deadline
    share, rating and reopen rate."""
    key, model = GROUP_IDS[by]
    reports = grouped(reports, by, level)
    now = timezone.now()
    # COUNT(created_at): a column of the covering index, never null (COUNT(id) would
    # read every row from the table).
    aggregates = {
        "received": Count("created_at"),
        "acknowledged": Count("created_at", filter=Q(acknowledged_at__isnull=False)),
        "resolved": Count("created_at", filter=Q(status__in=DONE)),
        "rejected": Count("created_at", filter=Q(status=Status.REJECTED)),
        "open": Count("created_at", filter=Q(status__in=OPEN_STATUSES)),
        "overdue_now": Count("created_at", filter=overdue(now)),
        "resolved_in_time": Count(
            "created_at", filter=Q(status__in=DONE, resolved_at__lte=F("due_at"))
        ),
        "reopened": Count("created_at", filter=Q(status__in=DONE, reopened_count__gt=0)),
        "average_rating": Avg("rating", output_field=FloatField()),
    }
    postgres = connection.vendor == "postgresql"
    if postgres:
        aggregates |= {
            "ack": Percentiles(TO_ACKNOWLEDGE, (0.5, 0.9), filter=Q(acknowledged_at__isnull=False)),
            "resolve": Percentiles(TO_RESOLVE, (0.5, 0.9), filter=Q(resolved_at__isnull=False)),
        }
    rows = list(reports.values(key).annotate(**aggregates).order_by(key))
    named = list(model.objects.filter(id__in=[r[key] for r in rows]))
    codes = {obj.id: obj.code for obj in named}
    names = {
        obj.id: localized(obj, "name") if isinstance(obj, Category) else obj.name for obj in named
    }
    if postgres:
        for row in rows:
            row["ack_median"], row["ack_p90"] = row.pop("ack") or (None, None)
            row["resolve_median"], row["resolve_p90"] = row.pop("resolve") or (None, None)
    else:
        _durations_in_python(reports, key, rows)
    result = [
        {
            by: codes.get(row[key]),
            "name": names.get(row[key], ""),
            "received": row["received"],
            "acknowledged": row["acknowledged"],
            "resolved": row["resolved"],
            "rejected": row["rejected"],
            "open": row["open"],
            "overdue_now": row["overdue_now"],
            "hours_to_acknowledge_median": _hours(row["ack_median"]),
            "hours_to_acknowledge_p90": _hours(row["ack_p90"]),
            "hours_to_resolve_median": _hours(row["resolve_median"]),
            "hours_to_resolve_p90": _hours(row["resolve_p90"]),
            "resolved_within_deadline": round(row["resolved_in_time"] / row["resolved"], 4)
            if row["resolved"]
            else None,
            "average_rating": round(row["average_rating"], 2) if row["average_rating"] else None,
            "reopen_rate": round(row["reopened"] / row["resolved"], 4) if row["resolved"] else None,
        }
        for row in rows
    ]
    return sorted(result, key=lambda r: (r[by] is None, r[by] or ""))


def _percentile(values: list, fraction: float):
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    ordered = sorted(values)
    # The same linear interpolation as PostgreSQL's percentile_cont.
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _durations_in_python(reports: QuerySet[Report], key: str, rows: list[dict]) -> None:
    values = reports.values_list(key, "created_at", "acknowledged_at", "resolved_at")
    ack: dict = {}
    res: dict = {}
    for group, created, acknowledged, resolved in values.iterator():
        if acknowledged:
            ack.setdefault(group, []).append(acknowledged - created)
        if resolved:
            res.setdefault(group, []).append(resolved - created)
    for row in rows:
        group = row[key]
        row["ack_median"] = _percentile(ack.get(group, []), 0.5)
        row["ack_p90"] = _percentile(ack.get(group, []), 0.9)
        row["resolve_median"] = _percentile(res.get(group, []), 0.5)
        row["resolve_p90"] = _percentile(res.get(group, []), 0.9)


TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


SERIES_GROUPS = {"category": "category__code", "area": "area__ancestries__ancestor__code"}


def series(
    reports: QuerySet[Report], interval: str, by: str | None, level: AreaLevel | None = None
) -> list[dict]:
    """Reports received per day, week or month, optionally split by category or
    by area of a level. Across a reform, old reports count within the new areas
    their own map to: the series compares like with like."""
    bucket = TRUNC[interval]("created_at", tzinfo=timezone.get_default_timezone())
    if by:
        reports = grouped(reports, by, level)
    fields = ["bucket", *([SERIES_GROUPS[by]] if by else [])]
    rows = (
        reports.annotate(bucket=bucket)
        .values(*fields)
        .annotate(received=Count("id"))
        .order_by(*fields)
    )
    return [
        {
            "period": row["bucket"].date().isoformat(),
            **({by: row[SERIES_GROUPS[by]]} if by else {}),
            "received": row["received"],
        }
        for row in rows
    ]


EXPORT_COLUMNS = [
    ("reference", "reference"),
    ("category", "category__code"),
    ("area", "area__code"),
    ("edition", "area__edition"),
    ("unit", "unit__code"),
    ("status", "status"),
    ("priority", "priority"),
    ("created_at", "created_at"),
    ("acknowledged_at", "acknowledged_at"),
    ("resolved_at", "resolved_at"),
    ("due_at", "due_at"),
    ("lat", "lat"),
    ("lon", "lon"),
    ("support_count", "support_count"),
    ("rating", "rating"),
    ("visibility", "visibility"),
    ("description", "shown_description"),
]
# A spreadsheet reads a cell that starts with one of these as a formula
# (OWASP's CSV injection): such text is written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_rows(reports: QuerySet[Report]) -> Iterator[str]:
    """CSV lines, streamed: rows come from a server-side cursor in chunks, so a
    million rows never sit in memory. No reporter, no personal data, and only
    the text the public may read: the moderated text of a public report; none
    of a report held for review or hidden (it is still counted)."""
    writer = csv.writer(_Echo())
    yield writer.writerow([name for name, _ in EXPORT_COLUMNS])
    shown = Case(
        When(visibility=Visibility.PUBLIC, then=F("public_description")),
        default=Value(""),
        output_field=TextField(),
    )
    values = (
        reports.annotate(shown_description=shown)
        .order_by("created_at", "id")
        .values_list(*[f for _, f in EXPORT_COLUMNS])
    )
    for row in values.iterator(chunk_size=5000):
        yield writer.writerow([spreadsheet_safe(v) for v in row])
