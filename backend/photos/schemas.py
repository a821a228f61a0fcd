"""How photos appear in the API."""

from datetime import datetime
from uuid import UUID

from backend.photos.models import Photo, PhotoState
from backend.schema_types import Out


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
