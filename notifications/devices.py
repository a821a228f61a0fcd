"""Phones that receive pushes: registered by whoever signs in on them."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.errors import NotFound
from notifications.models import Device


def register(
    user: User, token: str, platform: str, app_version: str, locale: str
) -> tuple[Device, bool]:
    """Register a phone's FCM token for `user`. The same token again moves it to
    this user (a shared or resold phone) and reactivates it. Returns (device, created)."""
    values = {
        "user": user,
        "platform": platform,
        "app_version": app_version,
        "locale": locale.split("-")[0].lower(),
        "active": True,
        "deactivated_reason": "",
    }
    try:
        with transaction.atomic():
            return Device.objects.update_or_create(token=token, defaults=values)
    except IntegrityError:
        # Two registrations of one token raced: the other inserted it; update it.
        return Device.objects.update_or_create(token=token, defaults=values)


def unregister(user: User, token: str) -> None:
    """Signed out on the phone: no more pushes to it."""
    deleted, _by_model = Device.objects.filter(token=token, user=user).delete()
    if not deleted:
        raise NotFound(_("No such device of yours."))
