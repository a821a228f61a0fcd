"""Every change to a ticket's status, assignment or unit goes through here.

`set_status` is the one function that writes a report's status: it knows
every allowed transition and what each does to the report's clocks (the
deadline, the time spent waiting on the resident, when it was acknowledged,
resolved, closed). Staff move tickets through `change_status`, which also
knows which transitions are theirs and what each writes on the timeline; a
resident's reopening, a merge and a moderator's rejection call `set_status`
too. Each change locks the
ticket's row first, so two staff acting at once are applied one after the
other and neither is lost; the second is checked against the first's result.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import Role, User
from backend.areas.models import Unit
from backend.catalogue.active import category_of
from backend.errors import Conflict, NotFound, Unprocessable
from backend.reports.access import managing_area_id, staff_tickets, ticket_for
from backend.reports.models import OPEN_STATUSES, EventKind, Follower, Report, ReportEvent, Status
from backend.reports.screening import screen_comment
from backend.reports.timeline import record_event

S = Status
# status -> the statuses staff may move it to
STAFF_TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.ACKNOWLEDGED, S.IN_PROGRESS, S.REJECTED},
    S.ACKNOWLEDGED: {S.IN_PROGRESS, S.WAITING_FOR_RESIDENT, S.RESOLVED, S.REJECTED},
    S.IN_PROGRESS: {S.WAITING_FOR_RESIDENT, S.RESOLVED, S.REJECTED},
    S.WAITING_FOR_RESIDENT: {S.IN_PROGRESS, S.RESOLVED, S.REJECTED},
    S.RESOLVED: {S.CLOSED, S.IN_PROGRESS},
    S.CLOSED: set(),
    S.REJECTED: set(),
    S.DUPLICATE: set(),
}
# Marking a duplicate goes through `merge`, which also moves its followers.
# Every transition, whoever makes it: staff's, a resident reopening a resolved
# report, a merge, a moderator rejecting an open report.
TRANSITIONS: dict[str, set[str]] = {
    status: {*targets, *((S.DUPLICATE, S.REJECTED) if status in OPEN_STATUSES else ())}
    for status, targets in STAFF_TRANSITIONS.items()
}
TRANSITIONS[S.RESOLVED] = {*TRANSITIONS[S.RESOLVED], S.ACKNOWLEDGED}


def _status_label(value: str) -> str:
    """A status's label, or the value itself when it is no status at all."""
    return str(Status(value).label) if value in Status.values else value


def allowed_transitions(report: Report) -> list[str]:
    return sorted(STAFF_TRANSITIONS[report.status])


@transaction.atomic
def change_status(report_id: uuid.UUID, actor: User, new_status: str, message: str = "") -> Report:
    """Move a ticket to `new_status`. Resolving needs a public message to the
    resident; rejecting needs the reason (which the resident sees)."""
    report = ticket_for(actor, report_id, to_change=True, lock=True)
    if report.status == new_status and _is_replay(
        report, actor, EventKind.STATUS_CHANGED, message.strip(), to=new_status
    ):
        return report  # a retry of the change just made: answered as it was
    if new_status not in STAFF_TRANSITIONS[report.status]:
        raise Conflict(
            _("A ticket that is “%(current)s” cannot become “%(wanted)s”.")
            % {"current": Status(report.status).label, "wanted": _status_label(new_status)},
            code="invalid_transition",
            details={"status": report.status, "allowed": allowed_transitions(report)},
        )
    message = message.strip()
    if new_status in (S.RESOLVED, S.REJECTED) and not message:
        raise Unprocessable(
            _("Say what was done (or why it is rejected): the resident reads it."),
            code="message_required",
        )
    old_status = set_status(report, new_status)
    record_event(
        report,
        EventKind.STATUS_CHANGED,
        actor=actor,
        message=message,
        data={"from": old_status, "to": new_status},
    )
    return report


def _is_replay(report: Report, actor: User, kind: str, message: str, **data: Any) -> bool:
    """Whether the ticket's latest event is this very one (its kind, author,
    message and `data`): the retry of a request whose answer was lost."""
    last = report.events.order_by("-created_at", "-id").only("kind", "actor_id", "message", "data")
    latest = last.first()
    return (
        latest is not None
        and (latest.kind, latest.actor_id, latest.message) == (kind, actor.id, message)
        and all(latest.data.get(key) == value for key, value in data.items())
    )


