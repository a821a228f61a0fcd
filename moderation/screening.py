"""Automatic screening of new reports (settings.REPORT_SCREENING_HOOK) and of
each processed photo: publish, publish with redaction, or hold for review."""

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.errors import Forbidden
from backend.photos.models import Photo, PhotoState
from backend.reports.history import ReporterHistory
from backend.reports.models import EventKind, Report, Visibility
from backend.reports.screening import CommentDecision, ScreeningDecision
from backend.reports.timeline import record_event
from moderation.models import Ban
from moderation.rules import behaviour_rules, photo_rules, text_reasons


def check_not_banned(user: User) -> None:
    until = user.reports_banned_until
    if until is not None and until > timezone.now():
        raise Forbidden(
            _("Your account may not send reports for now."),
            code="resident_banned",
            details={"until": until.isoformat()},
        )


def refresh_ban(sender: object, instance: Ban, **_kwargs: object) -> None:
    """A ban saved or deleted (by a moderator, or in the admin): the account's
    `reports_banned_until` is the latest ban still running."""
    latest = Ban.objects.filter(user_id=instance.user_id, until__gt=timezone.now()).aggregate(
        until=Max("until")
    )["until"]
    User.objects.filter(id=instance.user_id).update(reports_banned_until=latest)


def holds(reasons: list[dict]) -> bool:
    """The one rule of holding for review: the reasons' scores add up to
    MODERATION_HOLD_SCORE."""
    return sum(r["score"] for r in reasons) >= settings.MODERATION_HOLD_SCORE


def screen_new_report(report: Report, history: ReporterHistory) -> ScreeningDecision:
    check_not_banned(report.reporter)
    reasons, public_text = text_reasons(report.description)
    # The address is the resident's words too, and shown with the report.
    address_reasons, public_address = text_reasons(report.address, learned=False)
    reasons += [{**r, "in": "address"} for r in address_reasons]
    reasons += behaviour_rules(report, history)
    return ScreeningDecision(
        visibility=Visibility.HELD if holds(reasons) else Visibility.PUBLIC,
        reasons=reasons,
        public_description=public_text,
        public_address=public_address,
    )


def screen_comment(author: User, text: str) -> CommentDecision:
    """A resident's comment that arrives from another application (an Open311
    client's update): refused while its author is banned, published with
    personal data redacted, or kept off the public timeline when its text
    alone would hold a report."""
    check_not_banned(author)
    reasons, public_text = text_reasons(text)
    return CommentDecision(publish=not holds(reasons), public_text=public_text, reasons=reasons)


def screen_photo(photo: Photo) -> None:
    """Once a photo is both processed and on a report, whatever the order (an
    upload to a report, or a photo sent first and attached with the report):
    hold its report for review if the photo is suspicious enough (reused, taken
    far away, or long ago). Each photo is screened once: the first caller to
    find it ready and attached claims it (the row lock that processing and
    attaching both take orders them)."""
    claimed = Photo.objects.filter(
        id=photo.id, state=PhotoState.READY, report__isnull=False, screened_at__isnull=True
    ).update(screened_at=timezone.now())
    if not claimed:
        return
    photo = Photo.objects.select_related("report").get(id=photo.id)
    report = photo.report
    assert report is not None
    reasons = photo_rules(photo)
    if not reasons:
        return
    if holds(reasons) and report.visibility == Visibility.PUBLIC:
        Report.objects.filter(id=report.id).update(visibility=Visibility.HELD)
        report.visibility = Visibility.HELD
    record_event(
        report,
        EventKind.SCREENED,
        is_public=False,
        data={"visibility": report.visibility, "reasons": reasons, "photo": str(photo.id)},
    )
