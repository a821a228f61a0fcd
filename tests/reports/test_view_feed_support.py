import uuid

import pytest

from backend.reports.models import EventKind, Follower, Report, Status, Visibility
from backend.reports.timeline import record_event
from tests.conftest import ApiClient
from tests.reports.helpers import TRA_CU_TOWN, TRA_VINH_MARKET, offset, report_payload

pytestmark = pytest.mark.django_db


def create(client: ApiClient, **overrides) -> dict:
    response = client.post_json("/api/v1/reports", report_payload(**overrides))
    assert response.status_code == 201, response.content
    return response.json()


def test_reporter_sees_the_full_view(resident):
    report = create(resident)
    body = resident.get(f"/api/v1/reports/{report['id']}").json()
    assert body["is_mine"] is True
    assert body["visibility"] == "public"
    assert body["accuracy_m"] == 8.5


def test_others_see_the_public_view_without_internal_events(resident, other_resident, anonymous):
    report = create(resident)
    record_event(
        Report.objects.get(id=report["id"]),
        EventKind.NOTE,
        is_public=False,
        message="Gọi cho người báo: 0901234567",
    )
    for client in (other_resident, anonymous):
        body = client.get(f"/api/v1/reports/{report['id']}").json()
        assert body["is_mine"] is False
        assert body["visibility"] is None
        assert body["accuracy_m"] is None
        assert "note" not in [e["kind"] for e in body["timeline"]]
        assert "0901234567" not in str(body)
        assert "resident-an" not in str(body)
    own_view = resident.get(f"/api/v1/reports/{report['id']}").json()["timeline"]
    assert "note" not in [e["kind"] for e in own_view]  # internal notes are staff-only


def test_held_report_is_seen_by_its_reporter_only(resident, other_resident, anonymous):
    report = create(resident)
    Report.objects.filter(id=report["id"]).update(visibility=Visibility.HELD)
    assert resident.get(f"/api/v1/reports/{report['id']}").status_code == 200
    assert other_resident.get(f"/api/v1/reports/{report['id']}").status_code == 404
    assert anonymous.get(f"/api/v1/reports/{report['id']}").status_code == 404


def test_bad_token_on_an_open_endpoint_is_still_refused(tokens, resident):
    report = create(resident)
    expired = ApiClient(tokens.token("resident-an", expires_in=-60))
    assert expired.get(f"/api/v1/reports/{report['id']}").status_code == 401


def test_malformed_report_id_is_a_422(anonymous):
    response = anonymous.get("/api/v1/reports/not-a-uuid")
    assert response.status_code in (404, 422)
    assert "error" in response.json()


def test_my_reports_pages_through_everything_once(resident, other_resident):
    mine = [create(resident)["id"] for _ in range(5)]
    create(other_resident)
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/me/reports?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = resident.get(url).json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == list(reversed(mine))