def set_status(
    report: Report, new_status: str, *, due_at: datetime | None = None, fields: tuple = ()
) -> str:
    """Write `new_status` on a locked report, with what the move does to its
    clocks; returns the status it had. `due_at` sets a new deadline (a
    reopened report starts a new one); `fields` are other fields the caller
    changed, saved with it."""
    if new_status not in TRANSITIONS[report.status]:
        raise Conflict(
            _("A report that is “%(current)s” cannot become “%(wanted)s”.")
            % {"current": Status(report.status).label, "wanted": _status_label(new_status)},
            code="invalid_transition",
            details={"status": report.status},
        )
    now = timezone.now()
    old_status = report.status
    changed = ["status", "updated_at", *fields]
    if report.status == S.WAITING_FOR_RESIDENT and report.waiting_since:
        # Time spent waiting on the resident does not count against the unit.
        report.due_at += now - report.waiting_since
        report.waiting_since = None
        changed += ["due_at", "waiting_since"]
    if due_at is not None:
        report.due_at = due_at
        changed.append("due_at")
    if new_status == S.WAITING_FOR_RESIDENT:
        report.waiting_since = now
        changed.append("waiting_since")
    if new_status == S.ACKNOWLEDGED or (new_status == S.IN_PROGRESS and not report.acknowledged_at):
        report.acknowledged_at = report.acknowledged_at or now
        changed.append("acknowledged_at")
    if new_status == S.RESOLVED:
        report.resolved_at = now
        changed.append("resolved_at")
    if new_status in (S.CLOSED, S.REJECTED, S.DUPLICATE):
        report.closed_at = now
        changed.append("closed_at")
    report.status = new_status
    report.save(update_fields=list(dict.fromkeys(changed)))
    return old_status


@transaction.atomic
def assign(report_id: uuid.UUID, actor: User, assignee_id: int | None) -> Report:
    report = ticket_for(actor, report_id, to_change=True, lock=True)
    assignee = None
    if assignee_id is not None:
        assignee = User.objects.filter(
            id=assignee_id, unit=report.unit, role__in=[Role.STAFF, Role.UNIT_LEAD], is_active=True
        ).first()
        if assignee is None:
            raise Unprocessable(
                _("Tickets are assigned to staff of the ticket's unit."), code="invalid_assignee"
            )
    report.assignee = assignee
    report.save(update_fields=["assignee", "updated_at"])
    record_event(
        report,
        EventKind.ASSIGNED,
        actor=actor,
        is_public=False,
        data={"assignee": assignee.username if assignee else None},
    )
    return report


@transaction.atomic
def transfer(report_id: uuid.UUID, actor: User, unit_code: str, reason: str) -> Report:
    """Send a misrouted ticket to another unit (of any area). The sender loses it."""
    report = ticket_for(actor, report_id, to_change=True, lock=True)
    unit = Unit.objects.filter(code=unit_code, active=True).first()
    if unit is None:
        raise Unprocessable(
            _("No active unit %(unit)s.") % {"unit": unit_code}, code="unknown_unit"
        )
    if unit.id == report.unit_id:
        raise Conflict(_("The ticket is already with this unit."), code="same_unit")
    if not reason.strip():
        raise Unprocessable(_("Say why the ticket is transferred."), code="reason_required")
    previous = report.unit
    report.unit = unit
    report.managing_area_id = managing_area_id(unit, report.area_id)
    report.assignee = None
    report.escalation_level = 0
    report.save(
        update_fields=["unit", "managing_area", "assignee", "escalation_level", "updated_at"]
    )
    record_event(
        report,
        EventKind.TRANSFERRED,
        actor=actor,
        message=reason.strip(),
        data={"from": previous.code if previous else None, "to": unit.code},
    )
    return report


@transaction.atomic
def merge(duplicate_id: uuid.UUID, actor: User, original_id: uuid.UUID) -> Report:
    """Close a duplicate into its original; its followers and supporters move over."""
    if duplicate_id == original_id:
        raise Unprocessable(_("A ticket cannot be merged into itself."), code="merge_into_self")
    duplicate = ticket_for(actor, duplicate_id, to_change=True, lock=True)
    original = staff_tickets(actor).select_for_update(of=("self",)).filter(id=original_id).first()
    if original is None:
        raise NotFound(_("No such original ticket."))
    if not duplicate.is_open or not original.is_open:
        raise Conflict(_("Both tickets must be open to merge."), code="not_open")
    moved = 0
    for follower in Follower.objects.filter(report=duplicate).select_related("user"):
        is_reporter = follower.user_id == duplicate.reporter_id
        target, _created = Follower.objects.get_or_create(report=original, user=follower.user)
        newly_supporting = (follower.supported or is_reporter) and not target.supported
        if newly_supporting and follower.user_id != original.reporter_id:
            target.supported = True
            target.save(update_fields=["supported"])
            moved += 1
    if moved:
        Report.objects.filter(id=original.id).update(support_count=F("support_count") + moved)
    duplicate.merged_into = original
    set_status(duplicate, S.DUPLICATE, fields=("merged_into",))
    record_event(
        duplicate,
        EventKind.MERGED,
        actor=actor,
        data={"into": str(original.id), "reference": original.reference},
    )
    record_event(
        original,
        EventKind.MERGED,
        actor=actor,
        data={"from": str(duplicate.id), "reference": duplicate.reference, "supporters": moved},
    )
    original.refresh_from_db()
    return original


