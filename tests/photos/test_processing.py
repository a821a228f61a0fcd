import io

import numpy as np
import pytest
from django.core.files.storage import storages
from PIL import Image, ImageOps

from backend.photos.models import Photo, PhotoState
from backend.photos.processing import process_photo
from tests.photos import images
from tests.reports.helpers import report_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploaded(resident, media, django_capture_on_commit_callbacks):
    report = resident.post_json("/api/v1/reports", report_payload()).json()

    def send(name: str, data: bytes | None = None) -> Photo:
        content = data if data is not None else images.fixture(name)
        with django_capture_on_commit_callbacks(execute=True):
            response = resident.post_photo(f"/api/v1/reports/{report['id']}/photos", content, name)
        assert response.status_code == 201, response.content
        return Photo.objects.get(id=response.json()["id"])

    return send


def read_public(name: str) -> Image.Image:
    with storages["default"].open(name) as f:
        image = Image.open(io.BytesIO(f.read()))
        image.load()
        return image


def difference(a: Image.Image, b: Image.Image) -> float:
    a = np.asarray(a.convert("L").resize((64, 64)), dtype=float)
    b = np.asarray(b.convert("L").resize((64, 64)), dtype=float)
    return float(np.abs(a - b).mean())


@pytest.mark.parametrize(
    ("name", "large_size"),
    [
        (images.IPHONE5, (1280, 960)),  # orientation 3: turned 180°
        (images.SAMSUNG, (960, 1280)),  # orientation 6: stored landscape, shown portrait
        (images.OPPO, (960, 1280)),  # no orientation tag at all
        (images.IPHONE_XR_HEIC, (960, 1280)),  # rotation in the HEIF container, applied once
    ],
)
def test_derivatives_come_out_upright(uploaded, run_jobs, name, large_size):
    photo = uploaded(name)
    run_jobs()
    photo.refresh_from_db()
    assert photo.state == PhotoState.READY, photo.failure_reason
    large = read_public(photo.large.name)
    thumb = read_public(photo.thumbnail.name)
    assert large.size == large_size
    assert max(thumb.size) == 320
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(images.fixture(name))))
    assert difference(large, upright) < 8
    if name != images.OPPO:
        assert difference(large, upright.rotate(180)) > 2 * difference(large, upright)


@pytest.mark.parametrize("name", [images.IPHONE5, images.NOKIA, images.OPPO, images.IPHONE_XR_HEIC])
def test_no_metadata_survives_in_any_derivative(uploaded, run_jobs, name):
    photo = uploaded(name)
    run_jobs()
    photo.refresh_from_db()
    for field in (photo.large, photo.thumbnail):
        with storages["default"].open(field.name) as f:
            raw = f.read()
        image = Image.open(io.BytesIO(raw))
        assert len(image.getexif()) == 0
        assert not image.getexif().get_ifd(0x8825)
        assert "exif" not in image.info and "xmp" not in image.info
        assert b"Exif\x00\x00" not in raw
        assert b"http://ns.adobe.com/xap" not in raw
        # No camera model or serial; an ICC colour profile may stay (Display P3 says
        # "Apple Inc." in its copyright), nothing else of the original does.
        for model in (b"iPhone", b"R7plus", b"Lumia", b"SM-J327"):
            assert model not in raw


def test_hashes_are_stored(uploaded, run_jobs):
    import hashlib

    photo = uploaded(images.NOKIA)
    run_jobs()
    photo.refresh_from_db()
    assert photo.sha256 == hashlib.sha256(images.fixture(images.NOKIA)).hexdigest()
    assert len(photo.phash) == 16
    again = uploaded(images.NOKIA, images.with_gps(images.fixture(images.NOKIA), 9.94, 106.33))
    run_jobs()
    again.refresh_from_db()
    # Same pixels, other metadata: another file, the same perceptual hash.
    assert again.sha256 != photo.sha256
    assert again.phash == photo.phash


def test_running_the_job_twice_does_no_harm(uploaded, run_jobs, media):
    photo = uploaded(images.NOKIA)
    assert process_photo(str(photo.id)) == "ready"
    first_files = sorted(p.name for p in (media / "public").rglob("*") if p.is_file())
    assert process_photo(str(photo.id)) == "skipped"
    Photo.objects.filter(id=photo.id).update(state=PhotoState.PENDING)
    assert process_photo(str(photo.id)) == "ready"
    assert sorted(p.name for p in (media / "public").rglob("*") if p.is_file()) == first_files


def test_a_transient_failure_is_retried_by_the_queue(uploaded, run_jobs):
    from rq.registry import ScheduledJobRegistry

    from backend.jobs import queue

    photo = uploaded(images.NOKIA)
    original = photo.original.path
    hidden = original + ".away"
    import os

    os.rename(original, hidden)  # storage briefly unavailable
    run_jobs()
    photo.refresh_from_db()
    assert photo.state == PhotoState.PENDING
    registry = ScheduledJobRegistry(queue=queue())
    assert len(registry.get_job_ids()) == 1  # scheduled for a retry
    os.rename(hidden, original)
    job_id = registry.get_job_ids()[0]
    registry.remove(job_id)
    queue().enqueue_job(queue().fetch_job(job_id))
    run_jobs()
    photo.refresh_from_db()
    assert photo.state == PhotoState.READY


def test_a_permanent_failure_marks_the_photo_failed(uploaded, run_jobs):
    photo = uploaded(images.NOKIA)
    with photo.original.open("wb") as f:
        f.write(b"\xff\xd8\xff\xe0garbage")
    run_jobs()
    photo.refresh_from_db()
    assert photo.state == PhotoState.FAILED
    assert "Unprocessable" in photo.failure_reason or "cannot" in photo.failure_reason


def test_png_with_transparency_is_flattened(uploaded, run_jobs):
    photo = uploaded("a.png", images.png_bytes((600, 400), "RGBA"))
    run_jobs()
    photo.refresh_from_db()
    large = read_public(photo.large.name)
    assert large.mode == "RGB"
    assert large.size == (600, 400)  # never enlarged


def test_a_photo_uploaded_while_redis_is_down_is_processed_by_the_sweep(
    resident,
    media,
    run_jobs,
    redis_down,
    settings,
    time_machine,
    django_capture_on_commit_callbacks,
):
    from datetime import timedelta

    from django.utils import timezone

    from backend.photos.processing import sweep_unprocessed_photos

    report = resident.post_json("/api/v1/reports", report_payload()).json()
    with redis_down(), django_capture_on_commit_callbacks(execute=True):
        response = resident.post_photo(
            f"/api/v1/reports/{report['id']}/photos", images.fixture(images.NOKIA), "a.jpg"
        )
    assert response.status_code == 201  # the resident's upload is not refused
    photo = Photo.objects.get(id=response.json()["id"])
    run_jobs()
    photo.refresh_from_db()
    assert photo.state == PhotoState.PENDING  # its job never reached Redis
    assert sweep_unprocessed_photos() == 0  # too recent: its job may still be queued
    time_machine.move_to(timezone.now() + timedelta(seconds=settings.PHOTO_SWEEP_AFTER_SECONDS + 1))
    assert sweep_unprocessed_photos() == 1
    run_jobs()
    photo.refresh_from_db()
    assert photo.state == PhotoState.READY
    assert sweep_unprocessed_photos() == 0
