"""Residents' reports: send one, see it, follow it, say "me too", browse nearby."""

from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import Field

from backend.accounts.auth import (
    AuthedRequest,
    MaybeAuthedRequest,
    OptionalResidentAuth,
    ResidentAuth,
    signed_in_user,
)
from backend.errors import Forbidden
from backend.pages import KeysetPages, PageQuery, keyset_page
from backend.photos.schemas import PhotoOut
from backend.public_cache import cached_for_anonymous
from backend.reports import services, workflow
from backend.reports.feed import FeedQuery, public_reports
from backend.reports.models import Report
from backend.reports.photos import add_report_photo
from backend.reports.schemas import (
    DuplicateCandidateOut,
    ReportCreatedOut,
    ReportIn,
    ReportOut,
    ReportPage,
    ReportSummaryOut,
    Shared,
)
from backend.reports.services import NewReport
from backend.schema_types import Out, errors
from backend.statements import STAND_IN_ID

router = Router(tags=["reports"], auth=ResidentAuth())


def _full_view(report: Report, viewer_id: int | None) -> ReportOut:
    is_mine = viewer_id == report.reporter_id
    return ReportOut.of_report(report, is_mine, *services.timeline_and_photos(report, is_mine))


@router.post(
    "/reports",
    response={200: ReportCreatedOut, 201: ReportCreatedOut, **errors(400, 401, 422, 429, 503)},
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
    report, created, events, photos = services.create_report(request.auth, new)
    if created:  # the answer from what was just written, not read back
        events = [event for event in events if event.is_public]
    else:  # a retry: the report as it is now
        report = services.visible_report(report.id, request.auth)
        events, photos = services.timeline_and_photos(report, is_mine=True)
    shared = Shared()
    candidates = [
        DuplicateCandidateOut.of(c.report, shared=shared, distance_m=round(c.distance_m, 1))
        for c in services.duplicate_candidates(report)
    ]
    return Status(
        201 if created else 200,
        ReportCreatedOut.of_report(report, True, events, photos, duplicate_candidates=candidates),
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


_MY_REPORTS = KeysetPages(
    lambda reporter_id: Report.objects.filter(reporter_id=reporter_id).summaries(),
    reporter_id=STAND_IN_ID,
)


@router.get("/me/reports", response={200: ReportPage, **errors(400, 401, 422)})
def my_reports(request: AuthedRequest, page: Query[PageQuery]):
    """The resident's own reports, newest first, held ones included."""
    rows, next_cursor = _MY_REPORTS.page(page.cursor, page.limit, reporter_id=request.auth.id)
    shared = Shared()
    return ReportPage(
        items=[ReportSummaryOut.of(r, as_reporter=True, shared=shared) for r in rows],
        next_cursor=next_cursor,
    )


@router.get("/reports", response={200: ReportPage, **errors(400, 422)}, auth=None)
@decorate_view(cached_for_anonymous)
def public_feed(request: HttpRequest, query: Query[FeedQuery]):
    """Public reports near a point (lat, lon, radius_m) or in a box (bbox), newest
    first, filtered by category and status; cursor-paginated."""
    queryset = public_reports(query)
    rows, next_cursor = keyset_page(queryset, query.cursor, query.limit)
    shared = Shared()
    return ReportPage(
        items=[ReportSummaryOut.of(r, shared=shared) for r in rows], next_cursor=next_cursor
    )


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
        raise Forbidden(
            _("Only the resident who reported it can add photos."), code="not_your_report"
        )
    saved, created = add_report_photo(report, request.auth, photo.read(), photo_id=photo_id)
    return Status(201 if created else 200, PhotoOut.of(saved, is_uploader=True))
