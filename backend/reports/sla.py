"""Deadlines: overdue tickets are escalated, once per level.

Level 1 tells the unit lead at the due time; level 2 the nearest area managers when
still open ESCALATE_TO_MANAGER_AFTER_HOURS later. Each step is claimed with a
conditional update (`escalation_level=n-1` -> n), so two runs at once, or a run
repeated after a crash, escalate each ticket once per level. Tickets waiting
on the resident are not overdue.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.reports.models import IN_QUEUE, EventKind, Report, overdue
from backend.reports.timeline import record_event

LEVEL_NAMES = {1: "unit_lead", 2: "area_manager"}


@dataclass
class EscalationResult:
    to_unit_lead: int = 0
    to_area_manager: int = 0


def escalate_overdue() -> EscalationResult:
    now = timezone.now()
    result = EscalationResult()
    manager_delay = timedelta(hours=settings.ESCALATE_TO_MANAGER_AFTER_HOURS)
    steps = [
        # Held reports are in nobody's queue: nobody is told they are late.
        (1, Report.objects.filter(IN_QUEUE, overdue(now), escalation_level=0)),
        (2, Report.objects.filter(IN_QUEUE, overdue(now, by=manager_delay), escalation_level=1)),
    ]
    for level, candidates in steps:
        for report_id in candidates.values_list("id", flat=True).iterator():
            if _escalate(report_id, level, now):
                if level == 1:
                    result.to_unit_lead += 1
                else:
                    result.to_area_manager += 1
    return result


@transaction.atomic
def _escalate(report_id, level: int, now) -> bool:
    claimed = Report.objects.filter(id=report_id, escalation_level=level - 1).update(
        escalation_level=level
    )
    if claimed != 1:
        return False  # another run got it first
    report = Report.objects.get(id=report_id)
    record_event(
        report,
        EventKind.ESCALATED,
        is_public=False,
        data={"level": level, "to": LEVEL_NAMES[level], "due_at": report.due_at.isoformat()},
    )
    return True
