"""Staff sign-in limits hold against a forged X-Forwarded-For, concurrent
attempts, and guesses spread over many addresses."""

import threading
from datetime import timedelta

import pytest
from django.test import RequestFactory

from backend.accounts import sign_in_limits
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


def attempt(username: str, password: str = "wrong", forwarded: str | None = None, addr=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    if addr:
        extra["REMOTE_ADDR"] = addr
    return ApiClient().post_json(
        "/api/v1/staff/login", {"username": username, "password": password}, **extra
    )


def test_a_new_forwarded_address_each_try_does_not_reset_the_limit(db):
    statuses = [attempt(f"u{n}", forwarded=f"198.51.100.{n}").status_code for n in range(12)]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


def test_behind_a_trusted_proxy_the_address_it_saw_is_counted(db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client writes anything it likes first; our proxy appends 203.0.113.7.
    statuses = [
        attempt(f"u{n}", forwarded=f"198.51.100.{n}, 203.0.113.7").status_code for n in range(11)
    ]
    assert statuses[-1] == 429
    # Another real client behind the same proxy is counted apart.
    assert attempt("someone", forwarded="203.0.113.8").status_code == 401


def test_concurrent_attempts_cannot_slip_past_the_count(db, settings):
    settings.STAFF_LOGIN_RATE = "10/m"
    request = RequestFactory().post("/api/v1/staff/login", REMOTE_ADDR="192.0.2.44")
    allowed, refused = [], []
    start = threading.Barrier(40)

    def one(n: int) -> None:
        start.wait()
        try:
            sign_in_limits.check_attempt(request, f"account-{n}")
            allowed.append(n)
        except sign_in_limits.TooManyAttempts:
            refused.append(n)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 10 and len(refused) == 30


def test_an_account_locks_after_failures_from_many_addresses_with_backoff(
    staff, settings, time_machine
):
    staff["staff842"]  # the account exists, password "staff-password"
    for n in range(5):
        assert attempt("staff842", addr=f"192.0.2.{n}").status_code == 401
    locked = attempt("staff842", "staff-password", addr="192.0.2.99")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "account_locked"
    assert 55 <= int(locked["Retry-After"]) <= 60
    time_machine.move_to(time_machine_now() + timedelta(seconds=61))
    assert attempt("staff842", addr="192.0.2.100").status_code == 401  # one more failure
    again = attempt("staff842", "staff-password", addr="192.0.2.101")
    assert again.status_code == 429
    assert 110 <= int(again["Retry-After"]) <= 120  # twice as long


def time_machine_now():
    from django.utils import timezone

    return timezone.now()


def test_a_success_clears_the_failures(staff):
    staff["staff842"]
    for n in range(4):
        assert attempt("staff842", addr=f"192.0.2.{n}").status_code == 401
    assert attempt("staff842", "staff-password", addr="192.0.2.50").status_code == 200
    for n in range(4):
        assert attempt("staff842", addr=f"192.0.2.{60 + n}").status_code == 401
    assert attempt("staff842", "staff-password", addr="192.0.2.70").status_code == 200
