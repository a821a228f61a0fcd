"""Viet Nam's 2025 reform: a new boundary edition retires the old areas and the open
tickets are re-routed, each with the change on its timeline."""

import json

import pytest
import shapely
from django.core.management import call_command

from backend.areas.models import Area, Level, RoutingRule, Unit
from backend.reports.models import EventKind, Report, ReportEvent, Status
from tests.reports.helpers import TRA_CU_TOWN, TRA_VINH_MARKET, report_payload

pytestmark = pytest.mark.django_db


def write_reformed_edition(tmp_path) -> str:
    """The nine districts become two: a merged north (842-847) and south (848-851)."""
    districts = {a.code: a.geometry for a in Area.objects.active().filter(level=Level.DISTRICT)}
    north = shapely.union_all([districts[c] for c in ("842", "844", "845", "846", "847")])
    south = shapely.union_all([districts[c] for c in ("848", "849", "850", "851")])
    features = [
        {
            "type": "Feature",
            "properties": {
                "code": code,
                "name": name,
                "province_code": "86",
                "province_name": "Tỉnh Vĩnh Long",
            },
            "geometry": shapely.geometry.mapping(geometry),
        }
        for code, name, geometry in [
            ("90001", "Khu vực Bắc", north),
            ("90002", "Khu vực Nam", south),
        ]
    ]
    path = tmp_path / "reformed.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return str(path)


def test_new_edition_retires_old_areas_and_reroutes_open_tickets(resident, tmp_path):
    open_report = resident.post_json("/api/v1/reports", report_payload()).json()
    closed_report = resident.post_json("/api/v1/reports", report_payload(point=TRA_CU_TOWN)).json()
    Report.objects.filter(id=closed_report["id"]).update(status=Status.CLOSED)
    old_ids = set(Area.objects.active().values_list("id", flat=True))

    call_command("load_areas", write_reformed_edition(tmp_path), level="district", edition="2025")
    new_north = Area.objects.active().get(code="90001")
    unit = Unit.objects.create(code="urban-north", name="Phòng Kinh tế Khu vực Bắc", area=new_north)
    RoutingRule.objects.create(area=new_north, category=None, unit=unit)
    call_command("reroute_open_reports")

    # Old areas are retired, never deleted.
    assert Area.objects.filter(id__in=old_ids).count() == len(old_ids)
    assert not Area.objects.active().filter(id__in=old_ids).exists()
    assert Area.objects.active().get(level=Level.PROVINCE).code == "86"

    moved = Report.objects.get(id=open_report["id"])
    assert moved.district.code == "90001"
    assert moved.commune is None  # the old communes went with their districts
    assert moved.unit == unit
    event = ReportEvent.objects.get(report=moved, kind=EventKind.REROUTED)
    assert event.data["from"] == {"district": "842", "commune": "29239", "unit": "urban-842"}
    assert event.data["to"] == {"district": "90001", "commune": None, "unit": "urban-north"}

    untouched = Report.objects.get(id=closed_report["id"])
    assert untouched.district.code == "849"
    assert not ReportEvent.objects.filter(report=untouched, kind=EventKind.REROUTED).exists()

    # New reports route by the new edition; running the re-route again changes nothing.
    assert (
        resident.get(
            f"/api/v1/areas/locate?lat={TRA_VINH_MARKET[0]}&lon={TRA_VINH_MARKET[1]}"
        ).json()["district"]["code"]
        == "90001"
    )
    call_command("reroute_open_reports")
    assert ReportEvent.objects.filter(kind=EventKind.REROUTED).count() == 1


def test_without_a_rule_for_the_new_area_the_unit_keeps_the_ticket(resident, tmp_path):
    report = resident.post_json("/api/v1/reports", report_payload(point=TRA_CU_TOWN)).json()
    call_command("load_areas", write_reformed_edition(tmp_path), level="district", edition="2025")
    call_command("reroute_open_reports")
    moved = Report.objects.get(id=report["id"])
    assert moved.district.code == "90002"
    assert moved.unit.code == "urban-849"


def test_reloading_the_same_edition_updates_in_place():
    before = set(Area.objects.active().values_list("id", flat=True))
    from backend.demo.seed import load_tra_vinh

    load_tra_vinh()
    assert set(Area.objects.active().values_list("id", flat=True)) == before


def test_load_areas_refuses_a_file_without_polygons(tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "points.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "1", "name": "x"},
                        "geometry": {"type": "Point", "coordinates": [106, 9]},
                    }
                ],
            }
        )
    )
    with pytest.raises(CommandError):
        call_command("load_areas", str(path), level="district", edition="bad")
    assert Area.objects.active().filter(level=Level.DISTRICT).count() == 9
