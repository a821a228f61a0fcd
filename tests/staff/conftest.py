import pytest

from backend.accounts.models import Role
from tests.conftest import ApiClient, make_staff
from tests.reports.helpers import TRA_CU_TOWN, report_payload

ROLES = {
    "staff842": (Role.STAFF, "urban-842", "842"),
    "lead842": (Role.UNIT_LEAD, "urban-842", "842"),
    "manager842": (Role.DISTRICT_MANAGER, None, "842"),
    "staff849": (Role.STAFF, "urban-849", "849"),
    "manager849": (Role.DISTRICT_MANAGER, None, "849"),
    "official": (Role.OFFICIAL, None, "84"),
    "moderator": (Role.MODERATOR, None, "84"),
    "admin": (Role.ADMIN, None, "84"),
}


class StaffClients(dict):
    """staff["manager842"]: that account, created and signed in on first use."""

    def __missing__(self, username: str) -> ApiClient:
        role, unit, area = ROLES[username]
        make_staff(username, role, unit, area)
        response = ApiClient().post_json(
            "/api/v1/staff/login", {"username": username, "password": "staff-password"}
        )
        assert response.status_code == 200, response.content
        self[username] = ApiClient(response.json()["token"])
        return self[username]


@pytest.fixture
def staff(db) -> StaffClients:
    return StaffClients()


@pytest.fixture
def ticket_842(resident):
    return resident.post_json("/api/v1/reports", report_payload()).json()


@pytest.fixture
def ticket_849(resident):
    return resident.post_json("/api/v1/reports", report_payload(point=TRA_CU_TOWN)).json()
