"""What the photos app holds of a resident, for their download and their erasure
(answers to `backend.accounts.privacy`'s signals)."""

from typing import Any

from backend.accounts.models import User
from backend.photos.models import Photo
from backend.photos.publication import take_down


def export_photos(sender: object, user: User, **_kwargs: object) -> tuple[str, Any]:
    return "photos", [
        {
            "id": str(p.id),
            "report": str(p.report_id) if p.report_id else None,
            "taken_at": p.exif_taken_at.isoformat() if p.exif_taken_at else None,
            "lat": p.exif_lat,
            "lon": p.exif_lon,
        }
        for p in Photo.objects.filter(uploader=user)
    ]


def erase_uploader(sender: object, user: User, **_kwargs: object) -> None:
    Photo.objects.filter(uploader=user).update(
        exif_lat=None, exif_lon=None, exif_taken_at=None, distance_to_report_m=None
    )
    # Their photos may show them, their home, their plate: off the public
    # site, and the originals (with where they were taken) deleted.
    take_down(Photo.objects.filter(uploader=user), with_originals=True)