@transaction.atomic
def comment(report_id: uuid.UUID, actor: User, message: str, public: bool) -> Report:
    report = ticket_for(actor, report_id, to_change=True, lock=True)
    kind, message = EventKind.COMMENT if public else EventKind.NOTE, message.strip()
    if not _is_replay(report, actor, kind, message):  # the same words twice in a row: a retry
        record_event(report, kind, actor=actor, is_public=public, message=message)
    return report


# Residents' side of the workflow.


def resident_comment(report: Report, resident: User, message: str, data: dict) -> ReportEvent:
    """A resident's comment from another application (an Open311 client's
    update): on the public timeline with personal data redacted, or, when its
    text alone would hold a report, kept for staff as an internal note. Either
    way the unit's staff are told (`from_resident`)."""
    decision = screen_comment(resident, message)
    data = {**data, "from_resident": True}
    if decision.publish:
        return record_event(
            report, EventKind.COMMENT, actor=resident, message=decision.public_text, data=data
        )
    return _kept_for_staff(report, resident, message, decision.reasons, data)


def _kept_for_staff(
    report: Report, resident: User, words: str, reasons: list[dict], data: dict | None = None
) -> ReportEvent:
    """A resident's words that would hold a report, off the public timeline:
    an internal note, which the unit's staff are told of (`from_resident`)."""
    return record_event(
        report,
        EventKind.NOTE,
        actor=resident,
        is_public=False,
        message=words,
        data={**(data or {}), "from_resident": True, "held": reasons},
    )


def _with_residents_words(
    report: Report, kind: str, resident: User, words: str, data: dict | None = None
) -> ReportEvent:
    """A public event that carries a resident's own words (a rating's comment,
    a reopening's reason), screened as a comment is: published with personal
    data redacted, or, when the words alone would hold a report, the event
    public without them and the words kept for staff as an internal note."""
    words = words.strip()
    decision = screen_comment(resident, words) if words else None
    if decision is None or decision.publish:
        message = decision.public_text if decision else ""
        return record_event(report, kind, actor=resident, message=message, data=data)
    event = record_event(report, kind, actor=resident, data=data)
    _kept_for_staff(report, resident, words, decision.reasons)
    return event


def _own_resolved(report_id: uuid.UUID, resident: User) -> Report:
    report = Report.objects.select_for_update().filter(id=report_id).first()
    if report is None or report.reporter_id != resident.id:
        raise NotFound(_("No such report."))
    return report


@transaction.atomic
def rate(report_id: uuid.UUID, resident: User, stars: int, text: str = "") -> Report:
    report = _own_resolved(report_id, resident)
    if report.status not in (S.RESOLVED, S.CLOSED):
        raise Conflict(_("Only a resolved report can be rated."), code="not_resolved")
    comment = text.strip()
    if report.rated_at is not None and (report.rating, report.rating_comment) == (stars, comment):
        return report  # a retry of the same rating: one rating, one event on the timeline
    report.rating, report.rating_comment, report.rated_at = stars, comment, timezone.now()
    report.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    _with_residents_words(report, EventKind.RATED, resident, text, data={"rating": stars})
    return report


def _reopened_since_resolved(report: Report) -> bool:
    """Whether its reporter reopened it after it was last resolved."""
    return (
        report.resolved_at is not None
        and report.events.filter(
            kind=EventKind.REOPENED, actor_id=report.reporter_id, created_at__gte=report.resolved_at
        ).exists()
    )


@transaction.atomic
def reopen(report_id: uuid.UUID, resident: User, reason: str) -> Report:
    """Not really fixed: back to the unit's queue, flagged, within the reopen window."""
    report = _own_resolved(report_id, resident)
    if report.status != S.RESOLVED:
        if _reopened_since_resolved(report):
            return report  # a retry of a reopening that took effect: answered as it was
        raise Conflict(_("Only a resolved report can be reopened."), code="not_resolved")
    window = timedelta(days=settings.REOPEN_WINDOW_DAYS)
    if report.resolved_at is None or timezone.now() > report.resolved_at + window:
        raise Conflict(
            _("A report can be reopened within %(days)s days of its resolution.")
            % {"days": settings.REOPEN_WINDOW_DAYS},
            code="reopen_window_closed",
        )
    report.reopened_count += 1
    report.escalation_level = 0
    set_status(
        report,
        S.ACKNOWLEDGED,
        due_at=timezone.now() + timedelta(hours=category_of(report.category_id).sla_hours),
        fields=("reopened_count", "escalation_level"),
    )
    _with_residents_words(report, EventKind.REOPENED, resident, reason)
    return report
