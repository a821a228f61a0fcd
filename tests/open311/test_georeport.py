import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from backend.reports.models import Report, Source, Visibility
from open311.models import ClientApplication
from tests.reports.helpers import TRA_VINH_MARKET, report_payload

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
    "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


def get(path: str, fmt: str, **params):
    response = Client().get(f"{BASE}/{path}.{fmt}", params)
    # Exactly, as validators compare them.
    assert response["Content-Type"] == ("application/json" if fmt == "json" else "text/xml")
    return response


def parse(response, fmt: str):
    if fmt == "json":
        return response.json()
    return ET.fromstring(response.content)


def xml_items(root, item: str) -> list[dict]:
    return [{child.tag: (child.text or "") for child in node} for node in root.findall(item)]


@pytest.fixture
def api_key(db):
    _, key = ClientApplication.create_with_key("fixmystreet-test")
    return key


@pytest.fixture
def published(resident):
    report = resident.post_json("/api/v1/reports", report_payload()).json()
    return report


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery(fmt):
    data = parse(get("discovery", fmt), fmt)
    if fmt == "json":
        endpoint = data["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    else:
        assert data.tag == "discovery"
        assert (
            data.find("endpoints/endpoint/specification").text
            == "http://wiki.open311.org/GeoReport_v2"
        )


def test_discovery_passes_the_validators_rules():
    """As SeeClickFix's open311-validator reads it: a test and a production
    endpoint, URLs that take "/services.xml" appended, the exact content types,
    and a contact and a key service."""
    data = get("discovery", "json").json()
    assert data["contact"] and data["key_service"] and data["changeset"]
    assert sorted(e["type"] for e in data["endpoints"]) == ["production", "test"]
    for endpoint in data["endpoints"]:
        assert not endpoint["url"].endswith("/")
        assert endpoint["formats"] == ["text/xml", "application/json"]
        path = endpoint["url"].split("testserver", 1)[1]
        for fmt in ("xml", "json"):
            response = Client().get(f"{path}/services.{fmt}")
            assert response.status_code == 200
            assert response["Content-Type"] == endpoint["formats"][fmt == "json"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_errors_have_the_spec_shape_with_numeric_codes_for_any_path(fmt):
    for path in ("/open311/v2/no-such.", "/open311/v2//services."):
        response = Client().get(f"{path}{fmt}")
        assert response.status_code == 404, path
        errors = parse(response, fmt)
        if fmt == "json":
            assert isinstance(errors[0]["code"], int) and errors[0]["description"]
        else:
            assert errors.tag == "errors" and errors.find("error/code").text == "404"


def test_an_unknown_format_is_answered_in_json():
    response = Client().get("/open311/v2/services.csv")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()[0]["code"] == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_list_the_catalogue(fmt):
    data = parse(get("services", fmt), fmt)
    services = data if fmt == "json" else xml_items(data, "service")
    assert len(services) == 19
    for service in services:
        assert set(service) == SERVICE_FIELDS
    flooding = next(s for s in services if s["service_code"] == "flooding")
    assert flooding["metadata"] in (True, "true")
    assert flooding["group"] == "drainage"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition_lists_the_attributes(fmt):
    data = parse(get("services/flooding", fmt), fmt)
    if fmt == "json":
        attribute = data["attributes"][0]
        assert attribute["code"] == "depth"
        assert attribute["datatype"] == "singlevaluelist"
        assert [v["key"] for v in attribute["values"]] == ["ankle", "knee", "waist"]
    else:
        assert data.tag == "service_definition"
        assert data.find("attributes/attribute/code").text == "depth"
        assert [v.find("key").text for v in data.findall("attributes/attribute/values/value")] == [
            "ankle",
            "knee",
            "waist",
        ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_show_public_reports_with_the_spec_fields(fmt, published, resident):
    held = resident.post_json("/api/v1/reports", report_payload(description="Đồ ngu")).json()
    data = parse(get("requests", fmt), fmt)
    rows = data if fmt == "json" else xml_items(data, "request")
    assert [r["service_request_id"] for r in rows] == [published["reference"]]
    row = rows[0]
    assert set(row) == REQUEST_FIELDS
    assert row["status"] == "open"
    assert row["agency_responsible"].startswith("Phòng Quản lý đô thị")
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert DATETIME.match(row[name]), row[name]
    assert float(row["lat"]) == pytest.approx(TRA_VINH_MARKET[0])
    assert held["reference"] not in str(data if fmt == "json" else ET.tostring(data))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_one_request_and_its_404(fmt, published):
    data = parse(get(f"requests/{published['reference']}", fmt), fmt)
    rows = data if fmt == "json" else xml_items(data, "request")
    assert rows[0]["service_request_id"] == published["reference"]
    missing = get("requests/NOSUCHREF", fmt)
    assert missing.status_code == 404
    errors = parse(missing, fmt)
    if fmt == "json":
        assert errors[0]["code"] == 404 and errors[0]["description"]
    else:
        assert errors.tag == "errors" and errors.find("error/code").text == "404"


def test_filters_and_empty_parameters(published, resident):
    light = resident.post_json("/api/v1/reports", report_payload(category="street-light")).json()
    Report.objects.filter(id=light["id"]).update(status="resolved")
    c = Client()
    only_lights = c.get(f"{BASE}/requests.json", {"service_code": "street-light"}).json()
    assert [r["service_request_id"] for r in only_lights] == [light["reference"]]
    closed = c.get(f"{BASE}/requests.json", {"status": "closed"}).json()
    assert [r["status"] for r in closed] == ["closed"]
    both = c.get(
        f"{BASE}/requests.json",
        {"service_request_id": f"{light['reference']},{published['reference']}"},
    ).json()
    assert len(both) == 2
    empty = c.get(
        f"{BASE}/requests.json", {"service_code": "", "status": "", "start_date": ""}
    ).json()
    assert len(empty) == 2
    paged = c.get(f"{BASE}/requests.json", {"page": "2", "page_size": "1"}).json()
    assert len(paged) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-01-01T00:00:00+07:00", "end_date": "2026-06-01T00:00:00+07:00"},
        {"start_date": "yesterday"},
        {"status": "pending"},
        {"page_size": "-1"},
    ],
)
def test_bad_request_queries_are_400(params):
    response = Client().get(f"{BASE}/requests.json", params)
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


def test_unknown_jurisdiction_is_404():
    response = Client().get(f"{BASE}/services.json", {"jurisdiction_id": "hanoi.gov.vn"})
    assert response.status_code == 404
    assert (
        Client().get(f"{BASE}/services.json", {"jurisdiction_id": "travinh.gov.vn"}).status_code
        == 200
    )


def fixmystreet_post(key: str, overrides: dict | None = None) -> dict:
    """As FixMyStreet's Open311 client sends it: form-encoded, attribute[...], media_url
    repeated, and its own deviceid."""
    data = {
        "api_key": key,
        "jurisdiction_id": "travinh.gov.vn",
        "service_code": "flooding",
        "lat": str(TRA_VINH_MARKET[0]),
        "long": str(TRA_VINH_MARKET[1]),
        "address_string": "Đường Điện Biên Phủ, Phường 1",
        "description": "Ngập sâu trước cổng chợ sau mưa lớn\n\nReported via FixMyStreet",
        "email": "resident@example.org",
        "first_name": "Lan",
        "last_name": "Nguyễn",
        "phone": "0901234567",
        "deviceid": "fms-device-1",
        "media_url": [
            "https://photos.fixmystreet.example/1.jpeg",
            "https://photos.fixmystreet.example/2.jpeg",
        ],
        "attribute[depth]": "knee",
        "attribute[fixmystreet_id]": "12345",
        "attribute[title]": "Ngập trước chợ",
        "attribute[report_url]": "https://fixmystreet.example/report/12345",
    }
    data.update(overrides or {})
    return data


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_fixmystreet_post_creates_a_routed_report(api_key, fmt):
    response = Client().post(f"{BASE}/requests.{fmt}", fixmystreet_post(api_key))
    assert response.status_code == 200, response.content
    data = parse(response, fmt)
    ref = (
        data[0]["service_request_id"]
        if fmt == "json"
        else data.find("request/service_request_id").text
    )
    report = Report.objects.get(reference=ref)
    assert report.source == Source.OPEN311
    assert report.area.parent.code == "842"
    assert report.unit.code == "urban-842"
    assert report.attributes == {"depth": "knee"}  # the client's own bookkeeping is dropped
    assert report.reporter.phone_number == "0901234567"
    assert "0901234567" not in report.public_description


def test_a_held_request_answers_with_a_token_that_names_its_id_at_once(api_key):
    response = Client().post(
        f"{BASE}/requests.xml", fixmystreet_post(api_key, {"description": "Đồ ngu, ngập hoài"})
    )
    # As FixMyStreet reads it: request/token, then tokens/{token}.xml.
    token = ET.fromstring(response.content).find("request/token").text
    report = Report.objects.get(id=token)
    assert report.visibility == Visibility.HELD
    resolved = ET.fromstring(Client().get(f"{BASE}/tokens/{token}.xml").content)
    assert resolved.find("request/service_request_id").text == report.reference
    # Held, it is not shown to anyone; once published it is, under that id.
    assert Client().get(f"{BASE}/requests/{report.reference}.json").status_code == 404
    Report.objects.filter(id=token).update(visibility=Visibility.PUBLIC)
    assert Client().get(f"{BASE}/requests/{report.reference}.json").status_code == 200
    assert Client().get(f"{BASE}/tokens/not-a-token.json").status_code == 404


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"api_key": "wrong"}, 403),
        ({"api_key": ""}, 403),
        ({"service_code": "no-such"}, 400),
        ({"lat": "", "long": ""}, 400),
        ({"lat": "north"}, 400),
        ({"lat": "9.0", "long": "106.3"}, 400),  # the sea: outside the service area
        ({"description": "x" * 4001}, 400),
        ({"attribute[depth]": "neck"}, 400),
        ({"jurisdiction_id": "elsewhere"}, 404),
    ],
)
def test_bad_posts_are_refused_in_the_spec_shape(api_key, change, status):
    response = Client().post(f"{BASE}/requests.xml", fixmystreet_post(api_key, change))
    assert response.status_code == status
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    assert root.find("error/description").text
    assert not Report.objects.exists()


