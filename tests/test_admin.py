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
