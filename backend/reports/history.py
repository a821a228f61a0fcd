"""A resident's recent history, read once for each new report: what the rate
limit, a replayed request and the screening rules need, in one query."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.errors import ServiceError
from backend.reports.models import Report, Status
from backend.statements import STAND_IN_ID, STAND_IN_TIME, STAND_IN_UUID, Statement


@dataclass(frozen=True)
class ReporterHistory:
    in_last_hour: int
    oldest_in_last_hour: datetime | None
    total: int
    rejected: int
    # The fingerprint of this resident's report with the new report's id, if
    # the request is a replay.
    replayed_fingerprint: str | None


# Read for every new report: compiled once (`backend.statements`).
_HISTORY: Statement = Statement(
    lambda reporter_id, since, report_id: (
        Report.objects.filter(reporter_id=reporter_id)
        .values_list("reporter")
        .annotate(
            in_last_hour=Count("id", filter=Q(created_at__gte=since)),
            oldest_in_last_hour=Min("created_at", filter=Q(created_at__gte=since)),
            total=Count("id"),
            rejected=Count("id", filter=Q(status=Status.REJECTED)),
            replayed_fingerprint=Max("request_fingerprint", filter=Q(id=report_id)),
        )
    ),
    reporter_id=STAND_IN_ID,
    since=STAND_IN_TIME,
    report_id=STAND_IN_UUID,
)


def reporter_history(reporter: User, report_id: uuid.UUID, now: datetime) -> ReporterHistory:
    row = _HISTORY.first(
        reporter_id=reporter.id, since=now - timedelta(hours=1), report_id=report_id
    )
    if row is None:  # their first report
        return ReporterHistory(0, None, 0, 0, None)
    _reporter, *counts = row
    return ReporterHistory(*counts)


def check_report_rate(history: ReporterHistory, now: datetime, limit: int | None = None) -> None:
    """At most `limit` (REPORTS_PER_HOUR) new reports per resident, counted in
    the database so that it holds across processes and a replayed request does
    not count. The resident may send again once the oldest report of the hour
    is an hour old."""
    limit = limit or settings.REPORTS_PER_HOUR
    oldest = history.oldest_in_last_hour
    if history.in_last_hour >= limit and oldest is not None:
        raise over_hourly_limit(limit, oldest, now)


def over_hourly_limit(limit: int, oldest: datetime, now: datetime) -> ServiceError:
    """The 429 of an hourly limit reached: the sender may send again once the
    oldest report of the hour is an hour old."""
    retry_after = max(1, int((oldest + timedelta(hours=1) - now).total_seconds()) + 1)
    return ServiceError(
        _("You can send at most %(limit)s reports an hour. Please try again later.")
        % {"limit": limit},
        code="rate_limited",
        status=429,
        details={"retry_after_seconds": retry_after},
        headers={"Retry-After": str(retry_after)},
    )
