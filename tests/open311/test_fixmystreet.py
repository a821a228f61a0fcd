"""Open311 as a FixMyStreet installation drives it: its form POSTs, replayed
sends, the token flow, updates posted back and polled with extended statuses."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.photos.models import Photo
from backend.reports.models import EventKind, Report, ReportEvent, Visibility
from notifications.models import Notification
from open311.models import ClientApplication
from tests.open311.test_georeport import fixmystreet_post
from tests.photos import images
from tests.reports.helpers import TRA_VINH_MARKET, report_payload

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


@pytest.fixture
def fms():
    client, key = ClientApplication.create_with_key("fixmystreet")
    return client, key


def form_body(fields: list[tuple[str, str]]) -> str:
    """application/x-www-form-urlencoded as Perl's HTTP::Request::Common writes it."""
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in fields)


def post_form(path: str, fields: list[tuple[str, str]]):
    return Client().post(
        f"{BASE}/{path}", form_body(fields), content_type="application/x-www-form-urlencoded"
    )


def fields_of(data: dict) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, item))
    return pairs


def first(response, path: str) -> str | None:
    node = ET.fromstring(response.content).find(path)
    return None if node is None else node.text


def test_a_form_post_shaped_as_fixmystreets(fms, settings):
    _, key = fms
    settings.OPEN311_MEDIA_HOSTS = ["photos.fixmystreet.example"]
    data = fixmystreet_post(key)
    data["description"] = (
        "Ngập trước chợ\r\n\r\nNgập sâu sau mưa lớn\r\n\r\nhttps://fms.example/report/1"
    )
    data["media_url"] = [
        "https://photos.fixmystreet.example/1.full.jpeg",
        "https://elsewhere.example/2.jpeg",
    ]
    response = post_form("requests.xml", fields_of(data))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/xml"
    report = Report.objects.get(reference=first(response, "request/service_request_id"))
    assert report.description == (
        "Ngập trước chợ\n\nNgập sâu sau mưa lớn\n\nhttps://fms.example/report/1"
    )
    assert report.attributes == {"depth": "knee"}
    # The allowed media_url waits for its fetch; the other is said, not dropped silently.
    notice = first(response, "request/service_notice")
    assert "https://elsewhere.example/2.jpeg" in notice
    assert "1.full.jpeg" not in notice


def test_a_replayed_post_is_the_same_request(fms):
    _, key = fms
    one = Client().post(f"{BASE}/requests.json", fixmystreet_post(key)).json()[0]
    # FixMyStreet sends again: the same contact, service, place and text
    # (its line endings and spacing may differ).
    again = fixmystreet_post(key)
    again["description"] = again["description"].replace("\n", "\r\n") + "  "
    two = Client().post(f"{BASE}/requests.json", again).json()[0]
    assert two["service_request_id"] == one["service_request_id"]
    assert "received before" in two["service_notice"]
    assert Report.objects.count() == 1
    # Another text, or another resident, is another request.
    other_text = fixmystreet_post(key, {"description": "Ngập ở cổng sau của chợ"})
    other_person = fixmystreet_post(key, {"email": "someone@example.org", "phone": ""})
    for data in (other_text, other_person):
        answer = Client().post(f"{BASE}/requests.json", data).json()[0]
        assert answer["service_request_id"] != one["service_request_id"]
    assert Report.objects.count() == 3


def test_a_replay_after_the_window_is_a_new_request(fms, time_machine, settings):
    _, key = fms
    settings.OPEN311_REPLAY_WINDOW_HOURS = 2
    one = Client().post(f"{BASE}/requests.json", fixmystreet_post(key)).json()[0]
    time_machine.move_to(timezone.now() + timedelta(hours=3))
    two = Client().post(f"{BASE}/requests.json", fixmystreet_post(key)).json()[0]
    assert two["service_request_id"] != one["service_request_id"]


