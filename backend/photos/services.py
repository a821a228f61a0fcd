"""Storing photos: checked in the request, processed after commit.

Photos sit below reports: a photo knows the report it is on by id and place
(`ReportPlace`), and the reports app records what happened on its timeline
(`backend.reports.photos`)."""

import uuid
from typing import Protocol

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.errors import ServiceError, Unprocessable
from backend.geo import distance_m
from backend.jobs import enqueue_on_commit
from backend.photos.inspection import PhotoFacts, inspect_photo
from backend.photos.models import Photo, PhotoKind
from backend.photos.signals import photo_attached


class ReportPlace(Protocol):
    """What photos need of the report a photo is on (a Report is one)."""

    id: uuid.UUID
    lat: float
    lon: float


def _mismatch(photo_id: uuid.UUID) -> Unprocessable:
    return Unprocessable(
        _("A photo with this id was already sent with different content."),
        code="idempotency_mismatch",
        details={"photo_id": str(photo_id)},
    )


def _existing(
    uploader: User, facts: PhotoFacts, photo_id: uuid.UUID | None, report: ReportPlace | None
) -> Photo | None:
    if photo_id is not None:
        found = Photo.objects.filter(id=photo_id).first()
        if found is None:
            return None
        same_report = report is None or found.report_id in (None, report.id)
        if found.uploader_id != uploader.id or found.sha256 != facts.sha256 or not same_report:
            raise _mismatch(photo_id)
        return found
    if report is not None:
        return Photo.objects.filter(report_id=report.id, sha256=facts.sha256).first()
    return Photo.objects.filter(uploader=uploader, report=None, sha256=facts.sha256).first()


def add_photo(
    uploader: User,
    data: bytes,
    *,
    photo_id: uuid.UUID | None = None,
    report: ReportPlace | None = None,
    kind: str = PhotoKind.REPORT,
) -> tuple[Photo, bool]:
    """Check a photo, store its original privately and queue its processing.

    Returns (photo, created). A retry (same photo id, or the same bytes on the
    same report) returns the first photo and stores nothing.
    """
    facts = inspect_photo(data)
    existing = _existing(uploader, facts, photo_id, report)
    if existing is not None:
        return existing, False
    photo = Photo(
        id=photo_id or uuid.uuid4(),
        report_id=report.id if report else None,
        uploader=uploader,
        kind=kind,
        sha256=facts.sha256,
        format=facts.format,
        width=facts.width,
        height=facts.height,
        size_bytes=facts.size_bytes,
        exif_lat=facts.lat,
        exif_lon=facts.lon,
        exif_taken_at=facts.taken_at,
        exif_orientation=facts.orientation,
    )
    try:
        with transaction.atomic():
            if report is not None:
                _check_room(report, kind)
                photo.distance_to_report_m = _distance(photo, report)
            photo.original.save(
                f"originals/{photo.id}.{facts.format}", ContentFile(data), save=False
            )
            photo.save(force_insert=True)
            enqueue_on_commit(_process_photo_job(), str(photo.id))
    except IntegrityError:
        # The same upload arrived twice at once; the other one stored it.
        existing = _existing(uploader, facts, photo_id, report)
        if existing is None:
            raise
        return existing, False
    return photo, True


def _process_photo_job():
    from backend.photos.processing import process_photo

    return process_photo


def _check_room(report: ReportPlace, kind: str) -> None:
    # Concurrent uploads to one report wait for each other on its row, so that
    # two of them never both read a count below the limit.
    report_model = Photo._meta.get_field("report").related_model
    report_model._default_manager.select_for_update().filter(id=report.id).first()
    count = Photo.objects.filter(report_id=report.id, kind=kind).count()
    if count >= settings.PHOTOS_PER_REPORT:
        raise ServiceError(
            _("A report can have at most %(count)s photos.")
            % {"count": settings.PHOTOS_PER_REPORT},
            code="too_many_photos",
            status=409,
            details={"max_photos": settings.PHOTOS_PER_REPORT},
        )


def _distance(photo: Photo, report: ReportPlace) -> float | None:
    if photo.exif_lat is None or photo.exif_lon is None:
        return None
    return round(distance_m(photo.exif_lat, photo.exif_lon, report.lat, report.lon), 1)


def attach_photos(report: ReportPlace, uploader: User, photo_ids: list[uuid.UUID]) -> list[Photo]:
    """Photo-first flow: give the report the photos its resident uploaded before it.

    Returns the photos newly attached (none on a retry)."""
    if not photo_ids:
        return []
    if len(set(photo_ids)) > settings.PHOTOS_PER_REPORT:
        raise ServiceError(
            _("A report can have at most %(count)s photos.")
            % {"count": settings.PHOTOS_PER_REPORT},
            code="too_many_photos",
            status=409,
        )
    photos = list(
        Photo.objects.select_for_update().filter(
            id__in=set(photo_ids), uploader=uploader, kind=PhotoKind.REPORT
        )
    )
    usable = [p for p in photos if p.report_id in (None, report.id)]
    if len(usable) != len(set(photo_ids)):
        raise Unprocessable(
            _("Some photos are unknown or belong to another report."),
            code="invalid_photo_ids",
            details={"photo_ids": sorted(str(i) for i in set(photo_ids) - {p.id for p in usable})},
        )
    attached = [p for p in usable if p.report_id != report.id]
    for photo in attached:
        photo.report_id = report.id
        photo.distance_to_report_m = _distance(photo, report)
        photo.save(update_fields=["report", "distance_to_report_m"])
        photo_attached.send(sender=Photo, photo=photo)
    return attached
