"""Tỉnh Vĩnh Long's 2025 layout, two tiers (province, commune or ward): routing,
rules falling back upward, the triage desk, scopes per role, figures per commune."""

import pytest

from backend.accounts.models import Role
from backend.areas.models import Area, RoutingRule
from backend.demo.seed import load_vinh_long_2025
from backend.reference_data import invalidate_all
from tests.conftest import ApiClient, make_staff
from tests.reports.helpers import TRA_VINH_MARKET, report_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def vinh_long(db):
    load_vinh_long_2025()
    invalidate_all()


def inside(code: str) -> tuple[float, float]:
    point = Area.objects.active().get(code=code).geometry.representative_point()
    return point.y, point.x


def signed_in(username: str, role: str, unit: str | None, area: str) -> ApiClient:
    make_staff(username, role, unit, area)
    body = ApiClient().post_json(
        "/api/v1/staff/login", {"username": username, "password": "staff-password"}
    )
    return ApiClient(body.json()["token"])


@pytest.mark.parametrize(
    ("language", "province_label", "commune_label"),
    [
        ("vi", "tỉnh / thành phố", "xã / phường / đặc khu"),
        ("en", "province / city", "commune / ward / special zone"),
        ("km", "ខេត្ត / ក្រុង", "ឃុំ / សង្កាត់ / តំបន់ពិសេស"),
    ],
)
def test_locate_answers_the_two_tier_chain_in_the_readers_language(
    vinh_long, anonymous, language, province_label, commune_label
):
    lat, lon = TRA_VINH_MARKET
    body = anonymous.get(
        f"/api/v1/areas/locate?lat={lat}&lon={lon}", HTTP_ACCEPT_LANGUAGE=language
    ).json()
    province, ward = body["areas"]
    assert (province["code"], province["name"], province["level_label"]) == (
        "86",
        "Tỉnh Vĩnh Long",
        province_label,
    )
    assert (ward["code"], ward["name"], ward["level"], ward["level_label"]) == (
        "29242",
        "Phường Trà Vinh",
        "commune",
        commune_label,
    )
    units = {r["category"]["code"]: r["unit"]["code"] for r in body["routing"]}
    # The ward's People's Committee takes what the province's departments do not.
    assert units["pothole"] == "ubnd-29242"
    assert units["water-supply"] == "water-86"
    assert units["street-light"] == "power-86"
    assert units["pollution"] == "environment-86"


def test_every_commune_and_ward_reaches_its_own_peoples_committee(vinh_long, resident, settings):
    settings.REPORTS_PER_HOUR = 200
    communes = Area.objects.active().filter(level="commune")
    assert communes.count() == 124
    for code in ("29242", "29512", "28756", "29536"):  # Trà Vinh, Duyên Hải, Phú Khương, Đông Hải
        body = resident.post_json("/api/v1/reports", report_payload(point=inside(code))).json()
        assert [a["code"] for a in body["areas"]] == ["86", code]
        assert body["unit"]["code"] == f"ubnd-{code}"


def test_a_ward_rule_beats_the_province_department_and_no_rule_means_triage(vinh_long, resident):
    ward = Area.objects.active().get(code="29242")
    lights = RoutingRule.objects.get(area__code="86", category__code="street-light")
    RoutingRule.objects.create(area=ward, category=lights.category, unit=ward.units.get())
    lat, lon = TRA_VINH_MARKET
    units = {
        r["category"]["code"]: r["unit"]["code"]
        for r in resident.get(f"/api/v1/areas/locate?lat={lat}&lon={lon}").json()["routing"]
    }
    assert units["street-light"] == "ubnd-29242"
    # With the ward's catch-all rule gone, a pothole has no rule at all: the
    # province's triage desk gets it, never nobody.
    RoutingRule.objects.filter(area=ward, category=None).delete()
    body = resident.post_json("/api/v1/reports", report_payload()).json()
    assert body["unit"]["code"] == "triage-86"