def test_a_held_request_posted_again_gets_its_token_again(fms):
    _, key = fms
    rude = fixmystreet_post(key, {"description": "Đồ ngu, ngập hoài"})
    token = Client().post(f"{BASE}/requests.json", rude).json()[0]["token"]
    # FixMyStreet polls the token at most five times, gives up and sends again.
    for _poll in range(5):
        assert Client().get(f"{BASE}/tokens/{token}.json").json()[0]["service_request_id"]
    again = Client().post(f"{BASE}/requests.json", rude).json()[0]
    assert again["token"] == token
    assert Report.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_replays_racing_the_first_post_make_one_report(live_server, tra_vinh):
    import threading

    import requests

    _, key = ClientApplication.create_with_key("racing-fms")
    answers: list = []

    def send() -> None:
        response = requests.post(
            f"{live_server.url}{BASE}/requests.json", data=fixmystreet_post(key), timeout=30
        )
        answers.append(response.json()[0]["service_request_id"])

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 6
    assert len(set(answers)) == 1
    assert Report.objects.count() == 1


def test_each_client_has_its_own_configurable_limit(fms, settings):
    client, key = fms
    client.requests_per_hour = 2
    client.save()
    settings.REPORTS_PER_HOUR = 1  # one resident's limit: not the client's anonymous residents'
    anonymous = {"email": "", "phone": "", "deviceid": "", "first_name": "", "last_name": ""}
    for text in ("Ngập ở chợ", "Ngập ở bến xe"):
        response = Client().post(
            f"{BASE}/requests.json", fixmystreet_post(key, {**anonymous, "description": text})
        )
        assert response.status_code == 200, response.content
    third = Client().post(
        f"{BASE}/requests.json", fixmystreet_post(key, {**anonymous, "description": "Ngập nữa"})
    )
    assert third.status_code == 429
    assert int(third["Retry-After"]) > 3500
    # Another client is not held back by this one.
    _, other_key = ClientApplication.create_with_key("seeclickfix")
    assert Client().post(f"{BASE}/requests.json", fixmystreet_post(other_key)).status_code == 200


def test_photos_sent_as_file_parts_go_through_the_photo_path(fms, media):
    _, key = fms
    jpeg = images.with_gps(images.fixture(images.NOKIA), *TRA_VINH_MARKET)
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = fixmystreet_post(key, {"media_url": []})
    data["photo1"] = SimpleUploadedFile("pothole.jpeg", jpeg, content_type="image/jpeg")
    data["photo2"] = SimpleUploadedFile("notes.txt", b"not a photo", content_type="image/jpeg")
    response = Client().post(f"{BASE}/requests.json", data)
    assert response.status_code == 200, response.content
    report = Report.objects.get(reference=response.json()[0]["service_request_id"])
    [photo] = Photo.objects.filter(report=report)
    assert photo.format == "jpeg" and photo.uploader_id == report.reporter_id
    assert "notes.txt" in response.json()[0]["service_notice"]


def update_fields(key: str, reference: str, **overrides) -> list[tuple[str, str]]:
    """As FixMyStreet's post_service_request_update sends a resident's comment."""
    data = {
        "api_key": key,
        "jurisdiction_id": "travinh.gov.vn",
        "service_request_id": reference,
        "update_id": "9001",
        "updated_datetime": "2026-12-03T10:15:00+07:00",
        "status": "OPEN",
        "description": "Vẫn còn ngập\r\nsáng nay",
        "first_name": "Lan",
        "last_name": "Nguyễn",
        "email": "resident@example.org",
    }
    data.update(overrides)
    return list(data.items())


