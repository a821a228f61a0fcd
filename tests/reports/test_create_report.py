import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection

from backend.reports import services
from backend.reports.models import EventKind, Follower, Report, ReportEvent
from tests.conftest import ApiClient
from tests.reports.helpers import TRA_CU_TOWN, report_payload

pytestmark = pytest.mark.django_db


def test_report_is_routed_on_creation(resident):
    response = resident.post_json("/api/v1/reports", report_payload())
    assert response.status_code == 201, response.content
    body = response.json()
    province, district, commune = body["areas"]
    assert province["code"] == "84" and province["level"] == "province"
    assert district == {
        "code": "842",
        "name": "Thành phố Trà Vinh",
        "level": "district",
        "level_label": "huyện / quận / thị xã / thành phố",
        "edition": "pre-2025",
    }
    assert commune["name"] == "Phường 1" and commune["level"] == "commune"
    assert body["unit"]["code"] == "urban-842"
    assert body["status"] == "submitted"
    assert body["priority"] == "high"
    assert body["is_mine"] is True
    assert len(body["reference"]) == 8
    report = Report.objects.get(id=body["id"])
    assert report.due_at - report.created_at == timedelta(hours=72)
    assert [e["kind"] for e in body["timeline"]] == ["created", "routed"]
    assert Follower.objects.filter(report=report, user=report.reporter).exists()


def test_report_in_another_district_goes_to_its_unit(resident):
    body = resident.post_json("/api/v1/reports", report_payload(point=TRA_CU_TOWN)).json()
    assert body["areas"][1]["code"] == "849"
    assert body["unit"]["code"] == "urban-849"


def test_same_id_again_returns_the_same_report_and_creates_nothing(resident):
    payload = report_payload()
    first = resident.post_json("/api/v1/reports", payload)
    again = resident.post_json("/api/v1/reports", payload)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]
    assert Report.objects.filter(id=payload["id"]).count() == 1
    assert ReportEvent.objects.filter(report_id=payload["id"], kind=EventKind.CREATED).count() == 1


def test_same_id_with_other_content_is_an_idempotency_mismatch(resident):
    payload = report_payload()
    resident.post_json("/api/v1/reports", payload)
    response = resident.post_json("/api/v1/reports", {**payload, "description": "Khác hẳn"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_mismatch"
    assert Report.objects.get(id=payload["id"]).description == payload["description"]


def test_same_id_from_another_resident_is_refused(resident, other_resident):
    payload = report_payload()
    resident.post_json("/api/v1/reports", payload)
    response = other_resident.post_json("/api/v1/reports", payload)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_mismatch"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sends_of_one_report_make_one_report(tra_vinh, tokens):
    token = tokens.token("resident-race")
    ApiClient(token).get("/api/v1/me/reports")  # the user exists before the race
    payload = report_payload()
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send() -> None:
        client = ApiClient(token)
        barrier.wait()
        try:
            statuses.append(client.post_json("/api/v1/reports", payload).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 201]
    assert Report.objects.filter(id=payload["id"]).count() == 1
    assert ReportEvent.objects.filter(report_id=payload["id"], kind=EventKind.CREATED).count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"category": "no-such-category"}, "unknown_category"),
        ({"lat": 91}, "invalid_request"),
        ({"lon": -181}, "invalid_request"),
        ({"lat": "north"}, "invalid_request"),
        ({"point": (9.45, 106.75)}, "outside_service_area"),  # the East Sea off Duyên Hải
        ({"point": (21.0285, 105.8542)}, "outside_service_area"),  # Hà Nội
        ({"id": "not-a-uuid"}, "invalid_request"),
        ({"description": "   "}, "invalid_request"),
        ({"description": "x" * 2001}, "invalid_request"),
        ({"accuracy_m": -5}, "invalid_request"),
        ({"status": "resolved"}, "invalid_request"),
        ({"unit": "urban-849"}, "invalid_request"),
        ({"reporter": 1}, "invalid_request"),
    ],
)
def test_bad_report_is_refused_and_nothing_is_stored(resident, change, code):
    response = resident.post_json("/api/v1/reports", report_payload(**change))
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == code
    assert not Report.objects.exists()