def test_scopes_per_role_on_the_two_tier_layout(vinh_long, resident, settings):
    settings.REPORTS_PER_HOUR = 100
    pothole = resident.post_json("/api/v1/reports", report_payload()).json()
    water = resident.post_json("/api/v1/reports", report_payload(category="water-supply")).json()
    elsewhere = resident.post_json("/api/v1/reports", report_payload(point=inside("29512"))).json()
    clients = {
        "staff": signed_in("staff29242", Role.STAFF, "ubnd-29242", "29242"),
        "ward_manager": signed_in("manager29242", Role.AREA_MANAGER, None, "29242"),
        "province_manager": signed_in("manager86", Role.AREA_MANAGER, None, "86"),
        "water_staff": signed_in("water", Role.STAFF, "water-86", "86"),
        "official": signed_in("official86", Role.OFFICIAL, None, "86"),
        "ward_official": signed_in("official29512", Role.OFFICIAL, None, "29512"),
    }
    seen = {
        name: {t["id"] for t in client.get("/api/v1/staff/tickets").json()["items"]}
        for name, client in clients.items()
    }
    assert seen["staff"] == {pothole["id"]}
    # A ward's manager oversees the ward's units, not the province's water company there.
    assert seen["ward_manager"] == {pothole["id"]}
    assert seen["province_manager"] == {pothole["id"], water["id"], elsewhere["id"]}
    assert seen["water_staff"] == {water["id"]}
    assert seen["official"] == {pothole["id"], water["id"], elsewhere["id"]}
    assert seen["ward_official"] == {elsewhere["id"]}
    # Another scope's ticket is not found, whatever the role.
    for name in ("staff", "ward_manager", "water_staff", "ward_official"):
        for ticket in {pothole["id"], water["id"], elsewhere["id"]} - seen[name]:
            response = clients[name].get(f"/api/v1/staff/tickets/{ticket}")
            assert response.status_code == 404, (name, ticket)
    # The queue filters by an area of any level.
    by_ward = clients["official"].get("/api/v1/staff/tickets?area=29512").json()["items"]
    assert {t["id"] for t in by_ward} == {elsewhere["id"]}
    by_province = clients["official"].get("/api/v1/staff/tickets?area=86").json()["items"]
    assert len(by_province) == 3


def test_figures_per_commune_and_per_province(vinh_long, resident, settings):
    settings.REPORTS_PER_HOUR = 100
    for point in (TRA_VINH_MARKET, TRA_VINH_MARKET, inside("29512")):
        resident.post_json("/api/v1/reports", report_payload(point=point))
    official = signed_in("official86", Role.OFFICIAL, None, "86")
    per_commune = official.get("/api/v1/stats/performance").json()
    assert {(r["area"], r["name"], r["received"]) for r in per_commune} == {
        ("29242", "Phường Trà Vinh", 2),
        ("29512", "Phường Duyên Hải", 1),
    }
    per_province = official.get("/api/v1/stats/performance?level=province").json()
    assert [(r["area"], r["received"]) for r in per_province] == [("86", 3)]
    unknown = official.get("/api/v1/stats/performance?level=district")
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "unknown_level"
    # Statistics, hotspots and Open311 take an area of any level as a filter.
    one_ward = official.get("/api/v1/stats/performance?area=29512").json()
    assert [(r["area"], r["received"]) for r in one_ward] == [("29512", 1)]
    cells = official.get("/api/v1/stats/hotspots?area=29242").json()["features"]
    assert sum(f["properties"]["count"] for f in cells) == 2
    listed = ApiClient().get("/open311/v2/requests.json?area=29242").json()
    assert len(listed) == 2
    public = ApiClient().get("/api/v1/public/performance").json()
    assert {(r["area"], r["level"], r["received"]) for r in public} == {
        ("29242", "commune", 2),
        ("29512", "commune", 1),
    }


def test_a_point_just_off_the_coast_goes_to_the_nearest_commune(vinh_long, anonymous):
    from backend.areas import routing
    from tests.areas.test_routing import _nearest_point_outside

    communes = list(Area.objects.active().filter(level="commune"))
    lat, lon, expected = _nearest_point_outside(communes, 150)
    body = anonymous.get(f"/api/v1/areas/locate?lat={lat}&lon={lon}").json()
    assert body["areas"][-1]["code"] == expected
    assert 100 < body["distance_outside_m"] < 300
    far_lat, far_lon, _ = _nearest_point_outside(communes, 2000)
    assert routing.place(far_lat, far_lon) is None
    response = anonymous.get(f"/api/v1/areas/locate?lat={far_lat}&lon={far_lon}")
    assert response.status_code == 422
