"""Every call PyPI's `three` (Code for America's Open311 client) makes, against
the live server.

three 0.8.0 was written for Python 2: it imports `itertools.ifilter`, which
Python 3 calls `filter`, and its XML reader calls an ElementTree method
Python 3 removed. The name is given back before importing it; the XML format
is read by georeport's tests and the FixMyStreet-shaped ones instead.
"""

import itertools

import pytest
import requests

from backend.photos.models import Photo
from backend.reports.models import Report, Source, Visibility
from open311.models import ClientApplication
from tests.open311.test_clients_and_media import public_pothole
from tests.photos import images
from tests.reports.helpers import TRA_VINH_MARKET

itertools.ifilter = filter  # type: ignore[attr-defined]
from three import Three  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def three(live_server, tra_vinh):
    _, key = ClientApplication.create_with_key("three")
    client = Three(
        f"{live_server.url}/open311/v2", api_key=key, jurisdiction="travinh.gov.vn", format="json"
    )
    client.session = ConnectionPerRequest()
    return client


class ConnectionPerRequest(requests.Session):
    """A kept-alive connection would hold a live server thread, and that
    thread's database session, past the test: one connection per request."""

    def request(self, *args, **kwargs):  # type: ignore[override]
        try:
            return super().request(*args, **kwargs)
        finally:
            self.close()


def test_three_reads_discovery_services_and_requests(three):
    report = public_pothole("three-resident")
    discovery = three.discovery()
    assert {e["type"] for e in discovery["endpoints"]} == {"production", "test"}
    assert {s["service_code"] for s in three.services()} >= {"pothole", "flooding"}
    definition = three.services("flooding")
    assert [a["code"] for a in definition["attributes"]] == ["depth"]
    assert [r["service_request_id"] for r in three.requests()] == [report.reference]
    assert [r["service_request_id"] for r in three.requests("pothole")] == [report.reference]
    assert three.requests("flooding") == []
    [one] = three.request(report.reference)
    assert one["description"] == "Ổ gà lớn"
    assert one["status"] == "open"


def test_three_posts_a_request_with_its_photo_and_reads_a_token(three, media, tmp_path):
    photo = tmp_path / "pothole.jpg"
    photo.write_bytes(images.with_gps(images.fixture(images.NOKIA), *TRA_VINH_MARKET))
    place = {"lat": str(TRA_VINH_MARKET[0]), "long": str(TRA_VINH_MARKET[1])}
    place["email"] = "lan@example.org"
    with photo.open("rb") as media_file:
        [answer] = three.post(
            "flooding",
            **place,
            address="Chợ Trà Vinh",
            name="Lan Nguyen",
            description="Ngập sâu trước cổng chợ",
            media=media_file,
        )
    assert three.post_response.status_code == 200
    report = Report.objects.get(reference=answer["service_request_id"])
    assert report.source == Source.OPEN311
    assert report.address == "Chợ Trà Vinh"
    assert report.reporter.first_name == "Lan"
    [taken] = Photo.objects.filter(report=report)
    assert taken.format == "jpeg"

    [held] = three.post("flooding", **{**place, "description": "Đồ ngu, ngập hoài"})
    assert Report.objects.get(id=held["token"]).visibility == Visibility.HELD
    [resolved] = three.token(held["token"])
    assert resolved["service_request_id"] == Report.objects.get(id=held["token"]).reference
