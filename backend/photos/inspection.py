"""What can be learnt from a photo's bytes cheaply, inside the request.

The format comes from the bytes (never the file name or the declared type),
the pixel count from the header (so a decompression bomb never reaches a
decoder), and the EXIF GPS position, capture time and orientation from the
metadata alone. A JPEG is also decoded at 1/8 scale, which costs a few
milliseconds and catches a truncated or corrupt file.
"""

import hashlib
import io
import math
import warnings
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from backend.errors import ServiceError, Unprocessable

# Pillow's format name -> ours. HEIC and HEIF both open as HEIF (pillow-heif).
ALLOWED_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "HEIF": "heif"}

EXIF_ORIENTATION = 0x0112
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011


@dataclass(frozen=True)
class PhotoFacts:
    format: str
    width: int
    height: int
    size_bytes: int
    sha256: str
    lat: float | None
    lon: float | None
    taken_at: datetime | None
    orientation: int


class UnsupportedImage(ServiceError):
    status = 415
    code = "unsupported_image_type"


class ImageTooLarge(ServiceError):
    status = 413
    code = "image_too_large"


def invalid_image(message: str) -> Unprocessable:
    return Unprocessable(message, code="invalid_image")


def open_image(data: bytes) -> Image.Image:
    """Open (not decode) an image of an allowed format, or raise the right error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
        except UnidentifiedImageError:
            raise UnsupportedImage(
                _("The file is not a JPEG, PNG, WebP, HEIC or HEIF image.")
            ) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageTooLarge(_("The image has too many pixels.")) from None
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            # The decoder's own words stay in the log: they name our libraries.
            raise invalid_image(_("The image cannot be read.")) from error


def inspect_photo(data: bytes) -> PhotoFacts:
    if not data:
        raise invalid_image(_("The upload is empty."))
    if len(data) > settings.PHOTO_MAX_BYTES:
        raise ServiceError(
            _("The photo is larger than the service accepts."),
            code="photo_too_large",
            status=413,
            details={"max_bytes": settings.PHOTO_MAX_BYTES, "bytes": len(data)},
        )
    image = open_image(data)
    width, height = image.size
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise ImageTooLarge(
            _("The image has too many pixels."),
            details={"pixels": width * height, "max_pixels": settings.PHOTO_MAX_PIXELS},
        )
    _check_integrity(image, data)
    lat, lon, taken_at, orientation = read_metadata(image)
    return PhotoFacts(
        format=ALLOWED_FORMATS[image.format or ""],
        width=width,
        height=height,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        lat=lat,
        lon=lon,
        taken_at=taken_at,
        orientation=orientation,
    )


def _check_integrity(image: Image.Image, data: bytes) -> None:
    try:
        if image.format == "JPEG":
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
        elif image.format == "PNG":
            open_image(data).verify()  # chunk CRCs, no decode
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise invalid_image(_("The image is truncated or corrupt.")) from error


def _rational(value: Any) -> float:
    number = float(value)  # IFDRational; 0 denominators give nan
    if not math.isfinite(number):
        raise ValueError("not a finite number")
    return number


def _degrees(parts: Any, ref: object, negative_ref: str) -> float:
    degrees, minutes, seconds = (_rational(p) for p in parts)
    value = degrees + minutes / 60 + seconds / 3600
    return -value if str(ref).strip().upper().startswith(negative_ref) else value


def read_metadata(
    image: Image.Image,
) -> tuple[float | None, float | None, datetime | None, int]:
    """(lat, lon, taken_at, orientation) from EXIF; anything unreadable is None.

    A photo with broken metadata is still a photo: the resident can place it
    by hand. (0, 0) is a phone's "no fix", not a place.
    """
    try:
        exif = image.getexif()
    except Exception:  # corrupt EXIF must not lose the photo
        return None, None, None, 1
    orientation = exif.get(EXIF_ORIENTATION, 1)
    if not isinstance(orientation, int) or not 1 <= orientation <= 8:
        orientation = 1
    lat = lon = None
    try:
        gps = exif.get_ifd(GPS_IFD)
        lat = _degrees(gps[2], gps.get(1, "N"), "S")
        lon = _degrees(gps[4], gps.get(3, "E"), "W")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
            lat = lon = None
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        lat = lon = None
    return lat, lon, _taken_at(exif), orientation


def _taken_at(exif: Image.Exif) -> datetime | None:
    try:
        details = exif.get_ifd(EXIF_IFD)
        text = str(details[DATETIME_ORIGINAL]).strip("\x00 ")
        # Phones write local time; with no offset recorded, the service area's.
        local = ZoneInfo(settings.TIME_ZONE)
        moment = datetime.strptime(text, "%Y:%m:%d %H:%M:%S").replace(tzinfo=local)
        offset = str(details.get(OFFSET_TIME_ORIGINAL, "")).strip("\x00 ")
        if offset:
            return datetime.fromisoformat(moment.replace(tzinfo=None).isoformat() + offset)
        return moment
    except (KeyError, TypeError, ValueError):
        return None
