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


@dataclass(frozen=True)
class ReporterHistory:
    in_last_hour: int
    oldest_in_last_hour: datetime | None
    total: int
    rejected: int
    # The fingerprint of this resident's report with the new report's id, if
    # the request is a replay.
    replayed_fingerprint: str | None


def reporter_history(reporter: User, report_id: uuid.UUID, now: datetime) -> ReporterHistory:
    hour = Q(created_at__gte=now - timedelta(hours=1))
    counts = Report.objects.filter(reporter=reporter).aggregate(
        in_last_hour=Count("id", filter=hour),
        oldest_in_last_hour=Min("created_at", filter=hour),
        total=Count("id"),
        rejected=Count("id", filter=Q(status=Status.REJECTED)),
        replayed_fingerprint=Max("request_fingerprint", filter=Q(id=report_id)),
    )
    return ReporterHistory(**counts)


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
