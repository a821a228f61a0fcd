"""Who a sign-in is, kept in the shared cache for SIGN_IN_CACHE_SECONDS.

Every signed-in request starts by looking its caller up (a resident by their
Firebase uid, staff by the hash of their token); on a busy read that lookup
costs more than the answer. It is kept here, without the password hash or
personal data (those fields load from the database if something reads them),
and dropped at once when the account changes in any way (role, scope,
deactivation, deletion) or the token is revoked: the signals below see every
save and delete of an account or a token, and sign-out, which revokes with an
update(), drops its token itself. (Nothing updates accounts with update().)

Fails open: with the cache down, every request looks its caller up.
"""

import copy
import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Never copied into the cache: they load from the database when read.
PRIVATE_FIELDS = ("password", "phone_number", "email", "first_name", "last_name")


def resident_key(firebase_uid: str) -> str:
    return f"sign-in:resident:{firebase_uid}"


def staff_key(key_hash: str) -> str:
    return f"sign-in:staff:{key_hash}"


def kept(key: str) -> Any:
    if settings.SIGN_IN_CACHE_SECONDS <= 0:
        return None
    try:
        return cache.get(key)
    except RedisError as error:
        logger.warning("sign-in cache unavailable: %s", error)
        return None


def without_private_fields(user: Any) -> Any:
    """A copy of the account for the cache: Django loads a missing field from
    the database when something reads it, as it does a deferred one."""
    kept = copy.copy(user)
    for field in PRIVATE_FIELDS:
        kept.__dict__.pop(field, None)
    return kept


def keep(key: str, value: object, until: datetime | None = None) -> None:
    seconds = settings.SIGN_IN_CACHE_SECONDS
    if until is not None:
        seconds = min(seconds, int((until - timezone.now()).total_seconds()))
    if seconds <= 0:
        return
    try:
        cache.set(key, value, seconds)
    except RedisError as error:
        logger.warning("sign-in cache unavailable: %s", error)


def forget(keys: list[str]) -> None:
    if not keys:
        return
    try:
        cache.delete_many(keys)
    except RedisError as error:
        # Nothing else to do: the entry lives out SIGN_IN_CACHE_SECONDS.
        logger.error("sign-in cache not told of a change (%s): %s", keys, error)


def _forget_account(user: Any) -> None:
    from backend.accounts.models import Role, StaffToken

    uids = {user.__dict__.get("firebase_uid"), getattr(user, "_firebase_uid_before", None)}
    keys = [resident_key(uid) for uid in uids if uid]
    if user.role != Role.RESIDENT or getattr(user, "_role_before", Role.RESIDENT) != Role.RESIDENT:
        usable = StaffToken.objects.filter(
            user_id=user.pk, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )  # only these can be kept
        hashes = usable.values_list("key_hash", flat=True)
        keys += [staff_key(key_hash) for key_hash in hashes]
    forget_now_and_at_commit(keys)


def _note_before(sender: type, instance: Any, raw: bool = False, **kwargs: object) -> None:
    """The uid and role as stored: deleting an account clears its uid, and the
    entry under the old one must go too."""
    if instance.pk is None or raw:
        return
    before = sender.objects.filter(pk=instance.pk).values_list("firebase_uid", "role").first()
    if before is not None:
        instance._firebase_uid_before, instance._role_before = before


def _account_changed(sender: type, instance: Any, **kwargs: object) -> None:
    _forget_account(instance)


def _token_changed(sender: type, instance: Any, **kwargs: object) -> None:
    forget_now_and_at_commit([staff_key(instance.key_hash)])


def forget_now_and_at_commit(keys: list[str]) -> None:
    """A sign-in between the two, still reading the old rows, may keep them again."""
    forget(keys)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: forget(keys))


def connect() -> None:
    from backend.accounts.models import StaffToken, User

    pre_save.connect(_note_before, sender=User, dispatch_uid="sign-in-before")
    post_save.connect(_account_changed, sender=User, dispatch_uid="sign-in-saved")
    post_delete.connect(_account_changed, sender=User, dispatch_uid="sign-in-deleted")
    post_save.connect(_token_changed, sender=StaffToken, dispatch_uid="sign-in-token-saved")
    post_delete.connect(_token_changed, sender=StaffToken, dispatch_uid="sign-in-token-deleted")
