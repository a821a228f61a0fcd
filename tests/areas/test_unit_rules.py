import pytest

from backend.areas import routing
from backend.areas.models import Area, RoutingRule, Unit
from backend.catalogue.models import Category


@pytest.mark.django_db
def test_district_default_unit_receives_ordinary_categories():
    placement = routing.place(9.9472, 106.3372)
    unit = routing.unit_for(placement, Category.objects.get(code="pothole").id)
    assert unit.code == "urban-842"


@pytest.mark.django_db
def test_province_rule_for_a_category_beats_the_district_default():
    placement = routing.place(9.6855, 106.2614)
    unit = routing.unit_for(placement, Category.objects.get(code="water-supply").id)
    assert unit.code == "water-84"


@pytest.mark.django_db
def test_commune_rule_beats_its_district_rule():
    placement = routing.place(9.9472, 106.3372)
    commune = Area.objects.get(id=placement.area.id)
    ward_team = Unit.objects.create(code="ward-team", name="Tổ công tác phường 1", area=commune)
    lights = Category.objects.get(code="street-light")
    RoutingRule.objects.create(area=commune, category=lights, unit=ward_team)
    assert routing.unit_for(placement, lights.id) == ward_team
    assert routing.unit_for(placement, Category.objects.get(code="pothole").id).code == "urban-842"


@pytest.mark.django_db
def test_no_rule_anywhere_means_no_unit():
    RoutingRule.objects.all().delete()
    placement = routing.place(9.9472, 106.3372)
    assert routing.unit_for(placement, Category.objects.get(code="pothole").id) is None


@pytest.mark.django_db
def test_inactive_unit_is_skipped_for_the_next_rule_up():
    province = Area.objects.active().get(level="province")
    fallback = Unit.objects.create(code="province-desk", name="Sở Xây dựng", area=province)
    RoutingRule.objects.create(area=province, category=None, unit=fallback)
    Unit.objects.filter(code="urban-842").update(active=False)
    placement = routing.place(9.9472, 106.3372)
    assert routing.unit_for(placement, Category.objects.get(code="pothole").id) == fallback
