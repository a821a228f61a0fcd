"""Staff sign-in: username and password for an expiring API token."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone

from backend.accounts import sign_in_cache
from backend.accounts.models import STAFF_ROLES, StaffToken, User
from backend.errors import NotAuthenticated


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def sign_in(username: str, password: str) -> tuple[str, datetime, User]:
    user = authenticate(username=username, password=password)
    if user is None or user.role not in STAFF_ROLES or not user.is_active:
        raise NotAuthenticated("Wrong username or password.", code="invalid_credentials")
    key = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(hours=settings.STAFF_TOKEN_HOURS)
    StaffToken.objects.create(user=user, key_hash=key_hash(key), expires_at=expires_at)
    return key, expires_at, user


def user_for_token(key: str) -> User | None:
    hashed = key_hash(key)
    kept = sign_in_cache.kept(sign_in_cache.staff_key(hashed))
    if kept is not None:
        return user_of_kept_token(kept)
    tokens = StaffToken.objects.select_related("user", "user__unit", "user__scope_area").defer(
        "user__scope_area__geometry_wkb"  # a province's boundary: ~20 KB
    )
    try:
        # get(), not first(): the hash is unique, and ordering it costs more than the query.
        token = tokens.get(key_hash=hashed, revoked_at__isnull=True, expires_at__gt=timezone.now())
    except StaffToken.DoesNotExist:
        return None
    if not token.user.is_active or token.user.role not in STAFF_ROLES:
        return None
    kept = (sign_in_cache.without_private_fields(token.user), token.expires_at)
    sign_in_cache.keep(sign_in_cache.staff_key(hashed), kept, until=token.expires_at)
    return token.user


def user_of_kept_token(kept: object) -> User | None:
    """The account of a kept token (user, expires_at), if it has not expired."""
    if not isinstance(kept, tuple):
        return None
    user, expires_at = kept
    return user if expires_at > timezone.now() else None


def sign_out(key: str) -> None:
    StaffToken.objects.filter(key_hash=key_hash(key), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    sign_in_cache.forget_now_and_at_commit([sign_in_cache.staff_key(key_hash(key))])
