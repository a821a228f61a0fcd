"""Moderators' decisions and residents' flags. Each is on the report's timeline."""

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import Role, User
from backend.errors import Conflict, Forbidden, NotFound, Unprocessable
from backend.photos.models import Photo
from backend.photos.publication import take_down
from backend.reports.access import scope_filter
from backend.reports.models import EventKind, Report, ReportEvent, Status, Visibility
from backend.reports.services import visible_report
from backend.reports.timeline import record_event
from backend.reports.workflow import set_status
from moderation.models import Ban, CaseState, Flag, ReviewCase

MODERATOR_ROLES = {Role.MODERATOR, Role.ADMIN}


def _check_moderator(user: User) -> None:
    if user.role not in MODERATOR_ROLES:
        raise Forbidden(_("Moderators only."), code="not_a_moderator")


def moderated_reports(moderator: User) -> QuerySet[Report]:
    """The reports a moderator may act on: those of their area, held ones included."""
    _check_moderator(moderator)
    if moderator.role == Role.ADMIN:
        return Report.objects.all()
    return Report.objects.filter(scope_filter(moderator))


def review_queue(moderator: User) -> QuerySet[ReviewCase]:
    reports = moderated_reports(moderator)
    return (
        ReviewCase.objects.filter(state=CaseState.OPEN, report__in=reports)
        .select_related("report", "report__category")
        .order_by("opened_at", "id")
    )


def open_case(event: ReportEvent) -> None:
    """A screening that held a report opens a case (once per report at a time)."""
    if event.data.get("visibility") != Visibility.HELD:
        return
    reasons = event.data.get("reasons", [])
    score = sum(r.get("score", 0) for r in reasons)
    case = ReviewCase.objects.filter(report=event.report, state=CaseState.OPEN).first()
    if case is None:
        ReviewCase.objects.create(report=event.report, reasons=reasons, score=score)
    else:
        case.reasons = case.reasons + reasons
        case.score += score
        case.save(update_fields=["reasons", "score"])


def _locked(moderator: User, report_id: uuid.UUID) -> Report:
    report = moderated_reports(moderator).select_for_update().filter(id=report_id).first()
    if report is None:
        raise NotFound(_("No such report."))
    return report


def _record_decision(
    report: Report, moderator: User, decision: str, message: str = "", public: bool = False, **data
) -> None:
    """Every decision on the timeline, with its moderator; internal unless the
    resident must read it."""
    record_event(
        report,
        EventKind.MODERATED,
        actor=moderator,
        is_public=public,
        message=message,
        data={"decision": decision, **data},
    )


def _close_case(report: Report, moderator: User, state: str, reason: str) -> None:
    ReviewCase.objects.filter(report=report, state=CaseState.OPEN).update(
        state=state, decided_by=moderator, decided_at=timezone.now(), decision_reason=reason
    )


@transaction.atomic
def approve(moderator: User, report_id: uuid.UUID) -> Report:
    report = _locked(moderator, report_id)
    if (
        report.visibility == Visibility.PUBLIC
        and not ReviewCase.objects.filter(report=report, state=CaseState.OPEN).exists()
    ):
        raise Conflict(_("The report is not waiting for review."), code="not_in_review")
    report.visibility = Visibility.PUBLIC
    report.save(update_fields=["visibility", "updated_at"])
    _close_case(report, moderator, CaseState.APPROVED, "")
    _record_decision(report, moderator, "approved")
    return report


@transaction.atomic
def reject(moderator: User, report_id: uuid.UUID, reason: str) -> Report:
    if not reason.strip():
        raise Unprocessable(_("Say why: the resident is told."), code="reason_required")
    report = _locked(moderator, report_id)
    if not report.is_open:
        raise Conflict(_("The report is already closed."), code="not_open")
    report.visibility = Visibility.HIDDEN
    set_status(report, Status.REJECTED, fields=("visibility",))
    take_down(Photo.objects.filter(report=report))
    _close_case(report, moderator, CaseState.REJECTED, reason.strip())
    # Public so that its reporter reads the reason; the report itself is hidden.
    _record_decision(report, moderator, "rejected", reason.strip(), public=True)
    return report


@transaction.atomic
def hide_photo(moderator: User, report_id: uuid.UUID, photo_id: uuid.UUID, reason: str) -> Photo:
    report = _locked(moderator, report_id)
    photo = Photo.objects.filter(id=photo_id, report=report).first()
    if photo is None:
        raise NotFound(_("No such photo on this report."))
    take_down(Photo.objects.filter(id=photo.id))
    photo.hidden = True
    _record_decision(report, moderator, "photo_hidden", reason, photo=str(photo.id))
    return photo


@transaction.atomic
def edit_public_text(
    moderator: User, report_id: uuid.UUID, text: str, reason: str, address: str | None = None
) -> Report:
    """What the public reads of a report: its description, and its address
    when `address` is given (an insult there holds a report too)."""
    report = _locked(moderator, report_id)
    old, old_address = report.public_description, report.public_address
    report.public_description = text.strip()
    if address is not None:
        report.public_address = address.strip()
    report.save(update_fields=["public_description", "public_address", "updated_at"])
    # The original stays: in the report's own description and address, and in this event.
    changed: dict[str, Any] = {"old": old, "new": report.public_description}
    if report.public_address != old_address:
        changed |= {"old_address": old_address, "new_address": report.public_address}
    _record_decision(report, moderator, "text_edited", reason, **changed)
    return report


@transaction.atomic
def ban_resident(moderator: User, report_id: uuid.UUID, days: int, reason: str) -> Ban:
    """Ban the reporter of a report in the moderator's area (how moderators meet residents)."""
    report = _locked(moderator, report_id)
    resident = report.reporter
    if resident.role != Role.RESIDENT:
        raise Unprocessable(_("Only residents can be banned."), code="not_a_resident")
    ban = Ban.objects.create(
        user=resident,
        until=timezone.now() + timedelta(days=days),
        reason=reason,
        banned_by=moderator,
    )
    _record_decision(report, moderator, "reporter_banned", reason, until=ban.until.isoformat())
    return ban


@transaction.atomic
def flag(resident: User, report_id: uuid.UUID, reason: str) -> tuple[int, bool]:
    """A resident flags a public report, once. Enough distinct residents send it
    back to review, hidden meanwhile. Returns (flags so far, now held)."""
    report = visible_report(report_id, resident)
    if report.reporter_id == resident.id:
        raise Conflict(_("You cannot flag your own report."), code="own_report")
    try:
        with transaction.atomic():
            Flag.objects.create(report=report, user=resident, reason=reason)
    except IntegrityError:
        raise Conflict(_("You have already flagged this report."), code="already_flagged") from None
    count = Flag.objects.filter(report=report).count()
    if count >= settings.FLAGS_TO_REVIEW and report.visibility == Visibility.PUBLIC:
        Report.objects.filter(id=report.id).update(visibility=Visibility.HELD)
        report.visibility = Visibility.HELD
        record_event(
            report,
            EventKind.SCREENED,
            is_public=False,
            data={
                "visibility": Visibility.HELD,
                "reasons": [{"rule": "flagged", "score": float(count), "flags": count}],
            },
        )
        return count, True
    return count, False
