"""Who is told what: subscribed to the report timeline's `event_committed` signal.

Runs in the transaction that marks the event dispatched, so the notification
rows (and their pending pushes) commit together with that mark: an event is
told once, and a crash before commit leaves it to the timeline's retry. The
pushes are queued after that commit.
"""

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from backend.accounts.models import Role, User
from backend.i18n import localized
from backend.reports.models import EventKind, Follower, ReportEvent, Status
from notifications.models import Delivery, DeliveryState, Device, Notification, Preferences

RESIDENT_STATUS_NEWS = {
    Status.ACKNOWLEDGED,
    Status.IN_PROGRESS,
    Status.RESOLVED,
    Status.REJECTED,
}


def _followers(event: ReportEvent) -> list[int]:
    return list(Follower.objects.filter(report=event.report).values_list("user_id", flat=True))


def _unit_staff(event: ReportEvent) -> list[int]:
    report = event.report
    if report.unit_id is None:
        return []
    return list(
        User.objects.filter(
            unit_id=report.unit_id, role__in=[Role.STAFF, Role.UNIT_LEAD], is_active=True
        ).values_list("id", flat=True)
    )


def _escalation_targets(event: ReportEvent) -> list[int]:
    report = event.report
    if event.data.get("level") == 1:
        who = Q(unit_id=report.unit_id, role=Role.UNIT_LEAD)
        return list(User.objects.filter(who, is_active=True).values_list("id", flat=True))
    # The managers of the smallest area up the managed area's chain that has any.
    managers = list(
        User.objects.filter(
            role=Role.AREA_MANAGER,
            is_active=True,
            scope_area__descendancies__area_id=report.managing_area_id,
        ).values_list("id", "scope_area__descendancies__distance")
    )
    nearest = min((distance for _, distance in managers), default=None)
    return [user_id for user_id, distance in managers if distance == nearest]


def _plan(event: ReportEvent) -> tuple[str, list[int], dict] | None:
    """(kind, recipients, params) for an event, or None when nobody is told."""
    report = event.report
    params = {"ref": report.reference, "message": event.message}
    if event.kind == EventKind.STATUS_CHANGED:
        status = event.data.get("to")
        if status not in RESIDENT_STATUS_NEWS:
            return None
        return "status_changed", _followers(event), {**params, "status": status}
    if event.kind in (EventKind.COMMENT, EventKind.NOTE) and event.data.get("from_resident"):
        # A resident's comment from another application: its unit's staff
        # hear of it (and, when public, the report's other followers).
        readers = _unit_staff(event) + (_followers(event) if event.is_public else [])
        return "reply", [r for r in dict.fromkeys(readers) if r != event.actor_id], params
    if event.kind == EventKind.COMMENT:
        return "reply", _followers(event), params
    if event.kind == EventKind.MERGED and "into" in event.data:
        return "merged", _followers(event), {**params, "into": event.data["reference"]}
    if event.kind == EventKind.REOPENED:
        return "reopened", _followers(event) + _unit_staff(event), params
    if event.kind == EventKind.ROUTED and report.visibility != "held":
        category = report.category
        # Each reader gets the category's name in their own language.
        names = {code: localized(category, "name", code) for code, _ in settings.LANGUAGES}
        return (
            "new_ticket",
            _unit_staff(event),
            {**params, "category_names": names, "message": report.public_description[:80]},
        )
    if event.kind == EventKind.REROUTED and "batch_count" in event.data:
        # A reform moves tickets in batches: the receiving unit hears once per
        # batch, and the resident not at all.
        return (
            "tickets_rerouted",
            _unit_staff(event),
            {**params, "count": event.data["batch_count"]},
        )
    if event.kind == EventKind.TRANSFERRED:
        return "transferred_in", _unit_staff(event), params
    if event.kind == EventKind.ESCALATED:
        # An instant: each reader sees it in their language and the area's time zone.
        due = report.due_at.isoformat()
        return "overdue", _escalation_targets(event), {**params, "due": due}
    if event.kind == EventKind.MODERATED:
        return "moderation", [report.reporter_id], params
    return None


def notify_for_event(event: ReportEvent) -> list[Notification]:
    """Write the notifications (and their pending pushes) that an event causes."""
    plan = _plan(event)
    if plan is None:
        return []
    kind, recipients, params = plan
    params["report_id"] = str(event.report_id)
    muted = {
        p.user_id
        for p in Preferences.objects.filter(user_id__in=recipients)
        if kind in p.muted_kinds
    }
    # Nobody is told of their own change.
    targets = sorted(set(recipients) - muted - {event.actor_id})
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id, kind=kind, report_id=event.report_id, event=event, params=params
            )
            for user_id in targets
        ]
    )
    if notifications:
        _write_pending_deliveries(event)
        from backend.jobs import enqueue_on_commit
        from notifications.delivery import enqueue_deliveries

        enqueue_deliveries([n.id for n in notifications], enqueue_on_commit)
    return notifications


def _write_pending_deliveries(event: ReportEvent) -> None:
    """A pending push for each active device of each user told of this event.

    One INSERT ... SELECT: a status change on a report with 10,000 followers
    writes 15,000 of them, which as model instances cost a third of a second
    more, inside the transaction of the change."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Delivery._meta.db_table}
                (notification_id, device_id, state, attempts, last_error, created_at)
            SELECT n.id, d.id, %s, 0, '', %s
            FROM {Notification._meta.db_table} n
            JOIN {Device._meta.db_table} d ON d.user_id = n.user_id AND d.active = %s
            WHERE n.event_id = %s
            """,  # noqa: S608 - table names from the models, values as parameters
            [DeliveryState.PENDING, timezone.now(), True, event.id],
        )


def on_event_committed(sender: object, event: ReportEvent, **kwargs: object) -> None:
    notify_for_event(event)


def export_for(sender: object, user, **kwargs: object) -> tuple[str, dict]:
    return "notifications", {
        "devices": [
            {
                "platform": d.platform,
                "app_version": d.app_version,
                "registered": d.created_at.isoformat(),
            }
            for d in Device.objects.filter(user=user)
        ],
        "inbox": [
            {
                "kind": n.kind,
                "params": n.params,
                "at": n.created_at.isoformat(),
                "read": bool(n.read_at),
            }
            for n in Notification.objects.filter(user=user).order_by("created_at")
        ],
    }


def erase_for(sender: object, user, **kwargs: object) -> None:
    Device.objects.filter(user=user).delete()
    Notification.objects.filter(user=user).delete()
    Preferences.objects.filter(user=user).delete()
