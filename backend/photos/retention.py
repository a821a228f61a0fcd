"""Private originals are kept ORIGINAL_RETENTION_DAYS, then deleted; the public,
stripped derivatives stay with the report."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from backend.photos.models import Photo, PhotoState


def purge_private_originals() -> int:
    cutoff = timezone.now() - timedelta(days=settings.ORIGINAL_RETENTION_DAYS)
    purged = 0
    old = Photo.objects.filter(created_at__lt=cutoff, state=PhotoState.READY).exclude(original="")
    for photo in old.iterator(chunk_size=500):
        photo.original.delete(save=False)
        Photo.objects.filter(id=photo.id).update(
            original="", exif_lat=None, exif_lon=None, exif_taken_at=None
        )
        purged += 1
    return purged
