import pytest

from backend.reports.models import Report
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_each_role_sees_only_its_scope(staff, ticket_842, ticket_849):
    for username in ("staff842", "lead842", "staff849", "manager842", "manager849"):
        staff[username]
    both = {ticket_842["id"], ticket_849["id"]}
    expected = {
        "staff842": {ticket_842["id"]},
        "lead842": {ticket_842["id"]},
        "manager842": {ticket_842["id"]},
        "staff849": {ticket_849["id"]},
        "manager849": {ticket_849["id"]},
        "official": both,
        "moderator": both,
        "admin": both,
    }
    for username, visible in expected.items():
        assert ids(staff[username].get("/api/v1/staff/tickets")) == visible, username


@pytest.mark.parametrize("username", ["staff849", "manager849"])
def test_another_districts_ticket_is_not_found_by_id(staff, ticket_842, username):
    client = staff[username]
    tid = ticket_842["id"]
    assert client.get(f"/api/v1/staff/tickets/{tid}").status_code == 404
    response = client.post_json(f"/api/v1/staff/tickets/{tid}/status", {"status": "acknowledged"})
    assert response.status_code == 404
    assert (
        client.post_json(
            f"/api/v1/staff/tickets/{tid}/comments", {"message": "x", "public": True}
        ).status_code
        == 404
    )
    assert Report.objects.get(id=tid).status == "submitted"


@pytest.mark.parametrize("username", ["official", "moderator"])
def test_officials_and_moderators_read_but_never_change(staff, ticket_842, username):
    client = staff[username]
    tid = ticket_842["id"]
    assert client.get(f"/api/v1/staff/tickets/{tid}").status_code == 200
    for path, body in [
        ("status", {"status": "acknowledged"}),
        ("comments", {"message": "x", "public": False}),
        ("transfer", {"unit": "urban-849", "reason": "x"}),
        ("assign", {"assignee_id": None}),
    ]:
        response = client.post_json(f"/api/v1/staff/tickets/{tid}/{path}", body)
        assert response.status_code == 403, (path, response.content)
        assert response.json()["error"]["code"] == "read_only_role"


def test_residents_cannot_use_staff_endpoints(resident, ticket_842):
    assert resident.get("/api/v1/staff/tickets").status_code == 401
    assert (
        resident.post_json(
            f"/api/v1/staff/tickets/{ticket_842['id']}/status", {"status": "acknowledged"}
        ).status_code
        == 401
    )


def test_a_resident_account_cannot_sign_in_as_staff(db):
    from backend.accounts.models import User

    User.objects.create_user("sneaky", password="pw12345678")
    response = ApiClient().post_json(
        "/api/v1/staff/login", {"username": "sneaky", "password": "pw12345678"}
    )
    assert response.status_code == 401


def test_wrong_password_is_refused(staff):
    response = ApiClient().post_json(
        "/api/v1/staff/login", {"username": "staff842", "password": "nope"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_sign_in_is_rate_limited(db):
    client = ApiClient()
    statuses = [
        client.post_json("/api/v1/staff/login", {"username": f"x{n}", "password": "y"}).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [401] * 10
    limited = client.post_json("/api/v1/staff/login", {"username": "x", "password": "y"})
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1


def test_sign_in_still_works_when_the_rate_limit_cache_is_down(staff, settings):
    staff["staff842"]  # the account exists
    unreachable = {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    settings.CACHES = {"default": unreachable}
    response = ApiClient().post_json(
        "/api/v1/staff/login", {"username": "staff842", "password": "staff-password"}
    )
    assert response.status_code == 200, response.content  # not a 500
    assert response.json()["token"]


def test_sign_out_revokes_the_token(staff):
    client = staff["staff842"]
    assert client.post("/api/v1/staff/logout").status_code == 204
    assert client.get("/api/v1/staff/tickets").status_code == 401


def test_a_token_revoked_while_the_cache_is_down_is_refused_at_once(staff, settings):
    """Who a token is, is read from the database on every request: a sign-out
    during a Redis outage holds, before and after the cache comes back."""
    client = staff["staff842"]
    assert client.get("/api/v1/staff/tickets").status_code == 200
    kept_caches = settings.CACHES
    settings.CACHES = {"default": {**kept_caches["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    assert client.post("/api/v1/staff/logout").status_code == 204
    assert client.get("/api/v1/staff/tickets").status_code == 401
    settings.CACHES = kept_caches
    assert client.get("/api/v1/staff/tickets").status_code == 401


def test_a_deactivated_account_is_refused_on_its_next_request(staff):
    from backend.accounts.models import User

    client = staff["staff842"]
    assert client.get("/api/v1/staff/tickets").status_code == 200
    User.objects.filter(username="staff842").update(is_active=False)
    assert client.get("/api/v1/staff/tickets").status_code == 401


def test_tokens_expire(staff, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    client = staff["staff842"]
    assert client.get("/api/v1/staff/tickets").status_code == 200
    time_machine.move_to(timezone.now() + timedelta(hours=13))
    assert client.get("/api/v1/staff/tickets").status_code == 401


def test_tokens_are_stored_hashed(staff):
    from backend.accounts.models import StaffToken

    staff["staff849"]
    token = staff["staff842"].defaults["HTTP_AUTHORIZATION"].split()[1]
    assert not StaffToken.objects.filter(key_hash=token).exists()
    assert StaffToken.objects.count() == len(staff)
