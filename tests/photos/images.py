"""Test photos: the real phone photos in SHARED_DATA_DIR/photos (../shared/data
beside the checkout, with their SOURCES.md), and broken ones made here."""

import io
import struct
import zlib

import piexif
from PIL import Image

from backend.shared_data import shared_file

PHOTOS_ORIGIN = "real phone photos with EXIF (photos/SOURCES.md there)"

IPHONE5 = "iphone5_gps_orientation3.jpg"  # 47.627167, -122.337333; orientation 3
OPPO = "oppo_r7plus_gps.jpg"  # 60.267464, 8.771132; no orientation tag
NOKIA = "nokia_lumia800_gps.jpg"  # 53.359465, -6.258231
SAMSUNG = "samsung_sm-j327t1_nogps_orientation6.jpg"  # no GPS; orientation 6
IPHONE_XR_HEIC = "iphone_xr_gps_orientation6.heic"  # 38.699539, -9.207747


def fixture(name: str) -> bytes:
    return shared_file(f"photos/{name}", PHOTOS_ORIGIN).read_bytes()


def _dms(value: float) -> tuple:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 10000)
    return ((degrees, 1), (minutes, 1), (seconds, 10000))


def with_gps(jpeg: bytes, lat: float, lon: float) -> bytes:
    """A copy of the JPEG whose EXIF says it was taken at (lat, lon); pixels untouched."""
    exif = piexif.load(jpeg)
    exif["GPS"] = {
        piexif.GPSIFD.GPSLatitudeRef: b"N" if lat >= 0 else b"S",
        piexif.GPSIFD.GPSLatitude: _dms(lat),
        piexif.GPSIFD.GPSLongitudeRef: b"E" if lon >= 0 else b"W",
        piexif.GPSIFD.GPSLongitude: _dms(lon),
    }
    exif.pop("thumbnail", None)
    exif["1st"] = {}
    out = io.BytesIO()
    piexif.insert(piexif.dump(exif), jpeg, out)
    return out.getvalue()


def with_zero_denominator_gps(jpeg: bytes) -> bytes:
    exif = piexif.load(jpeg)
    exif["GPS"] = {
        piexif.GPSIFD.GPSLatitudeRef: b"N",
        piexif.GPSIFD.GPSLatitude: ((9, 0), (56, 0), (0, 0)),
        piexif.GPSIFD.GPSLongitudeRef: b"E",
        piexif.GPSIFD.GPSLongitude: ((106, 0), (20, 0), (0, 0)),
    }
    exif.pop("thumbnail", None)
    exif["1st"] = {}
    out = io.BytesIO()
    piexif.insert(piexif.dump(exif), jpeg, out)
    return out.getvalue()


def png_bytes(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A small PNG whose header claims width x height: a decompression bomb's shape."""
    data = bytearray(png_bytes((8, 8)))
    ihdr_start = 8 + 4 + 4  # signature, length, type
    data[ihdr_start : ihdr_start + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr_start - 4 : ihdr_start + 13])) & 0xFFFFFFFF
    data[ihdr_start + 13 : ihdr_start + 17] = struct.pack(">I", crc)
    return bytes(data)


def jpeg_bytes(size: tuple[int, int], colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="JPEG", quality=90)
    return out.getvalue()
