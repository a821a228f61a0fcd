"""The micro-cache of public reads: anonymous callers share a few seconds' answer."""

import signal
import socket

import pytest
from django.core.cache import cache

from backend.reports.models import Report, Status, Visibility
from tests.conftest import ApiClient
from tests.reports.helpers import report_payload

pytestmark = pytest.mark.django_db

FEED = "/api/v1/reports?lat=9.9347&lon=106.3452&radius_m=2000"


@pytest.fixture
def report(resident) -> dict:
    response = resident.post_json("/api/v1/reports", report_payload())
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize(
    "path",
    [
        "report",
        FEED,
        "/api/v1/categories",
        "/api/v1/areas/boundaries",
        "/api/v1/public/performance",
    ],
)
def test_a_second_anonymous_read_needs_no_query(path, report, anonymous, django_assert_num_queries):
    path = f"/api/v1/reports/{report['id']}" if path == "report" else path
    first = anonymous.get(path)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = anonymous.get(path)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/json; charset=utf-8"
    for response in (first, second):
        assert response["Cache-Control"] == "public, max-age=5"
        assert set(response["Vary"].split(", ")) >= {"Accept-Language", "Authorization"}


@pytest.mark.parametrize("path", ["report", FEED])
def test_a_change_shows_to_anonymous_readers_once_the_time_is_up(path, report, anonymous, settings):
    settings.PUBLIC_CACHE_SECONDS = 1
    path = f"/api/v1/reports/{report['id']}" if path == "report" else path

    def status() -> str:
        body = anonymous.get(path).json()
        return body["items"][0]["status"] if "items" in body else body["status"]

    assert status() == "submitted"
    Report.objects.filter(id=report["id"]).update(status=Status.ACKNOWLEDGED)
    assert status() == "submitted"  # the kept answer
    # Redis drops the answer when its time is up: it was kept with that lifetime,
    [key] = cache.keys("public:*")
    assert 0 < cache.ttl(key) <= settings.PUBLIC_CACHE_SECONDS
    cache.delete(key)  # and once it is gone,
    assert status() == "acknowledged"  # the change shows


def test_each_language_is_kept_apart(anonymous):
    vietnamese = anonymous.get("/api/v1/categories", HTTP_ACCEPT_LANGUAGE="vi").json()
    english = anonymous.get("/api/v1/categories", HTTP_ACCEPT_LANGUAGE="en").json()
    assert vietnamese != english
    again = anonymous.get("/api/v1/categories", HTTP_ACCEPT_LANGUAGE="vi").json()
    assert again == vietnamese


def test_each_query_is_kept_apart(report, anonymous):
    assert len(anonymous.get(FEED).json()["items"]) == 1
    elsewhere = FEED.replace("lat=9.9347", "lat=9.80")
    assert anonymous.get(elsewhere).json()["items"] == []


@pytest.mark.parametrize("path", ["report", FEED])
def test_signed_in_callers_are_never_served_a_kept_answer(
    path, report, resident, other_resident, anonymous, django_assert_max_num_queries
):
    path = f"/api/v1/reports/{report['id']}" if path == "report" else path
    other_resident.get(path)  # signs the other resident up
    assert anonymous.get(path).status_code == 200  # now kept for anonymous callers
    Report.objects.filter(id=report["id"]).update(status=Status.ACKNOWLEDGED)
    for caller in (resident, other_resident):
        seen = caller.get(path)
        assert "public" not in seen.get("Cache-Control", "")
        body = seen.json()
        assert (body["items"][0] if "items" in body else body)["status"] == "acknowledged"


def test_a_report_held_meanwhile_is_refused_to_signed_in_readers_at_once(
    report, resident, other_resident, anonymous
):
    path = f"/api/v1/reports/{report['id']}"
    assert other_resident.get(path).json()["is_mine"] is False
    assert resident.get(path).json()["is_mine"] is True
    Report.objects.filter(id=report["id"]).update(visibility=Visibility.HELD)
    assert resident.get(path).status_code == 200  # its reporter still sees it
    assert other_resident.get(path).status_code == 404


def test_the_reporters_view_is_never_kept_for_others(report, resident, other_resident):
    """The reporter reads first, on an empty cache: what they get is theirs alone."""
    path = f"/api/v1/reports/{report['id']}"
    assert resident.get(path).json()["is_mine"] is True
    other = other_resident.get(path).json()
    assert other["is_mine"] is False and other["visibility"] is None
    assert other["description"] == report["description"]  # the public text (nothing redacted)
    assert resident.get(path).json()["is_mine"] is True


def test_refusals_are_not_kept(report, anonymous):
    Report.objects.filter(id=report["id"]).update(visibility=Visibility.HELD)
    path = f"/api/v1/reports/{report['id']}"
    assert anonymous.get(path).status_code == 404
    Report.objects.filter(id=report["id"]).update(visibility=Visibility.PUBLIC)
    assert anonymous.get(path).status_code == 200
    assert anonymous.get("/api/v1/reports?lat=91&lon=0").status_code == 422


def test_reads_are_answered_when_the_cache_is_down(report, settings):
    unreachable = {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    settings.CACHES = {"default": unreachable}
    anonymous = ApiClient()
    for _ in range(2):
        response = anonymous.get(f"/api/v1/reports/{report['id']}")
        assert response.status_code == 200, response.content
        assert response.json()["id"] == report["id"]


def test_a_cache_that_never_answers_does_not_hold_reads_up(report, settings):
    """A Redis that takes connections but never answers (a network partition):
    each cache call gives up after its socket timeout, and the read is answered."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    port = silent.getsockname()[1]
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"}
    }

    def held_up(signum, frame):
        raise HeldUp

    previous = signal.signal(signal.SIGALRM, held_up)
    signal.alarm(3)
    try:
        response = ApiClient().get(f"/api/v1/reports/{report['id']}")
    except HeldUp:
        pytest.fail("a silent cache held the read up for more than 3 s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        silent.close()
    assert response.status_code == 200, response.content


class HeldUp(Exception):
    pass
