"""How reports and their timelines are sent and shown."""

from collections.abc import Callable
from datetime import datetime
from typing import Any, Self
from uuid import UUID

from django.utils import timezone
from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

from backend.areas.schemas import AreaOut, UnitOut
from backend.areas.units import unit_of
from backend.catalogue.active import category_of
from backend.catalogue.schemas import CategoryRef
from backend.i18n import current_language
from backend.photos.models import Photo
from backend.photos.schemas import PhotoOut
from backend.reports.models import EventKind, Report, ReportEvent, Status
from backend.schema_types import Out


class ReportIn(Schema):
    """A new report. `id` is made by the app (a UUID): sending it again is safe."""

    model_config = ConfigDict(extra="forbid")

    id: UUID
    category: str = Field(min_length=1, max_length=50)
    description: str = Field(min_length=1, max_length=2000)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    address: str = Field(default="", max_length=300)
    photo_ids: list[UUID] = Field(
        default_factory=list, max_length=10, description="Photos uploaded before the report"
    )
    attributes: dict[str, str | list[str]] = Field(
        default_factory=dict, max_length=20, description="Answers to the category's questions"
    )

    @field_validator("description", "address")
    @classmethod
    def strip_text(cls, value: str) -> str:
        return value.strip()

    @field_validator("description")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value:
            raise ValueError("must not be blank")
        return value


class EventOut(Out):
    kind: str
    kind_label: str = Field(description="What happened, in the request's language")
    at: datetime
    message: str
    data: dict[str, Any]
    by_staff: bool

    @classmethod
    def of(cls, event: ReportEvent) -> "EventOut":
        actor = event.actor
        return cls(
            kind=event.kind,
            kind_label=str(EventKind(event.kind).label),
            at=event.created_at,
            message=event.message,
            data=event.data,
            by_staff=actor is not None and not actor.is_resident,
        )


_UNBUILT = object()


class Shared:
    """What the items of one answer have in common, each built once for the
    answer: a page of twenty reports shows two or three categories, statuses,
    areas and units, in one language (built per item, they were a sixth of a
    staff queue page's time). It lives as long as the answer being built."""

    def __init__(self) -> None:
        self.language = current_language()
        self.now = timezone.now()  # the answer's moment: what is overdue
        self._built: dict[tuple, Any] = {}

    def _once(self, key: tuple, build: Callable[[], Any]) -> Any:
        value = self._built.get(key, _UNBUILT)
        if value is _UNBUILT:
            value = self._built[key] = build()
        return value

    def category(self, category_id: int) -> CategoryRef:
        return self._once(
            ("category", category_id),
            lambda: CategoryRef.of(category_of(category_id), self.language),
        )

    def status_label(self, status: str) -> str:
        return self._once(("status", status), lambda: str(Status(status).label))

    def areas(self, area_id: int | None) -> list[AreaOut]:
        return self._once(("areas", area_id), lambda: AreaOut.chain(area_id))

    def unit(self, unit_id: int | None) -> UnitOut | None:
        return self._once(("unit", unit_id), lambda: UnitOut.of(unit_of(unit_id)))


class ReportSummaryOut(Out):
    id: UUID
    reference: str
    category: CategoryRef
    description: str
    status: str
    status_label: str = Field(description="The status in the request's language")
    lat: float
    lon: float
    areas: list[AreaOut] = Field(description="The areas it lies in, largest first")
    support_count: int
    created_at: datetime

    @classmethod
    def of(
        cls, report: Report, as_reporter: bool = False, shared: Shared | None = None, **more: Any
    ) -> Self:
        """The summary of a report (with its text as written, for its reporter
        and the staff), and `more`, the fields a subclass adds: one model built
        per report, not a summary first and then a copy of it. The items of a
        page pass the page's `shared`."""
        shared = shared or Shared()
        return cls(
            id=report.id,
            reference=report.reference,
            category=shared.category(report.category_id),
            description=report.description if as_reporter else report.public_description,
            status=report.status,
            status_label=shared.status_label(report.status),
            lat=report.lat,
            lon=report.lon,
            areas=shared.areas(report.area_id),
            support_count=report.support_count,
            created_at=report.created_at,
            **more,
        )


class ReportOut(ReportSummaryOut):
    """One report. `is_mine` marks the reporter's own full view; nobody else ever
    sees who reported it."""

    address: str
    accuracy_m: float | None
    unit: UnitOut | None
    priority: str
    due_at: datetime
    updated_at: datetime
    is_mine: bool
    visibility: str | None = Field(description="Moderation state; only in the reporter's view")
    photos: list[PhotoOut]
    timeline: list[EventOut]

    @classmethod
    def of_report(
        cls,
        report: Report,
        is_mine: bool,
        events: list[ReportEvent],
        photos: list[Photo],
        **more: Any,
    ) -> Self:
        return cls.of(
            report,
            is_mine,
            address=report.address if is_mine else report.public_address,
            accuracy_m=report.accuracy_m if is_mine else None,
            unit=UnitOut.of(unit_of(report.unit_id)),
            priority=report.priority,
            due_at=report.due_at,
            updated_at=report.updated_at,
            is_mine=is_mine,
            visibility=report.visibility if is_mine else None,
            photos=[PhotoOut.of(p, is_uploader=is_mine) for p in photos],
            timeline=[EventOut.of(e) for e in events],
            **more,
        )


class DuplicateCandidateOut(ReportSummaryOut):
    distance_m: float


class ReportCreatedOut(ReportOut):
    duplicate_candidates: list[DuplicateCandidateOut]


class ReportPage(Out):
    items: list[ReportSummaryOut]
    next_cursor: str | None
