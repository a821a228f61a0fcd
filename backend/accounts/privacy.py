"""A resident's own data: download it, or delete the account.

The reports stay for the city, anonymised: no name, phone, email, sign-in
identity, device tokens or exact photo metadata. Apps holding personal data of
their own (notifications: devices and inbox; moderation: flags) answer the two
signals below, so this module never imports them.
"""

from typing import Any, cast

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from backend.accounts.models import User
from backend.photos.models import Photo
from backend.photos.publication import take_down
from backend.reports.models import Follower, Report, ReportEvent

# Receivers return (section name, JSON-able data).
personal_data_requested = Signal()
# Receivers erase what they hold of `user`.
account_erased = Signal()


def export_personal_data(user: User) -> dict:
    reports = Report.objects.filter(reporter=user).select_related("category").order_by("created_at")
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "joined": user.date_joined.isoformat(),
            "phone_number": user.phone_number,
            "email": user.email,
            "locale": user.locale,
        },
        "reports": [
            {
                "id": str(r.id),
                "reference": r.reference,
                "category": r.category.code,
                "description": r.description,
                "address": r.address,
                "lat": r.lat,
                "lon": r.lon,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
                "attributes": r.attributes,
                "rating": r.rating,
                "timeline": [
                    {"kind": e.kind, "at": e.created_at.isoformat(), "message": e.message}
                    for e in ReportEvent.objects.filter(report=r, is_public=True)
                ],
            }
            for r in reports
        ],
        "photos": [
            {
                "id": str(p.id),
                "report": str(p.report_id) if p.report_id else None,
                "taken_at": p.exif_taken_at.isoformat() if p.exif_taken_at else None,
                "lat": p.exif_lat,
                "lon": p.exif_lon,
            }
            for p in Photo.objects.filter(uploader=user)
        ],
        "following": [str(f.report_id) for f in Follower.objects.filter(user=user)],
    }
    for _receiver, answer in personal_data_requested.send(sender=User, user=user):
        section, value = cast(tuple[str, Any], answer)
        data[section] = value
    return data


@transaction.atomic
def delete_account(user: User) -> None:
    for report in Report.objects.filter(reporter=user):
        # What the resident wrote may name them; the redacted public text stays.
        report.description = report.public_description
        report.save(update_fields=["description", "updated_at"])
    Photo.objects.filter(uploader=user).update(
        exif_lat=None, exif_lon=None, exif_taken_at=None, distance_to_report_m=None
    )
    # Their photos may show them, their home, their plate: off the public
    # site, and the originals (with where they were taken) deleted.
    take_down(Photo.objects.filter(uploader=user), with_originals=True)
    Follower.objects.filter(user=user).delete()
    account_erased.send(sender=User, user=user)
    user.username = f"deleted-{user.id}"
    user.first_name = user.last_name = user.email = user.phone_number = ""
    user.firebase_uid = None
    user.is_active = False
    user.set_unusable_password()
    user.save()
