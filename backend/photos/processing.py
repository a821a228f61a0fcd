"""Turning a private original into public derivatives (an rq job).

Steps, for each photo:
1. Open the original; for a JPEG ask the decoder for a reduced size (draft
   mode: a 12 MP photo decodes at 1/2, a 48 MP one at 1/4), enough for the
   large derivative and no more.
2. Apply the EXIF orientation (HEIF's rotation is in its container and was
   applied by the decoder; pillow-heif reports orientation 1 then).
3. Resize to the large and thumbnail sizes and encode them with no metadata
   at all: no EXIF, GPS or XMP; an ICC profile only when it is not sRGB.
4. Hash the thumbnail perceptually (moderation finds reused photos with it).
"""

import io
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageCms, ImageOps

from backend.errors import ServiceError
from backend.jobs import enqueue
from backend.photos.inspection import open_image
from backend.photos.models import Photo, PhotoState
from backend.photos.publication import delete_public_files
from backend.photos.signals import photo_processed

logger = logging.getLogger(__name__)

# Errors that no retry will fix: the bytes are bad (open_image's own refusals too).
PERMANENT_ERRORS = (
    ServiceError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    Image.DecompressionBombError,
)


@dataclass(frozen=True)
class Derivatives:
    large: bytes
    thumbnail: bytes
    extension: str
    phash: str
    width: int
    height: int


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def _colour_profile(image: Image.Image) -> bytes | None:
    icc = image.info.get("icc_profile")
    if not icc:
        return None
    try:
        description = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc)))
    except (OSError, ImageCms.PyCMSError):
        return None
    return None if "srgb" in description.lower() else icc


def _encode(image: Image.Image, icc: bytes | None, fmt: str) -> bytes:
    image.info = {}  # nothing the original carried goes out with it
    out = io.BytesIO()
    options: dict = {"quality": 82}
    if icc:
        options["icc_profile"] = icc
    if fmt == "JPEG":
        options["optimize"] = False
    image.save(out, format=fmt, **options)
    return out.getvalue()


def make_derivatives(data: bytes, large_px: int, thumb_px: int, fmt: str = "JPEG") -> Derivatives:
    import imagehash  # heavy (scipy); only workers pay for it

    image = open_image(data)
    icc = _colour_profile(image)
    if image.format == "JPEG":
        long_side = max(image.size)
        image.draft(
            "RGB",
            (
                max(1, image.width * large_px // long_side),
                max(1, image.height * large_px // long_side),
            ),
        )
    image.load()
    upright = ImageOps.exif_transpose(image)
    upright = _flatten(upright)
    large = upright.copy() if max(upright.size) > large_px else upright
    large.thumbnail((large_px, large_px), Image.Resampling.LANCZOS, reducing_gap=3.0)
    thumbnail = large.copy()
    thumbnail.thumbnail((thumb_px, thumb_px), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return Derivatives(
        large=_encode(large, icc, fmt),
        thumbnail=_encode(thumbnail, icc, fmt),
        extension="jpg" if fmt == "JPEG" else fmt.lower(),
        phash=str(imagehash.phash(thumbnail)),
        width=large.width,
        height=large.height,
    )


def process_photo(photo_id: str) -> str:
    """The rq job. Safe to run again: a ready photo is left alone, and the
    derivatives of a re-run overwrite their own files."""
    photo = Photo.objects.filter(id=photo_id).first()
    if photo is None or photo.state == PhotoState.READY or not photo.original:
        return "skipped"  # done already, or its original was erased with its account
    started = time.monotonic()
    with photo.original.open("rb") as original:  # a storage error is retried by rq
        data = original.read()
    try:
        result = make_derivatives(
            data,
            settings.PHOTO_LARGE_PX,
            settings.PHOTO_THUMB_PX,
            settings.PHOTO_DERIVATIVE_FORMAT,
        )
    except PERMANENT_ERRORS as error:
        Photo.objects.filter(id=photo.id).update(
            state=PhotoState.FAILED, failure_reason=f"{type(error).__name__}: {error}"[:300]
        )
        logger.warning("photo %s failed permanently: %s", photo.id, error)
        return "failed"
    base = f"photos/{photo.id}"
    if not photo.hidden:
        photo.large.save(f"{base}/large.{result.extension}", ContentFile(result.large), save=False)
        photo.thumbnail.save(
            f"{base}/thumb.{result.extension}", ContentFile(result.thumbnail), save=False
        )
    photo.phash = result.phash
    photo.state = PhotoState.READY
    photo.failure_reason = ""
    photo.processed_at = timezone.now()
    with transaction.atomic():
        # Only while the photo is still shown: one hidden while it was being
        # processed (a moderator, an erased account) keeps no public file.
        published = Photo.objects.filter(id=photo.id, hidden=False).update(
            large=photo.large.name or "",
            thumbnail=photo.thumbnail.name or "",
            phash=photo.phash,
            state=photo.state,
            failure_reason="",
            processed_at=photo.processed_at,
        )
        if not published:
            delete_public_files([photo.large.name or "", photo.thumbnail.name or ""])
            Photo.objects.filter(id=photo.id).update(
                phash=photo.phash, state=photo.state, processed_at=photo.processed_at
            )
        # Moderation screens the photo now that its hashes exist.
        photo_processed.send(sender=Photo, photo=photo)
    logger.info("photo %s processed in %.0f ms", photo.id, (time.monotonic() - started) * 1000)
    return "ready"


def sweep_unprocessed_photos(limit: int = 1000) -> int:
    """Queue again the photos still waiting a while after upload: their job was
    lost (Redis down at commit) or its worker died mid-photo. Processing is
    idempotent, so a photo whose job was only slow is skipped when it runs."""
    waited = timezone.now() - timedelta(seconds=settings.PHOTO_SWEEP_AFTER_SECONDS)
    photo_ids = list(
        Photo.objects.filter(state=PhotoState.PENDING, created_at__lt=waited)
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )
    for photo_id in photo_ids:
        enqueue(process_photo, str(photo_id))
    return len(photo_ids)