def test_my_reports_include_held_ones(resident):
    report = create(resident)
    Report.objects.filter(id=report["id"]).update(visibility=Visibility.HELD)
    assert [i["id"] for i in resident.get("/api/v1/me/reports").json()["items"]] == [report["id"]]


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJhIiwiYiJd", "eyJ4IjogMX0"])
def test_bad_cursor_is_a_400(resident, cursor):
    response = resident.get(f"/api/v1/me/reports?cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_page_size_is_capped(resident):
    response = resident.get("/api/v1/me/reports?limit=1000")
    assert response.status_code == 422


def test_feed_near_a_point_lists_public_reports_within_the_radius(resident, anonymous):
    near = create(resident, point=offset(TRA_VINH_MARKET, north_m=300))
    far = create(resident, point=offset(TRA_VINH_MARKET, north_m=3000))
    held = create(resident, point=offset(TRA_VINH_MARKET, east_m=100))
    Report.objects.filter(id=held["id"]).update(visibility=Visibility.HIDDEN)
    lat, lon = TRA_VINH_MARKET
    ids = [
        i["id"]
        for i in anonymous.get(f"/api/v1/reports?lat={lat}&lon={lon}&radius_m=1000").json()["items"]
    ]
    assert ids == [near["id"]]
    wide = anonymous.get(f"/api/v1/reports?lat={lat}&lon={lon}&radius_m=5000").json()["items"]
    assert {i["id"] for i in wide} == {near["id"], far["id"]}


def test_feed_in_a_box_filtered_by_category_and_status(resident, anonymous):
    pothole = create(resident)
    light = create(resident, category="street-light")
    elsewhere = create(resident, point=TRA_CU_TOWN)
    Report.objects.filter(id=light["id"]).update(status=Status.RESOLVED)
    box = "106.30,9.90,106.40,9.99"
    ids = {i["id"] for i in anonymous.get(f"/api/v1/reports?bbox={box}").json()["items"]}
    assert ids == {pothole["id"], light["id"]}
    assert elsewhere["id"] not in ids
    only_lights = anonymous.get(f"/api/v1/reports?bbox={box}&category=street-light").json()["items"]
    assert [i["id"] for i in only_lights] == [light["id"]]
    resolved = anonymous.get("/api/v1/reports?status=resolved").json()["items"]
    assert [i["id"] for i in resolved] == [light["id"]]
    open_ones = anonymous.get("/api/v1/reports?status=submitted&status=acknowledged").json()[
        "items"
    ]
    assert {i["id"] for i in open_ones} == {pothole["id"], elsewhere["id"]}


@pytest.mark.parametrize(
    "query",
    [
        "bbox=1,2,3",
        "bbox=a,b,c,d",
        "bbox=106.4,9.9,106.3,9.99",
        "lat=9.9",
        "lat=95&lon=106",
        "radius_m=0&lat=9.9&lon=106.3",
        "radius_m=999999&lat=9.9&lon=106.3",
        "status=done",
    ],
)
def test_bad_feed_query_is_a_422(anonymous, query):
    response = anonymous.get(f"/api/v1/reports?{query}")
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "invalid_request"


def test_feed_hides_reporter_identity_and_private_description(resident, anonymous):
    report = create(resident)
    Report.objects.filter(id=report["id"]).update(public_description="Ổ gà lớn trước cổng chợ")
    item = anonymous.get("/api/v1/reports").json()["items"][0]
    assert item["description"] == "Ổ gà lớn trước cổng chợ"
    assert "reporter" not in item


def test_support_counts_once_per_resident_and_follows(resident, other_resident, tokens):
    report = create(resident)
    first = other_resident.post(f"/api/v1/reports/{report['id']}/support")
    again = other_resident.post(f"/api/v1/reports/{report['id']}/support")
    third = ApiClient(tokens.token("resident-chau")).post(f"/api/v1/reports/{report['id']}/support")
    assert first.status_code == again.status_code == third.status_code == 200
    assert first.json()["support_count"] == 1
    assert again.json()["support_count"] == 1
    assert third.json()["support_count"] == 2
    assert Follower.objects.filter(report_id=report["id"]).count() == 3
    assert Follower.objects.filter(report_id=report["id"], supported=True).count() == 2


def test_supporting_your_own_report_is_refused(resident):
    report = create(resident)
    response = resident.post(f"/api/v1/reports/{report['id']}/support")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "own_report"


def test_supporting_a_closed_report_is_refused(resident, other_resident):
    report = create(resident)
    Report.objects.filter(id=report["id"]).update(status=Status.CLOSED)
    response = other_resident.post(f"/api/v1/reports/{report['id']}/support")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "report_not_open"


def test_supporting_needs_sign_in_and_a_visible_report(resident, other_resident, anonymous):
    report = create(resident)
    assert anonymous.post(f"/api/v1/reports/{report['id']}/support").status_code == 401
    assert other_resident.post(f"/api/v1/reports/{uuid.uuid4()}/support").status_code == 404
    Report.objects.filter(id=report["id"]).update(visibility=Visibility.HELD)
    assert other_resident.post(f"/api/v1/reports/{report['id']}/support").status_code == 404
