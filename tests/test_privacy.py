from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.models import User
from backend.photos.models import Photo
from backend.photos.retention import purge_private_originals
from backend.reports.models import Report
from notifications.models import Device, Notification
from tests.photos import images
from tests.reports.helpers import report_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(resident, media, staff, run_jobs, django_capture_on_commit_callbacks):
    report = resident.post_json(
        "/api/v1/reports",
        report_payload(
            description="Ổ gà trước nhà, gọi 0901234567",
            address="Nhà số 12 hẻm 5, gọi 0901234567 để chỉ đường",
        ),
    ).json()
    photo = images.with_gps(images.fixture(images.NOKIA), 9.9473, 106.3372)
    with django_capture_on_commit_callbacks(execute=True):
        resident.post_photo(f"/api/v1/reports/{report['id']}/photos", photo)
    run_jobs()
    resident.post_json("/api/v1/devices", {"token": "t" * 40, "platform": "android"})
    with django_capture_on_commit_callbacks(execute=True):
        staff["staff842"].post_json(
            f"/api/v1/staff/tickets/{report['id']}/status", {"status": "acknowledged"}
        )
    run_jobs()
    return report


def test_a_resident_downloads_their_data(resident, history):
    data = resident.get("/api/v1/me/data").json()
    assert data["account"]["phone_number"] == "+84901234567"
    assert data["reports"][0]["description"] == "Ổ gà trước nhà, gọi 0901234567"
    assert data["photos"][0]["lat"] == pytest.approx(9.9473, abs=1e-4)
    assert data["notifications"]["devices"][0]["platform"] == "android"
    assert data["notifications"]["inbox"][0]["kind"] == "status_changed"


def test_deleting_the_account_keeps_the_reports_anonymised(resident, history, staff):
    Report.objects.filter(id=history["id"]).update(rating=2, rating_comment="Ông Tư ở số 12")
    assert resident.delete("/api/v1/me").status_code == 204
    report = Report.objects.get(id=history["id"])
    user = report.reporter
    assert not user.is_active and user.firebase_uid is None
    assert user.phone_number == "" and user.username.startswith("deleted-")
    assert "0901234567" not in report.description
    assert report.address == "Nhà số 12 hẻm 5, gọi [***] để chỉ đường"
    assert (report.rating, report.rating_comment) == (2, "")
    photo = Photo.objects.get(report=report)
    assert photo.exif_lat is None and photo.exif_taken_at is None
    assert not Device.objects.exists()
    assert not Notification.objects.filter(user=user).exists()
    # Staff still see and work the ticket.
    assert staff["staff842"].get(f"/api/v1/staff/tickets/{history['id']}").status_code == 200
    # The old sign-in token no longer reaches the deleted account.
    resident.get("/api/v1/me/reports")
    assert User.objects.filter(firebase_uid="resident-an").get().id != user.id


def test_private_originals_are_purged_after_the_retention_period(history, settings, time_machine):
    photo = Photo.objects.get()
    path = photo.original.path
    assert purge_private_originals() == 0
    time_machine.move_to(timezone.now() + timedelta(days=settings.ORIGINAL_RETENTION_DAYS + 1))
    assert purge_private_originals() == 1
    photo.refresh_from_db()
    assert photo.original.name == ""
    assert photo.large.name  # the public derivative stays
    import os

    assert not os.path.exists(path)
