"""The OWASP API Security Top 10 (2023), as it applies to this service.

One section per risk. Each test attacks the API the way the risk describes and
asserts what must happen instead; the per-feature suites test the same rules
feature by feature, this file sweeps them across every endpoint they concern.
"""

import json
import re

import pytest

from backend.reports.models import Report, Status, Visibility
from notifications.models import Notification
from tests.conftest import ApiClient
from tests.reports.helpers import report_payload

pytestmark = pytest.mark.django_db

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _resolve(staff, report_id: str) -> None:
    url = f"/api/v1/staff/tickets/{report_id}/status"
    for status in ("in_progress", "resolved"):
        response = staff["staff842"].post_json(url, {"status": status, "message": "Đã sửa xong"})
        assert response.status_code == 200, response.content


# API1: broken object level authorisation ------------------------------------


RESIDENT_OBJECT_CALLS = [
    ("get", "/api/v1/reports/{id}", None),
    ("post", "/api/v1/reports/{id}/support", {}),
    ("post", "/api/v1/reports/{id}/rating", {"rating": 1}),
    ("post", "/api/v1/reports/{id}/reopen", {"reason": "Chưa sửa"}),
    ("post", "/api/v1/reports/{id}/flag", {"reason": "spam"}),
]


@pytest.mark.parametrize(("method", "path", "body"), RESIDENT_OBJECT_CALLS)
def test_api1_a_resident_cannot_reach_another_residents_report_held_for_review(
    resident, other_resident, method, path, body
):
    report_id = resident.post_json("/api/v1/reports", report_payload()).json()["id"]
    Report.objects.filter(id=report_id).update(visibility=Visibility.HELD)
    url = path.format(id=report_id)
    response = other_resident.get(url) if method == "get" else other_resident.post_json(url, body)
    assert response.status_code == 404, response.content  # not even its existence
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/reports/{id}/rating", {"rating": 1}),
        ("/api/v1/reports/{id}/reopen", {"reason": "Chưa sửa"}),
    ],
)
def test_api1_only_the_reporter_rates_or_reopens_a_public_report(
    resident, other_resident, staff, path, body
):
    report_id = resident.post_json("/api/v1/reports", report_payload()).json()["id"]
    _resolve(staff, report_id)
    response = other_resident.post_json(path.format(id=report_id), body)
    assert response.status_code == 404
    report = Report.objects.get(id=report_id)
    assert report.status == Status.RESOLVED and report.rating is None


def test_api1_a_resident_cannot_add_photos_to_another_residents_report(
    resident, other_resident, media
):
    from tests.photos import images

    report_id = resident.post_json("/api/v1/reports", report_payload()).json()["id"]
    response = other_resident.post_photo(
        f"/api/v1/reports/{report_id}/photos", images.fixture(images.NOKIA)
    )
    assert response.status_code == 403  # the report is public; it is not theirs
    assert response.json()["error"]["code"] == "not_your_report"
    assert not Report.objects.get(id=report_id).photos.exists()


def test_api1_a_resident_cannot_read_or_unregister_another_residents_notifications_and_devices(
    resident, other_resident, staff, run_jobs, django_capture_on_commit_callbacks
):
    token = "device-of-an-" + "x" * 60
    registered = resident.post_json("/api/v1/devices", {"token": token, "platform": "android"})
    assert registered.status_code == 201
    report_id = resident.post_json("/api/v1/reports", report_payload()).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        staff["staff842"].post_json(
            f"/api/v1/staff/tickets/{report_id}/status", {"status": "acknowledged"}
        )
    run_jobs()
    notification = Notification.objects.filter(user__firebase_uid="resident-an").first()
    assert notification is not None
    read = other_resident.post(f"/api/v1/me/notifications/{notification.id}/read")
    assert read.status_code == 404
    assert other_resident.delete(f"/api/v1/devices/{token}").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    inbox = other_resident.get("/api/v1/me/notifications").json()
    assert all(item["id"] != notification.id for item in inbox["items"])


STAFF_TICKET_CALLS = [
    ("get", "", None),
    ("post", "/status", {"status": "acknowledged"}),
    ("post", "/assign", {"assignee_id": None}),
    ("post", "/transfer", {"unit": "urban-842", "reason": "Của chúng tôi"}),
    ("post", "/comments", {"message": "Đã xem", "public": True}),
]


@pytest.mark.parametrize("who", ["staff842", "lead842", "manager842"])
@pytest.mark.parametrize(("method", "suffix", "body"), STAFF_TICKET_CALLS)
def test_api1_staff_cannot_see_or_change_another_districts_ticket(
    staff, ticket_849, who, method, suffix, body
):
    url = f"/api/v1/staff/tickets/{ticket_849['id']}{suffix}"
    client = staff[who]
    response = client.get(url) if method == "get" else client.post_json(url, body)
    assert response.status_code == 404, response.content
    report = Report.objects.get(id=ticket_849["id"])
    assert report.status == Status.SUBMITTED and report.unit.code == "urban-849"


