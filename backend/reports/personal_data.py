"""What the reports app holds of a resident, for their download and their erasure
(answers to `backend.accounts.privacy`'s signals)."""

from typing import Any

from backend.accounts.models import User
from backend.reports.models import Follower, Report, ReportEvent


def export_reports(sender: object, user: User, **_kwargs: object) -> tuple[str, Any]:
    reports = Report.objects.filter(reporter=user).select_related("category").order_by("created_at")
    return "reports", [
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
    ]


def export_following(sender: object, user: User, **_kwargs: object) -> tuple[str, Any]:
    return "following", [str(f.report_id) for f in Follower.objects.filter(user=user)]


def erase_reporter(sender: object, user: User, **_kwargs: object) -> None:
    for report in Report.objects.filter(reporter=user):
        # What the resident wrote may name them; the redacted public texts
        # stay, and a rating's comment (its public event is redacted) goes.
        report.description = report.public_description
        report.address = report.public_address
        report.rating_comment = ""
        report.save(update_fields=["description", "address", "rating_comment", "updated_at"])
    Follower.objects.filter(user=user).delete()
