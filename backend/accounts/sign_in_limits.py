"""Limits on staff sign-in, for the API and the console alike.

Two limits, both counted in the shared cache with atomic increments (so that
concurrent attempts cannot slip past a read-then-write count):
1. Per address: STAFF_LOGIN_RATE attempts (e.g. "10/m") from one client
   address, whatever the account.
2. Per account: after STAFF_LOCKOUT_AFTER failed attempts in a row, the
   account refuses sign-in for STAFF_LOCKOUT_SECONDS, doubled at each further
   failure up to STAFF_LOCKOUT_MAX_SECONDS; a success clears the count. An
   attacker spreading guesses over many addresses meets this one.

The client address is the connection's, unless TRUSTED_PROXY_COUNT proxies of
ours stand in front: each appends the address it saw to X-Forwarded-For, so
the entry that many places from the end is the one our nearest trusted proxy
vouches for. Anything before it was written by the client and is ignored.

When the cache is down the limits are not counted (django-redis logs it): a
sign-in form that answers 500 to every staff member would be worse.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from backend.errors import ServiceError

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class TooManyAttempts(ServiceError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, seconds: int, code: str | None = None) -> None:
        seconds = max(1, math.ceil(seconds))
        super().__init__(
            message,
            code=code,
            details={"retry_after_seconds": seconds},
            headers={"Retry-After": str(seconds)},
        )


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if not forwarded:
        return remote
    return forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/m" -> (10, 60): attempts per window of seconds."""
    count, _, unit = rate.partition("/")
    return int(count), UNITS[unit.strip()[:1]]


def _count(key: str, window: int) -> int:
    """One more in the window that started with the first; atomic in Redis.
    0 when the cache does not answer (django-redis logs it): not counted."""
    cache.add(key, 0, window)
    try:
        return cache.incr(key) or 0
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, window)
        return 1


def _account_key(username: str, part: str) -> str:
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"sign-in:{part}:{digest}"


def check_attempt(request: HttpRequest, username: str) -> None:
    """Before a password is checked: refuse when either limit is reached."""
    locked_until = cache.get(_account_key(username, "locked"))
    if locked_until is not None and locked_until > time.time():
        raise TooManyAttempts(
            _("Too many failed sign-ins for this account; try again later."),
            locked_until - time.time(),
            code="account_locked",
        )
    allowed, window = parse_rate(settings.STAFF_LOGIN_RATE)
    if _count(f"sign-in:address:{client_address(request)}", window) > allowed:
        raise TooManyAttempts(_("Too many sign-in attempts; try again later."), window)


def record_failure(username: str) -> None:
    failures = _count(_account_key(username, "failures"), 24 * 3600)
    beyond = failures - settings.STAFF_LOCKOUT_AFTER
    if failures and beyond >= 0:
        seconds = min(
            settings.STAFF_LOCKOUT_SECONDS * 2**beyond, settings.STAFF_LOCKOUT_MAX_SECONDS
        )
        cache.set(_account_key(username, "locked"), time.time() + seconds, seconds)


def record_success(username: str) -> None:
    cache.delete_many([_account_key(username, "failures"), _account_key(username, "locked")])
