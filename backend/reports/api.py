"""Residents' reports: send one, see it, follow it, say "me too", browse nearby."""

from math import cos, radians
from uuid import UUID

from django.conf import settings
from django.db.models import F, Q
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import Field, model_validator

from backend.accounts.auth import (
    AuthedRequest,
    MaybeAuthedRequest,
    OptionalResidentAuth,
    ResidentAuth,
    signed_in_user,
)
from backend.errors import Forbidden
from backend.pages import MAX_PAGE_SIZE, keyset_page
from backend.photos.models import Photo, PhotoState
from backend.photos.schemas import PhotoOut
from backend.public_cache import cached_for_anonymous
from backend.reports import services, workflow
from backend.reports.models import Report, ReportEvent, Visibility
from backend.reports.models import Status as ReportStatus
from backend.reports.photos import add_report_photo
from backend.reports.schemas import (
    DuplicateCandidateOut,
    ReportCreatedOut,
    ReportIn,
    ReportOut,
    ReportPage,
    ReportSummaryOut,
)
from backend.reports.services import NewReport
from backend.schema_types import IsoDateTime, Out, errors

router = Router(tags=["reports"], auth=ResidentAuth())

METRES_PER_DEGREE = 111_320.0


def _full_view(report: Report, viewer_id: int | None) -> ReportOut:
    is_mine = viewer_id == report.reporter_id
    # Internal notes are the staff's; no resident sees them, the reporter included.
    events = (
        ReportEvent.objects.filter(report=report, is_public=True)
        .select_related("actor")
        .only("kind", "created_at", "message", "data", "actor__role")
    )
    photos = Photo.objects.filter(report=report).order_by("created_at")
    if not is_mine:
        photos = photos.filter(state=PhotoState.READY, hidden=False)
    return ReportOut.of_report(report, is_mine, list(events), list(photos))


@router.post(
    "/reports",
    response={200: ReportCreatedOut, 201: ReportCreatedOut, **errors(400, 401, 422, 429)},
)
def create_report(request: AuthedRequest, payload: ReportIn):
    """Send a report. 201 when it is new; 200 when this id was already sent with the
    same content (a retry); 422 `idempotency_mismatch` when with other content.

    The report is routed at once to its district, commune and unit, and the
    answer lists open reports of the same category nearby, so the app can offer
    "me too" instead.
    """
    new = NewReport(
        id=payload.id,
        category_code=payload.category,
        description=payload.description,
        lat=payload.lat,
        lon=payload.lon,
        accuracy_m=payload.accuracy_m,
        address=payload.address,
        photo_ids=tuple(payload.photo_ids),
        attributes=payload.attributes,
    )
    report, created = services.create_report(request.auth, new)
    report = Report.objects.with_related("category", "district", "commune", "unit").get(
        id=report.id
    )
    view = _full_view(report, request.auth.id)
    candidates = [
        DuplicateCandidateOut(
            **dict(ReportSummaryOut.of(c.report)), distance_m=round(c.distance_m, 1)
        )
        for c in services.duplicate_candidates(report)
    ]
    return Status(
        201 if created else 200,
        ReportCreatedOut(**dict(view), duplicate_candidates=candidates),
    )


@router.get(
    "/reports/{report_id}",
    response={200: ReportOut, **errors(401, 404, 422)},
    auth=OptionalResidentAuth(),
)
@decorate_view(cached_for_anonymous)
def get_report(request: MaybeAuthedRequest, report_id: UUID):
    """A report with its timeline: the reporter's full view for its reporter,
    the public view (no reporter, no internal notes) for everyone else."""
    viewer = signed_in_user(request.auth)
    report = services.visible_report(report_id, viewer)
    return _full_view(report, viewer.id if viewer else None)


class SupportOut(Out):
    report_id: UUID
    support_count: int
    supported: bool = True
    following: bool = True


