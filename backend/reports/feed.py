"""The public feed: which public reports a resident browsing the map is shown."""

from math import cos, radians

from django.conf import settings
from django.db.models import F, Q
from pydantic import Field, model_validator

from backend.pages import PageQuery
from backend.reports.models import Report, ReportQuerySet, Status, Visibility
from backend.schema_types import IsoDateTime

METRES_PER_DEGREE = 111_320.0


class FeedQuery(PageQuery):
    """Where, what and since when, and the page."""

    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    radius_m: float = Field(default=1000, gt=0, le=settings.FEED_MAX_RADIUS_M)
    bbox: str | None = Field(
        default=None, description="min_lon,min_lat,max_lon,max_lat", max_length=100
    )
    category: list[str] = Field(default_factory=list, max_length=20)
    status: list[Status] = Field(default_factory=list, max_length=10)
    since: IsoDateTime | None = None

    @model_validator(mode="after")
    def point_is_whole(self) -> "FeedQuery":
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together")
        if self.bbox is not None:
            parts = self.bbox.split(",")
            try:
                min_lon, min_lat, max_lon, max_lat = (float(p) for p in parts)
            except ValueError:
                raise ValueError("bbox is four numbers: min_lon,min_lat,max_lon,max_lat") from None
            if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
                raise ValueError("bbox corners are out of range or swapped")
        return self


def _near(lat: float, lon: float, radius_m: float) -> Q:
    """Within radius_m of the point: a bounding box the index can use, then an
    equirectangular distance (exact enough at feed scale, in any database)."""
    dlat = radius_m / METRES_PER_DEGREE
    dlon = dlat / max(cos(radians(lat)), 0.01)
    return Q(lat__range=(lat - dlat, lat + dlat), lon__range=(lon - dlon, lon + dlon))


def public_reports(query: FeedQuery) -> ReportQuerySet:
    """Public reports near a point or in a box, of some categories and statuses,
    since a moment: the rows of the feed, as summaries, not yet ordered."""
    queryset = Report.objects.filter(visibility=Visibility.PUBLIC).summaries()
    if query.lat is not None and query.lon is not None:
        queryset = queryset.filter(_near(query.lat, query.lon, query.radius_m))
        scale = cos(radians(query.lat)) ** 2
        queryset = queryset.alias(
            sq_deg=(F("lat") - query.lat) * (F("lat") - query.lat)
            + (F("lon") - query.lon) * (F("lon") - query.lon) * scale
        ).filter(sq_deg__lte=(query.radius_m / METRES_PER_DEGREE) ** 2)
    if query.bbox:
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in query.bbox.split(","))
        queryset = queryset.filter(lat__range=(min_lat, max_lat), lon__range=(min_lon, max_lon))
    if query.category:
        queryset = queryset.filter(category__code__in=query.category)
    if query.status:
        queryset = queryset.filter(status__in=query.status)
    if query.since:
        queryset = queryset.filter(created_at__gte=query.since)
    return queryset
