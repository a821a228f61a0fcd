"""The report timeline: every change is an event appended here.

`record_events` (and `record_event`, for one) is the one way to write events.
Two signals tell the other apps:

- `event_recorded`, inside the caller's transaction, for what must commit or
  roll back together with the event (moderation opens its review case);
- `event_committed`, after commit, from a job (`dispatch_events`), for what
  may follow a moment later (notifications fan out to followers and staff).
  The event row is its own outbox: `dispatched_at` stays empty until the
  subscribers' work has committed, and `sweep_undispatched` queues again what
  a Redis or worker outage left behind, so an event is never lost and never
  told twice.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from backend.accounts.models import User
from backend.jobs import enqueue, enqueue_on_commit
from backend.reports.models import Report, ReportEvent

# Both are sent with `event=<ReportEvent>`.
event_recorded = Signal()
event_committed = Signal()


@dataclass(frozen=True)
class NewEvent:
    kind: str
    actor: User | None = None
    is_public: bool = True
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def record_events(report: Report, new_events: list[NewEvent]) -> list[ReportEvent]:
    """Append events to the timeline in one statement, in the order given."""
    now = timezone.now()
    events = ReportEvent.objects.bulk_create(
        [
            ReportEvent(
                report=report,
                kind=new.kind,
                actor=new.actor,
                is_public=new.is_public,
                message=new.message,
                data=new.data,
                created_at=now,
            )
            for new in new_events
        ]
    )
    for event in events:
        event_recorded.send(sender=ReportEvent, event=event)
    enqueue_on_commit(dispatch_events, [event.id for event in events])
    return events


def record_event(
    report: Report,
    kind: str,
    *,
    actor: User | None = None,
    is_public: bool = True,
    message: str = "",
    data: dict[str, Any] | None = None,
) -> ReportEvent:
    return record_events(report, [NewEvent(kind, actor, is_public, message, data or {})])[0]


def dispatch_events(event_ids: list[int]) -> int:
    """Send `event_committed` for each event not yet dispatched, and mark them,
    in one transaction: a crash midway leaves them all to the retry."""
    with transaction.atomic():
        events = list(
            ReportEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(id__in=event_ids, dispatched_at=None)
            .select_related("report", "report__category")
            .order_by("created_at", "id")
        )
        for event in events:
            event_committed.send(sender=ReportEvent, event=event)
        ReportEvent.objects.filter(id__in=[e.id for e in events]).update(
            dispatched_at=timezone.now()
        )
    return len(events)


def sweep_undispatched() -> int:
    """Queue again the events still undispatched a while after they were written."""
    old_enough = timezone.now() - timedelta(seconds=settings.EVENT_SWEEP_AFTER_SECONDS)
    ids = list(
        ReportEvent.objects.filter(dispatched_at=None, created_at__lt=old_enough)
        .order_by("created_at")
        .values_list("id", flat=True)[:10_000]
    )
    for start in range(0, len(ids), 500):
        enqueue(dispatch_events, ids[start : start + 500])
    return len(ids)
