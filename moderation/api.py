"""The moderators' review queue and decisions, and residents' flags."""

from datetime import datetime
from uuid import UUID

from django.conf import settings
from ninja import Query, Router, Schema
from ninja.throttling import AuthRateThrottle, BaseThrottle
from pydantic import Field

from backend.accounts.auth import AuthedRequest, ResidentAuth, StaffAuth
from backend.pages import MAX_PAGE_SIZE
from backend.photos.models import Photo
from backend.schema_types import Out, errors
from moderation import services
from moderation.reasons import describe

router = Router(tags=["moderation"], auth=StaffAuth())


class ModerationThrottle(AuthRateThrottle):
    scope = "moderation"

    def __init__(self) -> None:
        super().__init__(settings.MODERATION_ACTIONS_RATE)


ACTION_THROTTLE: list[BaseThrottle] = [ModerationThrottle()]
ACTION_ERRORS = errors(401, 403, 404, 409, 422, 429)


class CaseOut(Out):
    report_id: UUID
    reference: str
    category: str
    opened_at: datetime
    score: float
    reasons: list[dict] = Field(
        description="Each reason's rule (a stable code), score and details, and its "
        "`label` in the request's language"
    )
    description: str = Field(description="As the resident wrote it")
    public_description: str
    address: str = Field(description="As the resident wrote it")
    public_address: str
    visibility: str
    photos: list[UUID]


class QueueQuery(Schema):
    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)


@router.get("/moderation/queue", response={200: list[CaseOut], **errors(401, 403, 422)})
def review_queue(request: AuthedRequest, query: Query[QueueQuery]):
    """Reports held for review in your area, oldest first, with the reasons."""
    cases = list(services.review_queue(request.auth)[: query.limit])
    photos: dict = {}
    for photo in Photo.objects.filter(report_id__in=[c.report_id for c in cases]):
        photos.setdefault(photo.report_id, []).append(photo.id)
    return [
        CaseOut(
            report_id=c.report_id,
            reference=c.report.reference,
            category=c.report.category.code,
            opened_at=c.opened_at,
            score=c.score,
            reasons=[{**r, "label": describe(r)} for r in c.reasons],
            description=c.report.description,
            public_description=c.report.public_description,
            address=c.report.address,
            public_address=c.report.public_address,
            visibility=c.report.visibility,
            photos=photos.get(c.report_id, []),
        )
        for c in cases
    ]


class DecisionOut(Out):
    report_id: UUID
    visibility: str
    status: str


def _decision(report) -> DecisionOut:
    return DecisionOut(report_id=report.id, visibility=report.visibility, status=report.status)


@router.post(
    "/moderation/reports/{report_id}/approve",
    response={200: DecisionOut, **ACTION_ERRORS},
    throttle=ACTION_THROTTLE,
)
def approve(request: AuthedRequest, report_id: UUID):
    """Publish a held report; it enters its unit's queue."""
    return _decision(services.approve(request.auth, report_id))


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=1000)


@router.post(
    "/moderation/reports/{report_id}/reject",
    response={200: DecisionOut, **ACTION_ERRORS},
    throttle=ACTION_THROTTLE,
)
def reject(request: AuthedRequest, report_id: UUID, payload: ReasonIn):
    """Reject a report; its reporter is told the reason."""
    return _decision(services.reject(request.auth, report_id, payload.reason))


@router.post(
    "/moderation/reports/{report_id}/photos/{photo_id}/hide",
    response={200: DecisionOut, **ACTION_ERRORS},
    throttle=ACTION_THROTTLE,
)
def hide_photo(request: AuthedRequest, report_id: UUID, photo_id: UUID, payload: ReasonIn):
    photo = services.hide_photo(request.auth, report_id, photo_id, payload.reason)
    return _decision(photo.report)


class TextIn(Schema):
    public_description: str = Field(min_length=1, max_length=2000)
    public_address: str | None = Field(
        default=None,
        max_length=300,
        description="The address the public reads; unchanged if left out",
    )
    reason: str = Field(default="", max_length=1000)


@router.post(
    "/moderation/reports/{report_id}/text",
    response={200: DecisionOut, **ACTION_ERRORS},
    throttle=ACTION_THROTTLE,
)
def edit_text(request: AuthedRequest, report_id: UUID, payload: TextIn):
    """Change what the public reads of a report (its description, and its address if
    given); the original stays in the audit trail."""
    return _decision(
        services.edit_public_text(
            request.auth,
            report_id,
            payload.public_description,
            payload.reason,
            address=payload.public_address,
        )
    )


class BanIn(Schema):
    days: int = Field(ge=1, le=3650)
    reason: str = Field(min_length=1, max_length=1000)


class BanOut(Out):
    until: datetime


@router.post(
    "/moderation/reports/{report_id}/ban-reporter",
    response={200: BanOut, **ACTION_ERRORS},
    throttle=ACTION_THROTTLE,
)
def ban_reporter(request: AuthedRequest, report_id: UUID, payload: BanIn):
    """Ban the resident who sent this report from sending new ones for a while."""
    ban = services.ban_resident(request.auth, report_id, payload.days, payload.reason)
    return BanOut(until=ban.until)


class FlagIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class FlagOut(Out):
    flags: int
    under_review: bool


@router.post(
    "/reports/{report_id}/flag",
    response={200: FlagOut, **errors(401, 404, 409, 422)},
    auth=ResidentAuth(),
)
def flag_report(request: AuthedRequest, report_id: UUID, payload: FlagIn):
    """Tell the moderators a public report should not be public (once per resident)."""
    count, held = services.flag(request.auth, report_id, payload.reason)
    return FlagOut(flags=count, under_review=held)
