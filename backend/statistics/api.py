"""Statistics for officials and area managers, and the public's figures."""

from datetime import datetime, time, timedelta
from typing import Literal

from django.db.models import Count, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.security import SessionAuth
from pydantic import Field, model_validator

from backend.accounts.auth import AuthedRequest, StaffAuth
from backend.accounts.models import User
from backend.areas.hierarchy import area_by_code, statistics_level, within
from backend.errors import Unprocessable
from backend.public_cache import cached_for_anonymous
from backend.reports.models import Report, Visibility
from backend.schema_types import IsoDate, errors
from backend.statistics import figures, hotspots
from backend.statistics.access import may_see_statistics, reports_for_statistics


class StaffSession(SessionAuth):
    """The dashboard's page calls the API with its signed-in session."""

    def authenticate(self, request: HttpRequest, key: str | None):
        user = super().authenticate(request, key)
        return user if user is not None and may_see_statistics(user) else None


router = Router(tags=["statistics"], auth=[StaffAuth(), StaffSession()])
MAX_PERIOD = timedelta(days=3 * 366)


class PeriodQuery(Schema):
    start: IsoDate | None = Field(
        default=None, description="First day (local); default 90 days ago"
    )
    end: IsoDate | None = Field(default=None, description="Last day, included; default today")
    category: list[str] = Field(default_factory=list, max_length=20)
    area: str | None = Field(
        default=None, max_length=20, description="Only reports within this area, of any level"
    )

    @model_validator(mode="after")
    def ordered(self) -> "PeriodQuery":
        if self.start and self.end and self.start > self.end:
            raise ValueError("start is after end")
        return self

    def window(self) -> tuple[datetime, datetime]:
        zone = timezone.get_default_timezone()
        end_day = self.end or timezone.localdate()
        start_day = self.start or end_day - timedelta(days=89)
        start = datetime.combine(start_day, time(), zone)
        end = datetime.combine(end_day + timedelta(days=1), time(), zone)
        if end - start > MAX_PERIOD:
            raise Unprocessable(_("A period of at most three years."), code="period_too_long")
        return start, end


def _reports(user: User, query: PeriodQuery) -> QuerySet[Report]:
    start, end = query.window()
    reports = reports_for_statistics(user, start, end, query.category)
    if query.area:
        area = area_by_code(query.area)
        reports = reports.filter(within(area)) if area else reports.none()
    return reports


class LevelQuery(Schema):
    level: str | None = Field(
        default=None,
        max_length=40,
        description="Group areas at this level (province, district, commune, ...); "
        "default the level reports are routed to (communes and wards since 2025)",
    )
    edition: str | None = Field(
        default=None, max_length=40, description="Of this edition of areas; default the active one"
    )


class PerformanceQuery(PeriodQuery, LevelQuery):
    by: Literal["area", "unit", "category"] = "area"


@router.get("/stats/performance", response={200: list[dict], **errors(401, 403, 422)})
def performance(request: AuthedRequest, query: Query[PerformanceQuery]):
    """Per area (of any level, of any edition), unit or category: received,
    acknowledged, resolved, rejected, open, overdue now; median and 90th
    percentile hours to acknowledge and resolve; share resolved within the
    deadline; average rating; reopen rate. Reports from before a reform count
    within the areas their own were mapped to."""
    level = statistics_level(query.level, query.edition) if query.by == "area" else None
    return figures.performance(_reports(request.auth, query), query.by, level)


class SeriesQuery(PeriodQuery, LevelQuery):
    interval: Literal["day", "week", "month"] = "week"
    by: Literal["category", "area"] | None = None


@router.get("/stats/series", response={200: list[dict], **errors(401, 403, 422)})
def series(request: AuthedRequest, query: Query[SeriesQuery]):
    """Reports received per day, week or month, optionally by category or by area
    of a level (across a reform, like with like through the mapping)."""
    level = statistics_level(query.level, query.edition) if query.by == "area" else None
    return figures.series(_reports(request.auth, query), query.interval, query.by, level)


class HotspotQuery(PeriodQuery):
    resolution: int = Field(default=8, ge=7, le=9)
    k: int = Field(default=1, ge=1, le=3, description="Neighbourhood: grid_disk(cell, k)")
    fdr: bool = Field(
        default=False, description="Benjamini-Hochberg false-discovery-rate correction"
    )


@router.get("/stats/hotspots", response={200: dict, **errors(401, 403, 422)})
def hotspot_map(request: AuthedRequest, query: Query[HotspotQuery]):
    """Getis-Ord Gi* over H3 cells as GeoJSON: each cell with its count, z-score,
    p-value and confidence bin (-3..3: cold or hot at 99, 95, 90 %)."""
    column = f"h3_r{query.resolution}"
    counts = dict(
        _reports(request.auth, query).values_list(column).annotate(n=Count("id")).order_by()
    )
    result = hotspots.hotspots(counts, query.resolution, query.k, query.fdr)
    return hotspots.as_geojson(result)


@router.get("/stats/export.csv", response={200: None, **errors(401, 403, 422)})
def export(request: AuthedRequest, query: Query[PeriodQuery]):
    """The period's reports as CSV, streamed; no personal data."""
    rows = figures.export_rows(_reports(request.auth, query))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="reports.csv"'
    return response


public_router = Router(tags=["statistics"], auth=None)


class PublicAreaOut(Schema):
    area: str
    name: str
    level: str
    received: int
    resolved: int
    open: int
    resolved_within_deadline: float | None
    hours_to_resolve_median: float | None


class PublicQuery(LevelQuery):
    days: int = Field(default=90, ge=7, le=366)


@public_router.get("/public/performance", response={200: list[PublicAreaOut], **errors(422)})
@decorate_view(cached_for_anonymous)
def public_performance(request: HttpRequest, query: Query[PublicQuery]):
    """Each area's figures over the last days (per commune and ward by default;
    any level of any edition on request), for everyone: counts only, no one's data."""
    level = statistics_level(query.level, query.edition)
    since = timezone.now() - timedelta(days=query.days)
    reports = Report.objects.filter(created_at__gte=since, visibility=Visibility.PUBLIC)
    return [
        PublicAreaOut(
            area=row["area"],
            name=row["name"],
            level=level.code,
            received=row["received"],
            resolved=row["resolved"],
            open=row["open"],
            resolved_within_deadline=row["resolved_within_deadline"],
            hours_to_resolve_median=row["hours_to_resolve_median"],
        )
        for row in figures.performance(reports, "area", level)
    ]