def test_an_update_posted_back_is_a_public_reply_told_to_staff(
    fms, staff, run_jobs, django_capture_on_commit_callbacks
):
    _, key = fms
    staff["staff842"]  # the unit's member of staff exists
    sent = Client().post(f"{BASE}/requests.json", fixmystreet_post(key)).json()[0]
    reference = sent["service_request_id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form("servicerequestupdates.xml", update_fields(key, reference))
    assert response.status_code == 200, response.content
    root = ET.fromstring(response.content)
    assert root.tag == "service_request_updates"
    update_id = root.find("request_update/update_id").text
    event = ReportEvent.objects.get(id=update_id)
    assert event.kind == EventKind.COMMENT and event.is_public
    assert event.message == "Vẫn còn ngập\nsáng nay"
    assert event.actor.role == Role.RESIDENT
    assert event.data["client_status"] == "OPEN"
    run_jobs()
    told = Notification.objects.filter(report=event.report, kind="reply")
    assert set(told.values_list("user__username", flat=True)) == {"staff842"}

    # FixMyStreet sends it again (it did not hear back): the same update.
    replay = post_form("servicerequestupdates.xml", update_fields(key, reference))
    assert first(replay, "request_update/update_id") == update_id
    assert ReportEvent.objects.filter(kind=EventKind.COMMENT).count() == 1
    # Its own update, polled back, carries the id FixMyStreet stored: it is skipped there.
    polled = Client().get(f"{BASE}/servicerequestupdates.json").json()
    assert [u["update_id"] for u in polled] == [update_id]


def test_a_fixed_mark_is_told_to_staff_not_applied(fms):
    _, key = fms
    reference = (
        Client()
        .post(f"{BASE}/requests.json", fixmystreet_post(key))
        .json()[0]["service_request_id"]
    )
    response = post_form(
        "servicerequestupdates.json",
        update_fields(key, reference, status="FIXED", description="", update_id="9002"),
    )
    assert response.status_code == 200, response.content
    report = Report.objects.get(reference=reference)
    assert report.status == "submitted"  # the unit decides
    event = ReportEvent.objects.get(id=response.json()[0]["update_id"])
    assert "FIXED" in event.message


def test_an_update_is_screened_like_a_report(fms):
    _, key = fms
    reference = (
        Client()
        .post(f"{BASE}/requests.json", fixmystreet_post(key))
        .json()[0]["service_request_id"]
    )
    phone = post_form(
        "servicerequestupdates.json",
        update_fields(key, reference, description="Gọi tôi 0912 345 678", update_id="1"),
    )
    assert "0912 345 678" not in ReportEvent.objects.get(id=phone.json()[0]["update_id"]).message
    rude = post_form(
        "servicerequestupdates.json",
        update_fields(key, reference, description="Đồ ngu, lũ ăn hại", update_id="2"),
    )
    event = ReportEvent.objects.get(id=rude.json()[0]["update_id"])
    assert not event.is_public
    assert "not published" in rude.json()[0]["service_notice"]
    public = Client().get(f"{BASE}/servicerequestupdates.json").json()
    assert str(event.id) not in {u["update_id"] for u in public}


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"api_key": "wrong"}, 403),
        ({"update_id": ""}, 400),
        ({"description": "", "status": ""}, 400),
        ({"service_request_id": "NOSUCH00"}, 404),
        ({"service_request_id": ""}, 404),
    ],
)
def test_bad_updates_are_refused_in_the_spec_shape(fms, change, status):
    _, key = fms
    reference = (
        Client()
        .post(f"{BASE}/requests.json", fixmystreet_post(key))
        .json()[0]["service_request_id"]
    )
    response = post_form("servicerequestupdates.xml", update_fields(key, reference, **change))
    assert response.status_code == status
    assert ET.fromstring(response.content).tag == "errors"
    assert not ReportEvent.objects.filter(kind=EventKind.COMMENT).exists()


def test_updates_to_another_clients_held_report_are_refused(fms, resident):
    _, key = fms
    _, other_key = ClientApplication.create_with_key("another")
    rude = fixmystreet_post(other_key, {"description": "Đồ ngu, ngập hoài"})
    token = Client().post(f"{BASE}/requests.json", rude).json()[0]["token"]
    held = Report.objects.get(id=token)
    assert held.visibility == Visibility.HELD
    response = post_form("servicerequestupdates.json", update_fields(key, held.reference))
    assert response.status_code == 404
    # Its own client may.
    own = post_form("servicerequestupdates.json", update_fields(other_key, held.reference))
    assert own.status_code == 200