@router.post(
    "/reports/{report_id}/support", response={200: SupportOut, **errors(401, 404, 409, 422)}
)
def support_report(request: AuthedRequest, report_id: UUID):
    """ "Me too": counted once per resident, who then follows the report."""
    report, _new = services.support_report(report_id, request.auth)
    return SupportOut(report_id=report.id, support_count=report.support_count)


class PageQuery(Schema):
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)


@router.get("/me/reports", response={200: ReportPage, **errors(400, 401, 422)})
def my_reports(request: AuthedRequest, page: Query[PageQuery]):
    """The resident's own reports, newest first, held ones included."""
    queryset = Report.objects.filter(reporter=request.auth).summaries()
    rows, next_cursor = keyset_page(queryset, page.cursor, page.limit)
    return ReportPage(
        items=[ReportSummaryOut.of(r, is_mine=True) for r in rows], next_cursor=next_cursor
    )


class FeedQuery(PageQuery):
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    radius_m: float = Field(default=1000, gt=0, le=settings.FEED_MAX_RADIUS_M)
    bbox: str | None = Field(
        default=None, description="min_lon,min_lat,max_lon,max_lat", max_length=100
    )
    category: list[str] = Field(default_factory=list, max_length=20)
    status: list[ReportStatus] = Field(default_factory=list, max_length=10)
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


@router.get("/reports", response={200: ReportPage, **errors(400, 422)}, auth=None)
@decorate_view(cached_for_anonymous)
def public_feed(request: HttpRequest, query: Query[FeedQuery]):
    """Public reports near a point (lat, lon, radius_m) or in a box (bbox), newest
    first, filtered by category and status; cursor-paginated."""
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
    rows, next_cursor = keyset_page(queryset, query.cursor, query.limit)
    return ReportPage(items=[ReportSummaryOut.of(r) for r in rows], next_cursor=next_cursor)


class RatingIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=1000)


@router.post("/reports/{report_id}/rating", response={200: ReportOut, **errors(401, 404, 409, 422)})
def rate_report(request: AuthedRequest, report_id: UUID, payload: RatingIn):
    """Rate the fix of your resolved report, 1 to 5, with an optional comment."""
    report = workflow.rate(report_id, request.auth, payload.rating, payload.comment)
    return _full_view(services.visible_report(report.id, request.auth), request.auth.id)


class ReopenIn(Schema):
    reason: str = Field(min_length=1, max_length=1000)


@router.post("/reports/{report_id}/reopen", response={200: ReportOut, **errors(401, 404, 409, 422)})
def reopen_report(request: AuthedRequest, report_id: UUID, payload: ReopenIn):
    """Not really fixed: reopen your resolved report within the reopen window."""
    report = workflow.reopen(report_id, request.auth, payload.reason)
    return _full_view(services.visible_report(report.id, request.auth), request.auth.id)


@router.post(
    "/reports/{report_id}/photos",
    response={200: PhotoOut, 201: PhotoOut, **errors(400, 401, 404, 409, 413, 415, 422)},
    tags=["photos"],
)
def upload_report_photo(
    request: AuthedRequest,
    report_id: UUID,
    photo: File[UploadedFile],
    photo_id: Form[UUID | None] = None,
):
    """Add a photo (JPEG, PNG, WebP, HEIC/HEIF; multipart field `photo`) to your report.

    Send your own `photo_id` (a UUID) to make a retry safe; without one, the same
    bytes on the same report are recognised. 201 for a new photo, 200 for a
    retry. The answer carries the photo's EXIF position and capture time; its
    public derivatives appear once processed.
    """
    report = services.visible_report(report_id, request.auth)
    if report.reporter_id != request.auth.id:
        raise Forbidden("Only the resident who reported it can add photos.", code="not_your_report")
    saved, created = add_report_photo(report, request.auth, photo.read(), photo_id=photo_id)
    return Status(201 if created else 200, PhotoOut.of(saved, is_uploader=True))