def test_a_client_over_the_rate_limit_gets_429_with_retry_after(api_key, settings):
    settings.REPORTS_PER_HOUR = 1
    first = Client().post(f"{BASE}/requests.json", fixmystreet_post(api_key))
    assert first.status_code == 200
    again = Client().post(
        f"{BASE}/requests.json", fixmystreet_post(api_key, {"description": "Lại ngập nữa"})
    )
    assert again.status_code == 429
    assert int(again["Retry-After"]) > 0
    assert again.json()[0]["code"] == 429
    assert again["Content-Type"] == "application/json"


def test_an_inactive_client_is_refused(api_key):
    ClientApplication.objects.update(active=False)
    assert Client().post(f"{BASE}/requests.json", fixmystreet_post(api_key)).status_code == 403


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_updates_list_public_status_changes_and_replies(fmt, published, resident, staff):
    url = f"/api/v1/staff/tickets/{published['id']}"
    staff["staff842"].post_json(f"{url}/status", {"status": "in_progress", "message": "Đang sửa"})
    staff["staff842"].post_json(f"{url}/comments", {"message": "Ghi chú nội bộ", "public": False})
    staff["staff842"].post_json(f"{url}/comments", {"message": "Tuần sau xong", "public": True})
    staff["staff842"].post_json(f"{url}/status", {"status": "resolved", "message": "Đã vá"})
    held = resident.post_json("/api/v1/reports", report_payload(description="Đồ ngu")).json()
    Report.objects.filter(id=held["id"]).update(visibility=Visibility.HELD)

    data = parse(get("servicerequestupdates", fmt), fmt)
    rows = data if fmt == "json" else xml_items(data, "request_update")
    assert [(r["service_request_id"], r["status"], r["description"]) for r in rows] == [
        (published["reference"], "open", "Đang sửa"),
        (published["reference"], "open", "Tuần sau xong"),
        (published["reference"], "closed", "Đã vá"),
    ]  # the internal note and the held report are not there
    # The reply came while the work was in progress.
    assert [r["external_status_code"] for r in rows] == ["in_progress", "in_progress", "resolved"]
    assert all(DATETIME.match(r["updated_datetime"]) for r in rows)
    if fmt == "xml":
        assert data.tag == "service_request_updates"


def test_updates_outside_the_date_range_are_not_listed_and_bad_ranges_are_400(published, staff):
    url = f"/api/v1/staff/tickets/{published['id']}/status"
    staff["staff842"].post_json(url, {"status": "acknowledged", "message": "Đã nhận"})
    past = get("servicerequestupdates", "json", end_date="2020-01-02T00:00:00+07:00")
    assert past.json() == []
    too_long = get(
        "servicerequestupdates",
        "json",
        start_date="2026-01-01T00:00:00+07:00",
        end_date="2026-06-01T00:00:00+07:00",
    )
    assert too_long.status_code == 400
    assert get("servicerequestupdates", "json", start_date="yesterday").status_code == 400
