"""Photos on a report: stored by the photos app, told on the report's timeline."""

import uuid

from backend.accounts.models import User
from backend.photos import services as photos
from backend.photos.models import Photo, PhotoKind
from backend.reports.models import EventKind, Report
from backend.reports.timeline import NewEvent, record_events


def _added(photo: Photo, uploader: User) -> NewEvent:
    return NewEvent(
        EventKind.PHOTO_ADDED,
        actor=uploader,
        data={"photo": str(photo.id), "kind": photo.kind},
    )


def add_report_photo(
    report: Report,
    uploader: User,
    data: bytes,
    *,
    photo_id: uuid.UUID | None = None,
    kind: str = PhotoKind.REPORT,
) -> tuple[Photo, bool]:
    """A photo uploaded to an existing report (a resident's, a staff member's
    "after" photo, an Open311 client's). Returns (photo, created); a retry
    returns the first photo and records nothing."""
    photo, created = photos.add_photo(uploader, data, photo_id=photo_id, report=report, kind=kind)
    if created:
        record_events(report, [_added(photo, uploader)])
    return photo, created


def attach_uploaded_photos(
    report: Report, uploader: User, photo_ids: list[uuid.UUID]
) -> list[Photo]:
    """The photos a resident uploaded before sending the new report, now on it."""
    attached = photos.attach_photos(report, uploader, photo_ids)
    if attached:
        record_events(report, [_added(photo, uploader) for photo in attached])
    return sorted(attached, key=lambda photo: photo.created_at)
