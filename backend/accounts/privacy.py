"""A resident's own data: download it, or delete the account.

The reports stay for the city, anonymised: no name, phone, email, sign-in
identity, device tokens or exact photo metadata. Every app holding personal
data of its own (reports: reports and follows; photos: uploads; notifications:
devices and inbox; moderation: flags) answers the two signals below, so this
module, below them all, never imports them.
"""

from typing import Any, cast

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from backend.accounts.models import User

# Receivers return (section name, JSON-able data).
personal_data_requested = Signal()
# Receivers erase what they hold of `user`.
account_erased = Signal()


def export_personal_data(user: User) -> dict:
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "joined": user.date_joined.isoformat(),
            "phone_number": user.phone_number,
            "email": user.email,
            "locale": user.locale,
        },
    }
    for _receiver, answer in personal_data_requested.send(sender=User, user=user):
        section, value = cast(tuple[str, Any], answer)
        data[section] = value
    return data


@transaction.atomic
def delete_account(user: User) -> None:
    account_erased.send(sender=User, user=user)
    user.username = f"deleted-{user.id}"
    user.first_name = user.last_name = user.email = user.phone_number = ""
    user.firebase_uid = None
    user.is_active = False
    user.set_unusable_password()
    user.save()
