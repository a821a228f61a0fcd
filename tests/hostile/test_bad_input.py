"""Hostile input gets one JSON error with the right status, never a 500, an
HTML page or half-written data: control characters, tampered cursors,
unknown paths and wrong methods."""

import base64
import json

import pytest

from backend.accounts.models import User
from backend.reports.models import Report, ReportEvent
from open311.models import ClientApplication, hash_key
from tests.conftest import ApiClient
from tests.reports.helpers import report_payload

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"])
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports?lat=9.93&lon=106.34&category=pot%00hole",
        "/api/v1/reports?lat=9.93&lon=106.34&category=pot%1Bhole",
        "/api/v1/areas/locate?lat=9.93&lon=106.34&x%00=1",
        "/api/v1/categories?%00",
    ],
)
def test_control_characters_in_a_query_are_refused_without_signing_in(anonymous, path):
    error = assert_error(anonymous.get(path), 422, "control_characters")
    assert error["details"]["field"] in ("category", "x?", "?")


def test_control_characters_in_an_open311_query_are_refused_in_its_format(anonymous):
    response = anonymous.get("/open311/v2/requests.json?service_code=pot%00hole")
    assert response.status_code == 422
    assert response.json()[0]["code"] == 422


@pytest.mark.parametrize("text", ["pot\x00hole", "pot\u0000hole", "a\x07b", "\x9b[2J"])
def test_control_characters_in_a_json_body_are_refused(resident, text):
    payload = report_payload(description=text)
    assert_error(resident.post_json("/api/v1/reports", payload), 422, "control_characters")
    assert not Report.objects.exists()


def test_an_escaped_nul_deep_in_a_json_body_is_refused(resident):
    body = json.dumps({**report_payload(), "attributes": {"depth\u0000": ["x"]}})
    response = resident.post("/api/v1/reports", body, content_type="application/json")
    assert_error(response, 422, "control_characters")


def test_newlines_and_tabs_are_text(resident):
    payload = report_payload(description="Ổ gà lớn\r\n\tngay trước chợ")
    assert resident.post_json("/api/v1/reports", payload).status_code == 201


def test_a_nul_in_the_staff_sign_in_is_refused(anonymous):
    response = anonymous.post_json(
        "/api/v1/staff/login", {"username": "staff\x00", "password": "p\x00"}
    )
    assert_error(response, 422, "control_characters")


def test_a_nul_in_comments_devices_and_flags_is_refused(staff, ticket_842, other_resident):
    tid = ticket_842["id"]
    comment = staff["staff842"].post_json(
        f"/api/v1/staff/tickets/{tid}/comments", {"message": "ok\x00", "is_public": True}
    )
    assert_error(comment, 422, "control_characters")
    device = other_resident.post_json(
        "/api/v1/devices", {"token": "fcm\x00token", "platform": "android", "locale": "vi"}
    )
    assert_error(device, 422, "control_characters")
    assert_error(other_resident.delete("/api/v1/devices/fcm%00token"), 422, "control_characters")
    flag = other_resident.post_json(f"/api/v1/reports/{tid}/flag", {"reason": "spam\x00"})
    assert_error(flag, 422, "control_characters")
    assert ReportEvent.objects.filter(report_id=tid).count() == 3  # created, routed, screened


def test_a_nul_in_an_open311_post_is_refused_in_its_format(anonymous):
    ClientApplication.objects.create(name="fms", key_hash=hash_key("k-123"))
    accounts = User.objects.count()
    response = anonymous.post(
        "/open311/v2/requests.json",
        {
            "api_key": "k-123",
            "service_code": "pothole",
            "lat": "9.9472",
            "long": "106.3372",
            "description": "Ổ gà\x00",
            "email": "an@example.com",
            "first_name": "An",
        },
    )
    assert response.status_code == 422, response.content
    assert response.json()[0]["code"] == 422
    assert User.objects.count() == accounts
    assert not Report.objects.exists()


def test_an_open311_post_refused_midway_leaves_no_contact_account_behind(anonymous):
    """The contact's account is made before the report is routed; a point
    outside the service area refuses the report, and the account goes with it."""
    ClientApplication.objects.create(name="fms", key_hash=hash_key("k-123"))
    accounts = User.objects.count()
    response = anonymous.post(
        "/open311/v2/requests.xml",
        {
            "api_key": "k-123",
            "service_code": "pothole",
            "lat": "21.0285",
            "long": "105.8542",
            "description": "Ổ gà ở Hà Nội",
            "email": "binh@example.com",
        },
    )
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("text/xml")
    assert User.objects.count() == accounts
    assert not Report.objects.exists()


def test_a_control_character_in_a_multipart_field_is_refused(resident):
    response = resident.post_photo("/api/v1/photos", b"\xff\xd8\xff", photo_id="a\x00b")
    assert_error(response, 422, "control_characters")


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


TAMPERED = [
    _b64([1, 2]),
    _b64([None, None]),
    _b64(["2026-01-01T00:00:00+00:00", "not-a-uuid"]),
    _b64(["2026-01-01T00:00:00+00:00", "1" * 60]),
    _b64({"offset": 10**18}),
    "%%%",
    "x" * 150,
]


@pytest.mark.parametrize("cursor", TAMPERED)
@pytest.mark.parametrize(
    "who, path",
    [
        ("anonymous", "/api/v1/reports?lat=9.93&lon=106.34"),
        ("resident", "/api/v1/me/reports?"),
        ("resident", "/api/v1/me/notifications?"),
        ("staff842", "/api/v1/staff/tickets?"),
        ("staff842", "/api/v1/staff/tickets?order=due&"),
    ],
)
def test_a_tampered_cursor_is_a_400(cursor, who, path, anonymous, resident, staff):
    client = {"anonymous": anonymous, "resident": resident}.get(who) or staff[who]
    sep = "" if path.endswith(("?", "&")) else "&"
    assert_error(client.get(f"{path}{sep}cursor={cursor}"), 400, "invalid_cursor")


def test_a_real_cursor_still_pages(resident):
    for n in range(3):
        lat = 9.9347 + n * 0.001
        assert resident.post_json("/api/v1/reports", report_payload(lat=lat)).status_code == 201
    first = resident.get("/api/v1/me/reports?limit=2").json()
    second = resident.get(f"/api/v1/me/reports?limit=2&cursor={first['next_cursor']}").json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing-here", "/api/v1/reports/not-a-uuid/x", "/nothing", "/open311/x"]
)
def test_unknown_paths_answer_the_error_shape(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 404
    assert b"<html" not in response.content.lower()
    if path.startswith("/open311/"):
        assert response.json() == [{"code": 404, "description": "Not found."}]
    else:
        assert_error(response, 404, "not_found")


def test_an_unknown_open311_path_answers_in_its_format(anonymous):
    response = anonymous.get("/open311/v2//services.xml")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/xml")
    assert b"<errors><error><code>404</code>" in response.content


def test_a_wrong_method_answers_the_error_shape(anonymous):
    assert_error(anonymous.delete("/api/v1/categories"), 405, "method_not_allowed")
    assert_error(ApiClient().put("/api/v1/reports"), 405, "method_not_allowed")


def test_a_single_parameter_sent_twice_is_refused_not_guessed(staff):
    official = staff["official"]
    response = official.get("/api/v1/stats/performance?area=842&area=849")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    # A list parameter may repeat.
    listed = official.get("/api/v1/stats/performance?category=pothole&category=flooding")
    assert listed.status_code == 200
