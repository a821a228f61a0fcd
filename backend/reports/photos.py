"""Photos on a report: stored by the photos app, told on the report's timeline."""

import uuid

from backend.accounts.models import User
from backend.photos import services as photos
from backend.photos.models import Photo, PhotoKind
from backend.reports.models import EventKind, Report
from backend.reports.timeline import record_event


def _record_added(photo: Photo, report: Report) -> None:
    record_event(
        report,
        EventKind.PHOTO_ADDED,
        actor=photo.uploader,
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
        _record_added(photo, report)
    return photo, created


def attach_uploaded_photos(report: Report, uploader: User, photo_ids: list[uuid.UUID]) -> None:
    """The photos a resident uploaded before sending the report, now on it."""
    for photo in photos.attach_photos(report, uploader, photo_ids):
        _record_added(photo, report)