def test_api1_unknown_ids_are_404_in_the_error_shape(resident, staff, moderator_client):
    for client, url in [
        (resident, f"/api/v1/reports/{UNKNOWN}"),
        (staff["staff842"], f"/api/v1/staff/tickets/{UNKNOWN}"),
        (moderator_client, f"/api/v1/moderation/reports/{UNKNOWN}/approve"),
    ]:
        response = client.get(url) if "moderation" not in url else client.post_json(url, {})
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"


@pytest.fixture
def moderator_client(staff):
    return staff["moderator"]


# API2: broken authentication --------------------------------------------------


def test_api2_forged_expired_or_foreign_tokens_are_refused(tokens, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    good = tokens.token("resident-an")
    header, payload, _signature = good.split(".")
    unsigned = f"{header}.{payload}."
    other_key = tokens.forged_token("resident-an")  # a key Google never published
    other_project = tokens.token("resident-an", aud="another-project")
    for bad in [unsigned, other_key, other_project, good[:-4] + "AAAA"]:
        response = ApiClient(bad).get("/api/v1/me/reports")
        assert response.status_code == 401, bad
        assert response.json()["error"]["code"] == "invalid_token"
    assert ApiClient(good).get("/api/v1/me/reports").status_code == 200  # now remembered
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    expired = ApiClient(good).get("/api/v1/me/reports")  # refused all the same
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "token_expired"


def test_api2_a_resident_token_is_not_a_staff_token_and_the_reverse(resident, staff):
    assert resident.get("/api/v1/staff/tickets").status_code == 401
    assert staff["staff842"].post_json("/api/v1/reports", report_payload()).status_code == 401


# API3: broken object property level authorisation ----------------------------


@pytest.mark.parametrize(
    "field",
    [
        {"status": "resolved"},
        {"unit": "urban-849"},
        {"reporter": 1},
        {"visibility": "public"},
        {"priority": "urgent"},
        {"reference": "B0000001"},
    ],
)
def test_api3_fields_a_resident_must_not_set_are_refused(resident, field):
    payload = {**report_payload(), **field}
    response = resident.post_json("/api/v1/reports", payload)
    assert response.status_code == 422
    assert not Report.objects.filter(id=payload["id"]).exists()


def test_api3_the_public_never_sees_who_reported_or_private_details(
    resident, other_resident, anonymous
):
    report_id = resident.post_json("/api/v1/reports", report_payload()).json()["id"]
    for client in (other_resident, anonymous):
        body = client.get(f"/api/v1/reports/{report_id}").json()
        text = json.dumps(body)
        assert body["is_mine"] is False
        assert body["accuracy_m"] is None and body["visibility"] is None
        assert "reporter" not in body and "resident-an" not in text and "+849" not in text


# API4: unrestricted resource consumption --------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports?limit=1000",
        "/api/v1/me/reports?limit=1000",
        "/api/v1/me/notifications?limit=1000",
    ],
)
def test_api4_page_sizes_are_capped(resident, path):
    response = resident.get(path)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_api4_staff_page_size_is_capped(staff):
    assert staff["staff842"].get("/api/v1/staff/tickets?limit=1000").status_code == 422


def test_api4_text_lengths_are_capped(resident):
    too_long = report_payload(description="ổ gà " * 500)  # 2,500 characters
    assert resident.post_json("/api/v1/reports", too_long).status_code == 422


def test_api4_an_oversized_body_is_413_before_it_is_read(resident, settings):
    settings.MAX_REQUEST_BYTES = 10_000
    body = json.dumps(report_payload(description="a" * 20_000))
    response = resident.post("/api/v1/reports", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_api4_report_creation_is_rate_limited_per_resident(resident, settings):
    settings.REPORTS_PER_HOUR = 2
    statuses = [
        resident.post_json("/api/v1/reports", report_payload()).status_code for _ in range(3)
    ]
    assert statuses == [201, 201, 429]


# API5: broken function level authorisation ------------------------------------

# Each call with a valid body, so that only the caller's role can refuse it.
STAFF_ONLY = [
    ("get", "/api/v1/staff/tickets", None),
    ("get", "/api/v1/staff/tickets/counts", None),
    ("post", "/api/v1/staff/tickets/{id}/status", {"status": "acknowledged"}),
    ("post", "/api/v1/staff/tickets/{id}/merge", {"into": UNKNOWN}),
]
MODERATOR_ONLY = [
    ("get", "/api/v1/moderation/queue", None),
    ("post", "/api/v1/moderation/reports/{id}/approve", {}),
    ("post", "/api/v1/moderation/reports/{id}/ban-reporter", {"days": 7, "reason": "spam"}),
]
OFFICIAL_ONLY = [
    ("get", "/api/v1/stats/performance", None),
    ("get", "/api/v1/stats/hotspots", None),
    ("get", "/api/v1/stats/export.csv", None),
]


def _call(client, method, path, ticket_id, body):
    url = path.format(id=ticket_id)
    return client.get(url) if method == "get" else client.post_json(url, body)


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ONLY + MODERATOR_ONLY + OFFICIAL_ONLY)
def test_api5_residents_and_anonymous_callers_reach_no_staff_function(
    resident, anonymous, ticket_842, method, path, body
):
    for client in (resident, anonymous):
        assert _call(client, method, path, ticket_842["id"], body).status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), MODERATOR_ONLY)
