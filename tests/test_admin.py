import pytest

from backend.accounts.models import Role, User

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "/admin/areas/area/",
    "/admin/areas/unit/",
    "/admin/areas/routingrule/",
    "/admin/catalogue/category/",
    "/admin/accounts/user/",
    "/admin/areas/unit/add/",
    "/admin/areas/routingrule/add/",
    "/admin/areas/arealevel/",
    "/admin/reports/report/",
    "/admin/reports/report/?unit__is_triage__exact=1",
]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_manages_areas_units_rules_and_categories(client, path):
    admin = User.objects.create_superuser("root", "root@example.invalid", "pw", role=Role.ADMIN)
    client.force_login(admin)
    assert client.get(path).status_code == 200


def test_admin_is_closed_to_a_resident(client):
    resident = User.objects.create_user("resident", password="pw")
    client.force_login(resident)
    assert client.get("/admin/areas/unit/").status_code == 302


def test_the_admin_lists_the_tickets_at_a_triage_desk(client, resident):
    from backend.areas.models import RoutingRule, Unit
    from tests.reports.helpers import report_payload

    province = Unit.objects.get(code="water-84").area
    Unit.objects.create(code="triage-84", name="Tiếp nhận", area=province, is_triage=True)
    RoutingRule.objects.filter(area__code="842", category=None).delete()
    triaged = resident.post_json("/api/v1/reports", report_payload()).json()
    routed = resident.post_json("/api/v1/reports", report_payload(point=(9.6855, 106.2614))).json()
    admin = User.objects.create_superuser("root", "root@example.invalid", "pw", role=Role.ADMIN)
    client.force_login(admin)
    page = client.get("/admin/reports/report/?unit__is_triage__exact=1").content.decode()
    assert triaged["reference"] in page
    assert routed["reference"] not in page
