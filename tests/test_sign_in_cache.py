"""The sign-in lookup is kept, and dropped the moment the account or token changes."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from backend.accounts import sign_in_cache
from backend.accounts.models import Role, StaffToken, User
from backend.accounts.tokens import key_hash
from backend.areas.models import Unit
from tests.conftest import ApiClient
from tests.reports.helpers import report_payload

pytestmark = pytest.mark.django_db

UNREAD = "/api/v1/me/notifications/unread-count"


def test_a_kept_sign_in_saves_the_lookup(resident, django_assert_num_queries):
    resident.get(UNREAD)  # signs the resident up
    resident.get(UNREAD)
    with django_assert_num_queries(1):  # the count alone
        assert resident.get(UNREAD).status_code == 200


def test_nothing_private_is_kept(resident, staff):
    resident.get(UNREAD)
    kept = cache.get(sign_in_cache.resident_key("resident-an"))
    assert kept.firebase_uid == "resident-an"
    staff["staff842"].get("/api/v1/staff/tickets")
    token = staff["staff842"].defaults["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    kept_staff, _expires = cache.get(sign_in_cache.staff_key(key_hash(token)))
    for user in (kept, kept_staff):
        for field in sign_in_cache.PRIVATE_FIELDS:
            assert field not in user.__dict__, field


def test_a_disabled_resident_is_refused_at_once(resident):
    assert resident.get(UNREAD).status_code == 200
    user = User.objects.get(firebase_uid="resident-an")
    user.is_active = False
    user.save()
    response = resident.get(UNREAD)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "account_disabled"


def test_a_deleted_account_is_not_answered_as_itself_again(resident):
    resident.post_json("/api/v1/reports", report_payload())
    assert len(resident.get("/api/v1/me/reports").json()["items"]) == 1
    assert resident.delete("/api/v1/me").status_code == 204
    # The same Firebase identity later is a new, empty account, not the erased one.
    assert resident.get("/api/v1/me/reports").json()["items"] == []
    assert User.objects.filter(firebase_uid="resident-an").get().username.startswith("firebase:")


def test_a_signed_out_token_is_refused_at_once(staff):
    client = staff["staff842"]
    assert client.get("/api/v1/staff/tickets").status_code == 200
    assert client.post("/api/v1/staff/logout").status_code == 204
    assert client.get("/api/v1/staff/tickets").status_code == 401


def test_a_token_revoked_by_an_administrator_is_refused_at_once(staff):
    client = staff["staff842"]
    assert client.get("/api/v1/staff/tickets").status_code == 200
    token = StaffToken.objects.get(user__username="staff842")
    token.revoked_at = timezone.now()
    token.save()
    assert client.get("/api/v1/staff/tickets").status_code == 401


def test_a_new_role_or_unit_applies_at_once(staff, ticket_842, ticket_849):
    client = staff["staff842"]
    assert [t["id"] for t in client.get("/api/v1/staff/tickets").json()["items"]] == [
        ticket_842["id"]
    ]
    user = User.objects.get(username="staff842")
    user.unit = Unit.objects.get(code="urban-849")
    user.save()
    assert [t["id"] for t in client.get("/api/v1/staff/tickets").json()["items"]] == [
        ticket_849["id"]
    ]
    user.role = Role.RESIDENT
    user.save()
    assert client.get("/api/v1/staff/tickets").status_code == 401


def test_a_kept_token_still_expires(staff, settings):
    staff["staff842"].get("/api/v1/staff/tickets")  # creates the account
    user = User.objects.get(username="staff842")
    StaffToken.objects.create(
        user=user,
        key_hash=key_hash("short-lived"),
        expires_at=timezone.now() + timedelta(seconds=2),
    )
    client = ApiClient("short-lived")
    assert client.get("/api/v1/staff/tickets").status_code == 200
    entry = cache.get(sign_in_cache.staff_key(key_hash("short-lived")))
    assert entry is not None
    # Kept no longer than the token lives, and checked against its expiry when read.
    cache.set(sign_in_cache.staff_key(key_hash("short-lived")), (entry[0], timezone.now()), 60)
    assert client.get("/api/v1/staff/tickets").status_code == 401


def test_sign_in_works_with_the_cache_down(resident, settings):
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    }
    for _ in range(2):
        assert resident.get(UNREAD).status_code == 200


def redis_commands() -> int:
    """How many commands the cache's Redis has run (the INFO asking not counted)."""
    stats = cache._cache.get_client().info("commandstats")
    return sum(v["calls"] for k, v in stats.items() if k != "cmdstat_info")


@pytest.mark.parametrize("who", ["resident", "staff"])
def test_a_caller_seen_before_costs_one_round_trip_and_no_query(
    who, resident, staff, ticket_842, django_assert_num_queries
):
    client, path = (resident, "/api/v1/me/reports") if who == "resident" else (
        staff["staff842"], "/api/v1/staff/tickets")  # fmt: skip
    first = client.get(path)
    client.get(path)
    before = redis_commands()
    with django_assert_num_queries(0):
        again = client.get(path)
    assert redis_commands() - before == 1  # one MGET: the sign-in, the answer, its tokens
    assert again.content == first.content


def test_a_disabled_resident_is_refused_at_once_on_a_kept_read(resident):
    resident.post_json("/api/v1/reports", report_payload())
    for _ in range(2):
        assert resident.get("/api/v1/me/reports").status_code == 200
    user = User.objects.get(firebase_uid="resident-an")
    user.is_active = False
    user.save()
    response = resident.get("/api/v1/me/reports")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "account_disabled"
