"""A photo taken down is gone from the public files, not only from the API:
hidden by a moderator, its report rejected, its uploader's account deleted,
or hidden while it was still being processed."""

import pytest
from django.core.files.storage import storages

from backend.photos.models import Photo
from tests.photos import images
from tests.reports.helpers import TRA_VINH_MARKET, offset, report_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def photographed(resident, media, run_jobs, django_capture_on_commit_callbacks):
    """A public report with one processed photo; returns (report id, photo)."""
    report = resident.post_json("/api/v1/reports", report_payload()).json()
    data = images.with_gps(images.fixture(images.NOKIA), *offset(TRA_VINH_MARKET, north_m=20))
    with django_capture_on_commit_callbacks(execute=True):
        response = resident.post_photo(f"/api/v1/reports/{report['id']}/photos", data)
    assert response.status_code == 201, response.content
    run_jobs()
    photo = Photo.objects.get()
    assert photo.state == "ready" and photo.large and photo.thumbnail
    return report["id"], photo


def public_files(photo: Photo) -> list[str]:
    public = storages["default"]
    return [name for name in (photo.large.name, photo.thumbnail.name) if public.exists(name)]


def test_a_hidden_photo_is_deleted_from_the_public_files(
    photographed, staff, django_capture_on_commit_callbacks
):
    report_id, photo = photographed
    assert len(public_files(photo)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = staff["moderator"].post_json(
            f"/api/v1/moderation/reports/{report_id}/photos/{photo.id}/hide",
            {"reason": "Có mặt người"},
        )
    assert response.status_code == 200, response.content
    assert public_files(photo) == []
    taken_down = Photo.objects.get(id=photo.id)
    assert taken_down.hidden and not taken_down.large and not taken_down.thumbnail
    assert storages["private"].exists(taken_down.original.name)  # for the moderators


def test_rejecting_a_report_deletes_its_public_photo_files(
    photographed, staff, django_capture_on_commit_callbacks
):
    report_id, photo = photographed
    with django_capture_on_commit_callbacks(execute=True):
        response = staff["moderator"].post_json(
            f"/api/v1/moderation/reports/{report_id}/reject", {"reason": "Không phải sự cố"}
        )
    assert response.status_code == 200, response.content
    assert public_files(photo) == []


def test_deleting_an_account_deletes_its_photos_public_and_private(
    photographed, resident, django_capture_on_commit_callbacks
):
    _report_id, photo = photographed
    with django_capture_on_commit_callbacks(execute=True):
        assert resident.delete("/api/v1/me").status_code == 204
    assert public_files(photo) == []
    assert not storages["private"].exists(photo.original.name)


def test_a_photo_hidden_while_processing_never_gets_public_files(
    resident, staff, media, run_jobs, django_capture_on_commit_callbacks
):
    report = resident.post_json("/api/v1/reports", report_payload()).json()
    data = images.with_gps(images.fixture(images.NOKIA), *offset(TRA_VINH_MARKET, north_m=20))
    with django_capture_on_commit_callbacks(execute=True):
        resident.post_photo(f"/api/v1/reports/{report['id']}/photos", data)
    photo = Photo.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        staff["moderator"].post_json(
            f"/api/v1/moderation/reports/{report['id']}/photos/{photo.id}/hide", {"reason": "x"}
        )
    run_jobs()
    photo.refresh_from_db()
    assert photo.state == "ready" and photo.phash  # screened all the same
    assert not photo.large and not photo.thumbnail
    assert not (media / "public").exists() or not any((media / "public").rglob("*.jpg"))


@pytest.fixture
def s3_storages(settings):
    """The public and private stores on an S3 server on this machine (moto's,
    which speaks S3's HTTP protocol), through django-storages as deployed."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    s3 = {
        "endpoint_url": endpoint,
        "region_name": "ap-southeast-1",
        "access_key": "test-access-key",
        "secret_key": "test-secret-key",
        "file_overwrite": True,
    }
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="ap-southeast-1",
        aws_access_key_id="test-access-key",
        aws_secret_access_key="test-secret-key",
    )
    for bucket in ("civic-public", "civic-private"):
        client.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"}
        )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**s3, "bucket_name": "civic-public", "default_acl": "public-read"},
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**s3, "bucket_name": "civic-private", "location": "private"},
        },
    }
    # A FileField resolves its storage once, when the model loads: point the
    # photo's fields at the new stores as a deployment's settings would.
    storages._storages = {}
    fields = {name: Photo._meta.get_field(name) for name in ("large", "thumbnail", "original")}
    before = {name: field.storage for name, field in fields.items()}
    for name, field in fields.items():
        field.storage = storages["private" if name == "original" else "default"]
    yield client
    for name, field in fields.items():
        field.storage = before[name]
    storages._storages = {}
    server.stop()


def test_a_hidden_photo_is_deleted_from_the_public_bucket(
    s3_storages, resident, staff, run_jobs, django_capture_on_commit_callbacks
):
    report = resident.post_json("/api/v1/reports", report_payload()).json()
    data = images.with_gps(images.fixture(images.NOKIA), *offset(TRA_VINH_MARKET, north_m=20))
    with django_capture_on_commit_callbacks(execute=True):
        resident.post_photo(f"/api/v1/reports/{report['id']}/photos", data)
    run_jobs()
    photo = Photo.objects.get()

    def public_keys() -> list[str]:
        listed = s3_storages.list_objects_v2(Bucket="civic-public")
        return sorted(item["Key"] for item in listed.get("Contents", []))

    assert public_keys() == sorted([photo.large.name, photo.thumbnail.name])
    with django_capture_on_commit_callbacks(execute=True):
        staff["moderator"].post_json(
            f"/api/v1/moderation/reports/{report['id']}/photos/{photo.id}/hide", {"reason": "x"}
        )
    assert public_keys() == []
    private = s3_storages.list_objects_v2(Bucket="civic-private")["Contents"]
    assert [item["Key"] for item in private] == [f"private/{photo.original.name}"]