def test_polled_updates_carry_extended_statuses_for_a_client_that_asks(fms, resident, staff):
    client, key = fms
    fixed = resident.post_json("/api/v1/reports", report_payload()).json()
    staff842 = staff["staff842"]
    url = f"/api/v1/staff/tickets/{fixed['id']}/status"
    staff842.post_json(url, {"status": "acknowledged", "message": "Đã nhận"})
    staff842.post_json(url, {"status": "resolved", "message": "Đã vá"})
    refused = resident.post_json(
        "/api/v1/reports", report_payload(description="Biển báo bị che")
    ).json()
    staff842.post_json(
        f"/api/v1/staff/tickets/{refused['id']}/status",
        {"status": "rejected", "message": "Không thuộc phạm vi"},
    )

    def statuses(**params) -> list[tuple[str, str]]:
        rows = Client().get(f"{BASE}/servicerequestupdates.json", params).json()
        return [(r["service_request_id"], r["status"]) for r in rows]

    plain = statuses()
    assert plain == [
        (fixed["reference"], "open"),
        (fixed["reference"], "closed"),
        (refused["reference"], "closed"),
    ]
    assert statuses(api_key=key) == plain  # the client has not asked
    client.extended_statuses = True
    client.save()
    assert statuses(api_key=key) == [
        (fixed["reference"], "investigating"),
        (fixed["reference"], "fixed"),
        (refused["reference"], "no_further_action"),
    ]
    assert Client().get(f"{BASE}/servicerequestupdates.json", {"api_key": "x"}).status_code == 403


def test_polled_windows_are_exact_to_the_second_and_ids_stable(resident, staff):
    report = resident.post_json("/api/v1/reports", report_payload()).json()
    staff["staff842"].post_json(
        f"/api/v1/staff/tickets/{report['id']}/status", {"status": "acknowledged"}
    )
    event = ReportEvent.objects.get(kind=EventKind.STATUS_CHANGED)
    at = timezone.now().replace(microsecond=600_000) - timedelta(hours=1)
    ReportEvent.objects.filter(id=event.id).update(created_at=at)
    shown = at.replace(microsecond=0)

    def polled(start, end) -> list[str]:
        params = {"start_date": start.isoformat(), "end_date": end.isoformat()}
        answer = Client().get(f"{BASE}/servicerequestupdates.json", params)
        return [u["update_id"] for u in answer.json()]

    hour = timedelta(hours=1)
    # FixMyStreet's overlapping two-hour windows: the update is in every window
    # that holds the second it is shown at, with the same id each time.
    assert polled(shown - hour, shown) == [str(event.id)]
    assert polled(shown, shown + hour) == [str(event.id)]
    assert polled(shown - 2 * hour, shown - timedelta(seconds=1)) == []
    assert polled(shown + timedelta(seconds=1), shown + hour) == []


def test_the_update_post_is_idempotent_per_client_not_across_clients(fms):
    _, key = fms
    _, other_key = ClientApplication.create_with_key("another")
    reference = (
        Client()
        .post(f"{BASE}/requests.json", fixmystreet_post(key))
        .json()[0]["service_request_id"]
    )
    mine = post_form("servicerequestupdates.json", update_fields(key, reference))
    theirs = post_form("servicerequestupdates.json", update_fields(other_key, reference))
    assert mine.json()[0]["update_id"] != theirs.json()[0]["update_id"]
    assert User.objects.filter(username__startswith="open311-").count() == 2


def test_a_banned_resident_cannot_post_updates_through_a_client(fms):
    _, key = fms
    reference = (
        Client()
        .post(f"{BASE}/requests.json", fixmystreet_post(key))
        .json()[0]["service_request_id"]
    )
    reporter = Report.objects.get(reference=reference).reporter
    reporter.reports_banned_until = timezone.now() + timedelta(days=7)
    reporter.save()
    response = post_form("servicerequestupdates.xml", update_fields(key, reference))
    assert response.status_code == 403
    assert ET.fromstring(response.content).tag == "errors"
    assert not ReportEvent.objects.filter(kind=EventKind.COMMENT).exists()


def test_an_operator_registers_a_fixmystreet_client_with_its_own_limit():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "open311_client", "fms-province", "--fixmystreet", "--requests-per-hour", "50", stdout=out
    )
    client = ClientApplication.objects.get(name="fms-province")
    assert client.extended_statuses and client.requests_per_hour == 50
    key = out.getvalue().strip()
    response = Client().post(f"{BASE}/requests.json", fixmystreet_post(key))
    assert response.status_code == 200
