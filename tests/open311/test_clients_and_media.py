import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from georeport import GeoReport

from backend.accounts.models import User
from backend.photos.models import Photo
from backend.reports.models import Report
from backend.reports.services import NewReport, create_report
from open311.models import ClientApplication
from tests.open311.test_georeport import fixmystreet_post
from tests.photos import images
from tests.reports.helpers import TRA_VINH_MARKET


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_third_party_client_reads_catalogue_and_requests(live_server, tra_vinh, fmt):
    report = public_pothole("georeport-resident")
    client = GeoReport(
        f"{live_server.url}/open311/v2", jurisdiction="travinh.gov.vn", output_format=fmt
    )
    services = client.get_service_list()
    assert {s["service_code"] for s in services} >= {"pothole", "flooding", "street-light"}
    definition = client.get_service_definition("flooding")
    assert "depth" in str(definition)
    requests = client.get_service_requests()
    listed = requests if isinstance(requests, list) else [requests]
    assert [r["service_request_id"] for r in listed] == [report.reference]
    one = client.get_service_request(report.reference)
    assert report.reference in str(one)
    # Its filters, each as it sends them.
    by_id = client.get_service_requests(service_request_id=f"{report.reference},NOSUCH00")
    assert report.reference in str(by_id)
    assert report.reference in str(client.get_service_requests(service_code="pothole,flooding"))
    assert report.reference in str(client.get_service_requests(status="open"))
    window = {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"}
    if fmt == "json":  # georeport reads an empty XML list as None and fails on it
        assert client.get_service_requests(**window) == []


def public_pothole(username: str) -> Report:
    """A published report made through the app's own path, for a client to read."""
    import uuid

    resident = User.objects.create(username=username, firebase_uid=username)
    new = NewReport(
        id=uuid.uuid4(),
        category_code="pothole",
        description="Ổ gà lớn",
        lat=TRA_VINH_MARKET[0],
        lon=TRA_VINH_MARKET[1],
    )
    return create_report(resident, new).report


class ImageHost:
    """A local web server standing in for a client's photo host."""

    def __init__(self) -> None:
        jpeg = images.with_gps(images.fixture(images.NOKIA), *TRA_VINH_MARKET)
        self.requests: list[str] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                host.requests.append(self.path)
                if self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", "http://127.0.0.1:1/secret")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(jpeg)))
                self.end_headers()
                self.wfile.write(jpeg)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.netloc = f"127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        self.httpd.shutdown()


@pytest.fixture
def image_host(settings):
    host = ImageHost()
    settings.OPEN311_MEDIA_HOSTS = [host.netloc]
    settings.OPEN311_MEDIA_ALLOW_INTERNAL = True  # the stand-in host is on loopback
    yield host
    host.stop()


@pytest.mark.django_db
def test_media_url_from_an_allowed_host_becomes_a_photo(
    image_host, media, run_jobs, django_capture_on_commit_callbacks
):
    _, key = ClientApplication.create_with_key("fms")
    urls = [f"http://{image_host.netloc}/1.jpg", "http://169.254.169.254/latest/meta-data/"]
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/open311/v2/requests.json", fixmystreet_post(key, {"media_url": urls})
        )
    assert response.status_code == 200
    run_jobs()
    report = Report.objects.get()
    photo = Photo.objects.get(report=report)
    assert photo.format == "jpeg"
    assert image_host.requests == ["/1.jpg"]  # the metadata address was never asked


@pytest.mark.django_db
def test_an_allowed_host_name_that_leads_to_an_internal_address_is_not_fetched(
    image_host, settings, media, run_jobs, django_capture_on_commit_callbacks
):
    # The allow-list names the host, but its address is loopback (as a name
    # pointed at an internal service would be): nothing is fetched.
    port = image_host.netloc.rsplit(":", 1)[1]
    settings.OPEN311_MEDIA_HOSTS = [f"localhost:{port}"]
    settings.OPEN311_MEDIA_ALLOW_INTERNAL = False
    _, key = ClientApplication.create_with_key("fms")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/open311/v2/requests.json",
            fixmystreet_post(key, {"media_url": [f"http://localhost:{port}/1.jpg"]}),
        )
    assert response.status_code == 200  # the report itself is taken
    run_jobs()
    assert image_host.requests == []
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_media_url_redirects_are_not_followed(
    image_host, media, run_jobs, django_capture_on_commit_callbacks
):
    _, key = ClientApplication.create_with_key("fms")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            "/open311/v2/requests.json",
            fixmystreet_post(key, {"media_url": [f"http://{image_host.netloc}/redirect"]}),
        )
    run_jobs()
    assert not Photo.objects.exists()
    assert image_host.requests == ["/redirect"]


@pytest.mark.django_db
def test_media_url_larger_than_the_limit_is_dropped(
    image_host, media, run_jobs, settings, django_capture_on_commit_callbacks
):
    settings.PHOTO_MAX_BYTES = 10_000
    _, key = ClientApplication.create_with_key("fms")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            "/open311/v2/requests.json",
            fixmystreet_post(key, {"media_url": [f"http://{image_host.netloc}/1.jpg"]}),
        )
    run_jobs()
    assert not Photo.objects.exists()


@pytest.mark.django_db
def test_a_media_url_whose_job_was_lost_is_fetched_after_the_sweep(
    image_host, media, run_jobs, redis_down, time_machine, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from open311.media import sweep_pending_media
    from open311.models import PendingMedia

    _, key = ClientApplication.create_with_key("fms")
    with redis_down(), django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/open311/v2/requests.json",
            fixmystreet_post(key, {"media_url": [f"http://{image_host.netloc}/1.jpg"]}),
        )
    assert response.status_code == 200  # the request itself is taken
    assert PendingMedia.objects.count() == 1
    run_jobs()
    assert image_host.requests == []  # its job never reached Redis
    assert sweep_pending_media() == 0  # too recent
    time_machine.move_to(timezone.now() + timedelta(minutes=6))
    assert sweep_pending_media() == 1
    run_jobs()
    assert image_host.requests == ["/1.jpg"]
    assert Photo.objects.filter(report=Report.objects.get()).count() == 1
    assert not PendingMedia.objects.exists()


@pytest.mark.django_db
def test_a_media_host_that_is_down_leaves_the_url_pending_for_a_retry(
    image_host, media, run_jobs, django_capture_on_commit_callbacks
):
    from open311.models import PendingMedia

    _, key = ClientApplication.create_with_key("fms")
    netloc = image_host.netloc
    image_host.stop()
    image_host.httpd.server_close()  # the host is down: connections are refused
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            "/open311/v2/requests.json",
            fixmystreet_post(key, {"media_url": [f"http://{netloc}/1.jpg"]}),
        )
    run_jobs()
    [pending] = PendingMedia.objects.all()
    assert pending.attempts == 1  # tried once; rq and the sweep will try again
    assert not Photo.objects.exists()
