"""Reverse geocoding, through geopy's real Nominatim client against a local
stand-in for Nominatim."""

import pytest

from backend.reports.geocoding import reset
from backend.reports.models import Report
from tests.geocoder_server import GeocoderServer
from tests.reports.helpers import TRA_VINH_MARKET, report_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def geocoder(settings):
    server = GeocoderServer()
    settings.GEOCODER_URL = server.url
    settings.GEOCODER_USER_AGENT = "civic-feedback-tests"
    reset()
    yield server
    reset()
    server.stop()


def send(resident, capture, **overrides):
    with capture(execute=True):
        response = resident.post_json("/api/v1/reports", report_payload(**overrides))
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_report_sent_without_an_address_gets_one(
    geocoder, resident, run_jobs, django_capture_on_commit_callbacks
):
    report_id = send(resident, django_capture_on_commit_callbacks, address="")
    run_jobs()
    [request] = geocoder.received
    assert request.path == "/reverse"
    assert request.query["format"] == "json"
    assert float(request.query["lat"]) == pytest.approx(TRA_VINH_MARKET[0])
    assert float(request.query["lon"]) == pytest.approx(TRA_VINH_MARKET[1])
    assert request.query["accept-language"] == "vi"
    assert request.user_agent == "civic-feedback-tests"
    assert Report.objects.get(id=report_id).address == geocoder.address
    # The reporter sees it in their view.
    assert resident.get(f"/api/v1/reports/{report_id}").json()["address"] == geocoder.address


def test_the_residents_own_address_is_kept_and_not_looked_up(
    geocoder, resident, run_jobs, django_capture_on_commit_callbacks
):
    report_id = send(resident, django_capture_on_commit_callbacks, address="Số 12 Nguyễn Đáng")
    run_jobs()
    assert geocoder.received == []
    assert Report.objects.get(id=report_id).address == "Số 12 Nguyễn Đáng"


def test_a_point_with_no_address_leaves_it_blank(
    geocoder, resident, run_jobs, django_capture_on_commit_callbacks
):
    geocoder.address = None  # Nominatim's "Unable to geocode"
    report_id = send(resident, django_capture_on_commit_callbacks, address="")
    run_jobs()
    assert len(geocoder.received) == 1
    assert Report.objects.get(id=report_id).address == ""


def test_an_unavailable_geocoder_is_retried_later(
    geocoder, resident, run_jobs, django_capture_on_commit_callbacks
):
    from rq.registry import ScheduledJobRegistry

    from backend.jobs import queue

    geocoder.status = 503
    report_id = send(resident, django_capture_on_commit_callbacks, address="")
    run_jobs()
    assert Report.objects.get(id=report_id).address == ""
    registry = ScheduledJobRegistry(queue=queue())
    [job_id] = registry.get_job_ids()  # rq will run it again with backoff
    geocoder.status = 200
    registry.remove(job_id)
    queue().enqueue_job(queue().fetch_job(job_id))
    run_jobs()
    assert Report.objects.get(id=report_id).address == geocoder.address


def test_without_a_geocoder_nothing_is_queued(
    resident, settings, django_capture_on_commit_callbacks
):
    from backend.jobs import queue

    settings.GEOCODER_URL = ""
    send(resident, django_capture_on_commit_callbacks, address="")
    assert [job.func_name for job in queue().jobs] == ["backend.reports.timeline.dispatch_events"]
