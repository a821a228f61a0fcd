"""Schemas shared by the resident-facing routers."""

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

from backend.api_kit import Out
from backend.areas.models import Area, Unit
from backend.areas.routing import AreaRef
from backend.catalogue.models import Category
from backend.i18n import localized
from backend.photos.models import Photo, PhotoState
from backend.reports.models import Report, ReportEvent


class AreaOut(Out):
    code: str
    name: str
    level: str

    @classmethod
    def of(cls, area: Area | AreaRef | None) -> "AreaOut | None":
        return None if area is None else cls(code=area.code, name=area.name, level=area.level)


class UnitOut(Out):
    code: str
    name: str

    @classmethod
    def of(cls, unit: Unit | None) -> "UnitOut | None":
        return None if unit is None else cls(code=unit.code, name=unit.name)


class CategoryOut(Out):
    code: str
    group: str
    name: str
    description: str
    default_priority: str
    sla_hours: int
    attributes: list[dict] = Field(description="Extra questions (Open311 attribute form)")

    @classmethod
    def of(cls, category: Category) -> "CategoryOut":
        return cls(
            code=category.code,
            group=category.group,
            name=localized(category, "name"),
            description=localized(category, "description"),
            default_priority=category.default_priority,
            sla_hours=category.sla_hours,
            attributes=category.attributes,
        )


class CategoryRef(Out):
    code: str
    name: str

    @classmethod
    def of(cls, category: Category) -> "CategoryRef":
        return cls(code=category.code, name=localized(category, "name"))


class Coordinates(Schema):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


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


class PhotoMetadataOut(Out):
    lat: float | None
    lon: float | None
    taken_at: datetime | None


class PhotoOut(Out):
    """A photo. URLs appear once it is processed; only stripped derivatives are
    ever public. The uploader also sees what its EXIF said."""

    id: UUID
    kind: str
    state: str
    large_url: str | None
    thumbnail_url: str | None
    width: int
    height: int
    format: str
    failure_reason: str | None = None
    metadata: PhotoMetadataOut | None = None
    distance_to_report_m: float | None = None

    @classmethod
    def of(cls, photo: Photo, is_uploader: bool) -> "PhotoOut":
        ready = photo.state == PhotoState.READY
        return cls(
            id=photo.id,
            kind=photo.kind,
            state=photo.state,
            large_url=photo.large.url if ready and photo.large else None,
            thumbnail_url=photo.thumbnail.url if ready and photo.thumbnail else None,
            width=photo.width,
            height=photo.height,
            format=photo.format,
            failure_reason=photo.failure_reason if is_uploader else None,
            metadata=PhotoMetadataOut(
                lat=photo.exif_lat, lon=photo.exif_lon, taken_at=photo.exif_taken_at
            )
            if is_uploader
            else None,
            distance_to_report_m=photo.distance_to_report_m if is_uploader else None,
        )


class EventOut(Out):
    kind: str
    at: datetime
    message: str
    data: dict[str, Any]
    by_staff: bool

    @classmethod
    def of(cls, event: ReportEvent) -> "EventOut":
        actor = event.actor
        return cls(
            kind=event.kind,
            at=event.created_at,
            message=event.message,
            data=event.data,
            by_staff=actor is not None and not actor.is_resident,
        )


class ReportSummaryOut(Out):
    id: UUID
    reference: str
    category: CategoryRef
    description: str
    status: str
    lat: float
    lon: float
    district: AreaOut
    support_count: int
    created_at: datetime

    @classmethod
    def of(cls, report: Report, is_mine: bool = False) -> "ReportSummaryOut":
        return cls(
            id=report.id,
            reference=report.reference,
            category=CategoryRef.of(report.category),
            description=report.description if is_mine else report.public_description,
            status=report.status,
            lat=report.lat,
            lon=report.lon,
            district=AreaOut.of(report.district),
            support_count=report.support_count,
            created_at=report.created_at,
        )


class ReportOut(ReportSummaryOut):
    """One report. `is_mine` marks the reporter's own full view; nobody else ever
    sees who reported it."""

    address: str
    accuracy_m: float | None
    commune: AreaOut | None
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
        cls, report: Report, is_mine: bool, events: list[ReportEvent], photos: list[Photo]
    ) -> "ReportOut":
        summary = dict(ReportSummaryOut.of(report, is_mine))
        return cls(
            **summary,
            address=report.address,
            accuracy_m=report.accuracy_m if is_mine else None,
            commune=AreaOut.of(report.commune),
            unit=UnitOut.of(report.unit),
            priority=report.priority,
            due_at=report.due_at,
            updated_at=report.updated_at,
            is_mine=is_mine,
            visibility=report.visibility if is_mine else None,
            photos=[PhotoOut.of(p, is_uploader=is_mine) for p in photos],
            timeline=[EventOut.of(e) for e in events],
        )


class DuplicateCandidateOut(ReportSummaryOut):
    distance_m: float


class ReportCreatedOut(ReportOut):
    duplicate_candidates: list[DuplicateCandidateOut]


class ReportPage(Out):
    items: list[ReportSummaryOut]
    next_cursor: str | None