def test_missing_fields_are_listed(resident):
    response = resident.post_json("/api/v1/reports", {"category": "pothole"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["error"]["details"]["errors"]}
    assert {"body.payload.id", "body.payload.lat", "body.payload.lon"} <= fields


def test_malformed_json_is_a_400(resident):
    response = resident.post(
        "/api/v1/reports", data=b'{"id": "abc", ', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"


def test_a_json_array_is_not_a_report(resident):
    response = resident.post_json("/api/v1/reports", [report_payload()])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_report_needs_a_signed_in_resident(anonymous):
    response = anonymous.post_json("/api/v1/reports", report_payload())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Bearer"


def test_expired_token_is_refused(tokens):
    client = ApiClient(tokens.token("resident-late", expires_in=-600))
    response = client.post_json("/api/v1/reports", report_payload())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"
    assert not Report.objects.exists()


def test_forged_token_is_refused(tokens):
    client = ApiClient(tokens.forged_token("resident-an"))
    response = client.post_json("/api/v1/reports", report_payload())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_token_for_another_firebase_project_is_refused(tokens):
    client = ApiClient(tokens.token("resident-an", aud="someone-elses-project"))
    response = client.post_json("/api/v1/reports", report_payload())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_garbage_token_is_refused():
    response = ApiClient("not.a.jwt").post_json("/api/v1/reports", report_payload())
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_first_request_creates_the_local_resident(tokens):
    from backend.accounts.models import Role, User

    ApiClient(tokens.token("resident-new", phone_number="+84987654321")).post_json(
        "/api/v1/reports", report_payload()
    )
    user = User.objects.get(firebase_uid="resident-new")
    assert user.role == Role.RESIDENT
    assert user.phone_number == "+84987654321"
    assert not user.has_usable_password()


def test_report_creation_is_rate_limited_per_resident(resident, other_resident, settings):
    settings.REPORTS_PER_HOUR = 3
    payloads = [report_payload() for _ in range(3)]
    for payload in payloads:
        assert resident.post_json("/api/v1/reports", payload).status_code == 201
    # A retry of an accepted report is not a new report: it is not limited.
    assert resident.post_json("/api/v1/reports", payloads[0]).status_code == 200
    response = resident.post_json("/api/v1/reports", report_payload())
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert Report.objects.count() == 3
    # Another resident is not affected.
    assert other_resident.post_json("/api/v1/reports", report_payload()).status_code == 201


def test_rate_limit_window_slides(tokens, settings, time_machine):
    settings.REPORTS_PER_HOUR = 1
    time_machine.move_to("2026-11-25 08:00:00+07:00", tick=False)
    resident = ApiClient(tokens.token("resident-an", expires_in=7200))
    assert resident.post_json("/api/v1/reports", report_payload()).status_code == 201
    time_machine.move_to("2026-11-25 08:30:00+07:00", tick=False)
    limited = resident.post_json("/api/v1/reports", report_payload())
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) == 1801
    time_machine.move_to("2026-11-25 09:00:01+07:00", tick=False)
    assert resident.post_json("/api/v1/reports", report_payload()).status_code == 201


def test_report_ids_are_unique_references(resident):
    references = {
        resident.post_json("/api/v1/reports", report_payload()).json()["reference"]
        for _ in range(10)
    }
    assert len(references) == 10
    assert all(set(ref) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for ref in references)


class ScriptedChoices:
    """Stands in for the `secrets` module where references are drawn: it
    picks each character from a script, so a test knows the references."""

    def __init__(self, script: str) -> None:
        self.script = iter(script)

    def choice(self, alphabet: str) -> str:
        picked = next(self.script)
        assert picked in alphabet
        return picked


def test_a_taken_reference_is_drawn_again(resident, monkeypatch):
    monkeypatch.setattr(services, "secrets", ScriptedChoices("AAAAAAAA" * 2 + "BBBBBBBB"))
    first = resident.post_json("/api/v1/reports", report_payload())
    second = resident.post_json("/api/v1/reports", report_payload())
    assert first.status_code == second.status_code == 201, second.content
    assert first.json()["reference"] == "AAAAAAAA"
    assert second.json()["reference"] == "BBBBBBBB"
    report = Report.objects.get(id=second.json()["id"])
    assert report.reference == "BBBBBBBB"
    assert ReportEvent.objects.filter(report=report, kind=EventKind.CREATED).count() == 1


def test_only_taken_references_refuse_a_report_in_the_end(resident, monkeypatch):
    monkeypatch.setattr(services, "secrets", ScriptedChoices("AAAAAAAA" * 6))
    resident.post_json("/api/v1/reports", report_payload())
    payload = report_payload()
    response = resident.post_json("/api/v1/reports", payload)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "reference_exhausted"
    assert response["Retry-After"] == "1"
    assert not Report.objects.filter(id=payload["id"]).exists()


def test_unknown_report_id_is_404(resident):
    response = resident.get(f"/api/v1/reports/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
