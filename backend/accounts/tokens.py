"""Staff sign-in: username and password for an expiring API token."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts import sign_in_limits
from backend.accounts.models import STAFF_ROLES, StaffToken, User
from backend.errors import NotAuthenticated
from backend.statements import STAND_IN_TEXT, STAND_IN_TIME, Statement


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_staff_password(request: HttpRequest, username: str, password: str) -> User:
    """The staff account these credentials name, within the sign-in limits
    (backend.accounts.sign_in_limits); the API's token and the console's
    session both start here."""
    sign_in_limits.check_attempt(request, username)
    user = authenticate(request, username=username, password=password)
    if user is None or user.role not in STAFF_ROLES or not user.is_active:
        sign_in_limits.record_failure(username)
        raise NotAuthenticated(_("Wrong username or password."), code="invalid_credentials")
    sign_in_limits.record_success(username)
    return user


def sign_in(request: HttpRequest, username: str, password: str) -> tuple[str, datetime, User]:
    user = check_staff_password(request, username, password)
    key = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(hours=settings.STAFF_TOKEN_HOURS)
    StaffToken.objects.create(user=user, key_hash=key_hash(key), expires_at=expires_at)
    return key, expires_at, user


_STAFF_OF_TOKEN = Statement(
    lambda key_hash, now: User.objects.filter(
        api_tokens__key_hash=key_hash,
        api_tokens__revoked_at__isnull=True,
        api_tokens__expires_at__gt=now,
        is_active=True,
        role__in=STAFF_ROLES,
    ),
    key_hash=STAND_IN_TEXT,
    now=STAND_IN_TIME,
)


def user_for_token(key: str) -> User | None:
    """The active staff account of a token that is neither revoked nor expired,
    read from the database on every request (so a revocation holds at once).
    One join and the account's own columns: what a request needs of its unit
    and area are their ids; compiling the unit and area in as well cost a
    third of a staff read's time."""
    return _STAFF_OF_TOKEN.first(key_hash=key_hash(key), now=timezone.now())


def sign_out(key: str) -> None:
    StaffToken.objects.filter(key_hash=key_hash(key), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
