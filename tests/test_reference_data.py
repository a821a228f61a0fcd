"""Categories, units, routing rules and blocked terms come from memory, and a change
reaches every process: at once where it was saved, within
REFERENCE_RECHECK_SECONDS elsewhere."""

import pytest

from backend.areas.models import Area, RoutingRule, Unit
from backend.areas.units import unit_of
from backend.catalogue.active import active_category, category_of
from backend.catalogue.models import Category
from moderation.models import BlockedTerm
from tests.reports.helpers import report_payload

pytestmark = pytest.mark.django_db


def send(resident, **overrides):
    return resident.post_json("/api/v1/reports", report_payload(**overrides))


def test_a_category_added_in_the_admin_is_offered_at_once(resident):
    pothole = Category.objects.get(code="pothole")
    assert send(resident, category="sinkhole").json()["error"]["code"] == "unknown_category"
    Category.objects.create(code="sinkhole", group=pothole.group, name_vi="Hố sụt", sla_hours=24)
    assert send(resident, category="sinkhole").status_code == 201


def test_a_category_changed_by_another_process_is_seen_after_the_recheck(settings):
    settings.REFERENCE_RECHECK_SECONDS = 3600
    assert active_category("pothole").name_vi != "Ổ gà (đổi tên)"
    # A change that sends no signal here, as one saved by another process.
    Category.objects.filter(code="pothole").update(name_vi="Ổ gà (đổi tên)")
    Category.objects.filter(code="pothole").update(
        updated_at=Category.objects.get(code="pothole").updated_at.replace(year=2030)
    )
    assert active_category("pothole").name_vi != "Ổ gà (đổi tên)"  # not rechecked yet
    settings.REFERENCE_RECHECK_SECONDS = 0
    assert active_category("pothole").name_vi == "Ổ gà (đổi tên)"


def test_a_new_routing_rule_routes_the_next_report(resident):
    commune = Area.objects.active().get(code="29239")  # Phường 1, Thành phố Trà Vinh
    first = send(resident).json()
    assert first["unit"]["code"] == "urban-842"
    lights = Unit.objects.create(code="lights-29239", name="Đội đèn Phường 1", area=commune)
    RoutingRule.objects.create(area=commune, category=None, unit=lights)
    assert send(resident, lat=first["lat"] + 0.0005).json()["unit"]["code"] == "lights-29239"


def test_a_blocked_term_added_by_a_moderator_holds_the_next_report(resident):
    text = "Cột đèn xyzabc trước nhà số 5 bị nghiêng"  # a word no list or model knows
    assert send(resident, description=text).json()["visibility"] == "public"
    BlockedTerm.objects.create(term="xyzabc", weight=1.0)
    assert send(resident, description=text, lat=9.948).json()["visibility"] == "held"


def test_a_report_shows_its_unit_and_category_as_renamed_on_the_next_read(resident):
    sent = send(resident).json()
    unit = Unit.objects.get(code=sent["unit"]["code"])
    unit.name = "Đội đô thị (tên mới)"
    unit.save()
    category = Category.objects.get(code=sent["category"]["code"])
    category.name_vi = "Ổ gà (tên mới)"
    category.save()
    shown = resident.get(f"/api/v1/reports/{sent['id']}").json()
    assert shown["unit"]["name"] == "Đội đô thị (tên mới)"
    assert shown["category"]["name"] == "Ổ gà (tên mới)"
    listed = resident.get("/api/v1/me/reports").json()["items"][0]
    assert listed["category"]["name"] == "Ổ gà (tên mới)"


def test_a_retired_category_is_still_shown_on_the_reports_sent_with_it(resident):
    sent = send(resident).json()
    category = Category.objects.get(code=sent["category"]["code"])
    category.active = False
    category.save()
    assert active_category(category.code) is None
    assert resident.get(f"/api/v1/reports/{sent['id']}").json()["category"]["code"] == "pothole"


def test_a_unit_or_category_made_by_another_process_is_found_without_waiting(settings):
    settings.REFERENCE_RECHECK_SECONDS = 3600
    commune = Area.objects.active().get(code="29239")
    assert unit_of(Unit.objects.first().id) is not None  # the snapshot is built
    assert category_of(Category.objects.first().id) is not None
    # bulk_create sends no signal here, as a row saved by another process.
    (unit,) = Unit.objects.bulk_create([Unit(code="new-29239", name="Đội mới", area=commune)])
    pothole = Category.objects.get(code="pothole")
    (category,) = Category.objects.bulk_create(
        [Category(code="sinkhole", group=pothole.group, name_vi="Hố sụt", sla_hours=24)]
    )
    assert unit_of(unit.id).name == "Đội mới"
    assert category_of(category.id).name_vi == "Hố sụt"