@pytest.mark.parametrize("who", ["staff842", "manager842", "official"])
def test_api5_only_moderators_and_admins_moderate(staff, ticket_842, who, method, path, body):
    assert _call(staff[who], method, path, ticket_842["id"], body).status_code == 403


@pytest.mark.parametrize(("method", "path", "body"), OFFICIAL_ONLY)
@pytest.mark.parametrize("who", ["staff842", "moderator"])
def test_api5_statistics_are_for_officials_and_managers(staff, who, method, path, body):
    assert _call(staff[who], method, path, UNKNOWN, body).status_code == 403


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ONLY[2:])
def test_api5_officials_read_but_never_change_tickets(staff, ticket_842, method, path, body):
    response = _call(staff["official"], method, path, ticket_842["id"], body)
    assert response.status_code == 403
    assert Report.objects.get(id=ticket_842["id"]).status == Status.SUBMITTED


# API6: unrestricted access to sensitive business flows ------------------------


def test_api6_me_too_counts_once_per_resident_however_often_it_is_sent(resident, other_resident):
    report_id = resident.post_json("/api/v1/reports", report_payload()).json()["id"]
    for _ in range(5):
        other_resident.post_json(f"/api/v1/reports/{report_id}/support", {})
    assert Report.objects.get(id=report_id).support_count == 1


def test_api6_a_replayed_report_is_one_report(resident):
    payload = report_payload()
    statuses = [resident.post_json("/api/v1/reports", payload).status_code for _ in range(3)]
    assert statuses == [201, 200, 200]
    assert Report.objects.filter(id=payload["id"]).count() == 1


# API7: server-side request forgery ---------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/admin/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:25/",
    ],
)
def test_api7_media_url_never_reaches_internal_addresses(url, settings, ticket_842):
    from open311.media import allowed_media_url, fetch_media, resolves_to_internal_address
    from open311.models import PendingMedia

    settings.OPEN311_MEDIA_HOSTS = ["travinh.gov.vn"]
    assert not allowed_media_url(url)
    media = PendingMedia.objects.create(report_id=ticket_842["id"], url=url)
    assert fetch_media(media.id) == "refused"
    assert not PendingMedia.objects.filter(id=media.id).exists()  # done with, not retried
    if url.startswith("http"):
        assert resolves_to_internal_address(url)


def test_api7_the_geocoder_address_comes_from_settings_only(resident, settings):
    # The only resident input the geocoder sees is the report's coordinates,
    # which are validated numbers; a URL in them is refused before any job.
    payload = report_payload()
    payload["lat"] = "http://127.0.0.1/"
    assert resident.post_json("/api/v1/reports", payload).status_code == 422


# API8: security misconfiguration ----------------------------------------------


def test_api8_errors_never_leak_internals(resident):
    response = resident.post("/api/v1/reports", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"error"}
    assert "Traceback" not in response.content.decode()


def test_api8_cors_allows_only_the_listed_origins(anonymous, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://dashboard.example.gov.vn"]
    allowed = anonymous.get("/api/v1/categories", HTTP_ORIGIN="https://dashboard.example.gov.vn")
    other = anonymous.get("/api/v1/categories", HTTP_ORIGIN="https://evil.example.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://dashboard.example.gov.vn"
    assert "Access-Control-Allow-Origin" not in other


def test_api8_responses_carry_the_security_headers(anonymous):
    response = anonymous.get("/api/v1/categories")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


# API9: improper inventory management --------------------------------------------


def test_api9_every_api_route_is_in_the_openapi_schema(anonymous):
    from mobile_api.api import api

    schema = anonymous.get("/api/v1/openapi.json").json()
    documented = {path.strip("/") for path in schema["paths"]}
    served = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(route.pattern)).strip("/") for route in api.urls[0]
    }
    # The schema, its viewer, and django-ninja's root (a redirect to the viewer).
    served -= {"api/v1/openapi.json", "api/v1/docs", ""}
    assert len(served) >= 40
    assert served == documented, served ^ documented


# API10: unsafe consumption of APIs ------------------------------------------------


def test_api10_a_garbled_answer_from_fcm_fails_the_push_but_not_the_report(
    fcm, resident, staff, run_jobs, django_capture_on_commit_callbacks
):
    from notifications.models import Delivery, DeliveryState

    token = "garbled-" + "x" * 60
    resident.post_json("/api/v1/devices", {"token": token, "platform": "android"})
    fcm.outcomes[token] = ["invalid"] * 10
    report_id = resident.post_json("/api/v1/reports", report_payload()).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = staff["staff842"].post_json(
            f"/api/v1/staff/tickets/{report_id}/status", {"status": "acknowledged"}
        )
    assert response.status_code == 200
    run_jobs()
    delivery = Delivery.objects.get(device__token=token)
    assert delivery.state == DeliveryState.FAILED
    assert Notification.objects.filter(user__firebase_uid="resident-an").exists()  # in the inbox
