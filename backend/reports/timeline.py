"""The report timeline: every change is an event appended here.

`record_event` is the one way to write one. It sends `event_recorded` inside the
caller's transaction, so a subscriber (notifications writes its outbox rows,
moderation its queue entries) commits or rolls back together with the event.
"""

from typing import Any

from django.dispatch import Signal
from django.utils import timezone

from backend.accounts.models import User
from backend.reports.models import Report, ReportEvent

# Sent with `event=<ReportEvent>` after the row is inserted.
event_recorded = Signal()


def record_event(
    report: Report,
    kind: str,
    *,
    actor: User | None = None,
    is_public: bool = True,
    message: str = "",
    data: dict[str, Any] | None = None,
) -> ReportEvent:
    event = ReportEvent.objects.create(
        report=report,
        kind=kind,
        actor=actor,
        is_public=is_public,
        message=message,
        data=data or {},
        created_at=timezone.now(),
    )
    event_recorded.send(sender=ReportEvent, event=event)
    return event
