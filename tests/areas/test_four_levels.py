"""A synthetic layout of four levels (country, county, district, parish), as
another country might have: nothing in the product names a level."""

import json

import pytest
import shapely
import shapely.geometry

from backend.accounts.models import Role
from backend.areas.loading import load_edition, read_edition
from backend.areas.models import Area, RoutingRule, Unit
from backend.catalogue.models import Category
from tests.areas.test_two_tiers import signed_in
from tests.reports.helpers import report_payload

pytestmark = pytest.mark.django_db


def square(x0: float, y0: float, x1: float, y1: float) -> dict:
    return shapely.geometry.mapping(shapely.box(x0, y0, x1, y1))


def write_layout(folder) -> None:
    """Two counties side by side, each of two districts (south, north), each of
    two parishes (west, east)."""
    counties, districts, parishes = [], [], []
    for c, x0 in enumerate((10.0, 10.2)):
        county = f"C{c + 1}"
        box = (x0, 50.0, x0 + 0.2, 50.2)
        counties.append({"code": county, "name": f"County {c + 1}", "country": "XX", "box": box})
        for d, y0 in enumerate((50.0, 50.1)):
            district = f"{county}D{d + 1}"
            box = (x0, y0, x0 + 0.2, y0 + 0.1)
            districts.append({"code": district, "name": district, "county": county, "box": box})
            for p, px in enumerate((x0, x0 + 0.1)):
                code, box = f"{district}P{p + 1}", (px, y0, px + 0.1, y0 + 0.1)
                parishes.append({"code": code, "name": code, "district": district, "box": box})
    for name, rows in (("counties", counties), ("districts", districts), ("parishes", parishes)):
        features = [
            {
                "type": "Feature",
                "properties": {k: v for k, v in row.items() if k != "box"},
                "geometry": square(*row["box"]),
            }
            for row in rows
        ]
        (folder / f"{name}.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": features})
        )
    levels = [
        {"code": "country", "labels": {"vi": "quốc gia", "en": "country", "km": "ប្រទេស"},
         "geometry_from_children": True},
        {"code": "county", "labels": {"vi": "hạt", "en": "county", "km": "ខោនធី"},
         "file": str(folder / "counties.geojson"), "parent_code_property": "country"},
        {"code": "district", "labels": {"vi": "quận", "en": "district", "km": "ស្រុក"},
         "file": str(folder / "districts.geojson"), "parent_code_property": "county"},
        {"code": "parish", "labels": {"vi": "giáo xứ", "en": "parish", "km": "ភូមិ"},
         "file": str(folder / "parishes.geojson"), "parent_code_property": "district"},
    ]  # fmt: skip
    (folder / "synthetic.json").write_text(
        json.dumps(
            {"edition": "synthetic-4", "name": "Four levels", "origin": "a test", "levels": levels}
        )
    )


@pytest.fixture
def four_levels(tmp_path):
    write_layout(tmp_path)
    load_edition(read_edition(tmp_path / "synthetic.json"))
    county = Area.objects.active().get(code="C1")
    parish = Area.objects.active().get(code="C1D1P1")
    country = Area.objects.active().get(level="country")
    roads = Unit.objects.create(code="roads-c1", name="County 1 roads", area=county)
    water = Unit.objects.create(code="water-p1", name="Parish water board", area=parish)
    Unit.objects.create(code="triage-xx", name="National desk", area=country, is_triage=True)
    RoutingRule.objects.create(area=county, category=None, unit=roads)
    RoutingRule.objects.create(
        area=parish, category=Category.objects.get(code="water-supply"), unit=water
    )


def test_a_point_gets_the_chain_of_four_and_rules_fall_back_upward(four_levels, resident):
    # In parish C1D1P1 (south-west), the parish's own water rule beats the county's.
    body = resident.get("/api/v1/areas/locate?lat=50.05&lon=10.05").json()
    assert [(a["code"], a["level"]) for a in body["areas"]] == [
        ("XX", "country"),
        ("C1", "county"),
        ("C1D1", "district"),
        ("C1D1P1", "parish"),
    ]
    units = {r["category"]["code"]: r["unit"]["code"] for r in body["routing"]}
    assert units["water-supply"] == "water-p1"
    assert units["pothole"] == "roads-c1"
    # The neighbouring parish has no rule of its own: the county's for everything.
    units = {
        r["category"]["code"]: r["unit"]["code"]
        for r in resident.get("/api/v1/areas/locate?lat=50.05&lon=10.15").json()["routing"]
    }
    assert units["water-supply"] == "roads-c1"
    # County 2 has no rule at all: the country's triage desk.
    report = resident.post_json("/api/v1/reports", report_payload(point=(50.15, 10.35))).json()
    assert report["unit"]["code"] == "triage-xx"
    assert report["areas"][-1]["code"] == "C2D2P2"


def test_scopes_and_figures_at_any_of_the_four_levels(four_levels, resident, settings):
    settings.REPORTS_PER_HOUR = 100
    for point in ((50.05, 10.05), (50.05, 10.15), (50.15, 10.15), (50.15, 10.35)):
        resident.post_json("/api/v1/reports", report_payload(point=point))
    county_manager = signed_in("manager-c1", Role.AREA_MANAGER, None, "C1")
    district_official = signed_in("official-c1d1", Role.OFFICIAL, None, "C1D1")
    national = signed_in("official-xx", Role.OFFICIAL, None, "XX")
    # The county's manager oversees the county's roads office: three tickets.
    assert len(county_manager.get("/api/v1/staff/tickets").json()["items"]) == 3
    assert len(district_official.get("/api/v1/staff/tickets").json()["items"]) == 2
    assert len(national.get("/api/v1/staff/tickets").json()["items"]) == 4
    by_level = {
        level: {
            r["area"]: r["received"]
            for r in national.get(f"/api/v1/stats/performance?level={level}").json()
        }
        for level in ("country", "county", "district", "parish")
    }
    assert by_level["country"] == {"XX": 4}
    assert by_level["county"] == {"C1": 3, "C2": 1}
    assert by_level["district"] == {"C1D1": 2, "C1D2": 1, "C2D2": 1}
    assert by_level["parish"] == {"C1D1P1": 1, "C1D1P2": 1, "C1D2P2": 1, "C2D2P2": 1}
    # The responsible level by default: the counties, where reports are routed.
    default = national.get("/api/v1/stats/performance").json()
    assert {r["area"] for r in default} == {"C1", "C2"}
