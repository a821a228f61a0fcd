"""How the domain asks moderation about a new report, without importing it.

The function named by settings.REPORT_SCREENING_HOOK takes the unsaved report
and its reporter's history (read once for the whole creation) and returns a
ScreeningDecision, as Django's pluggable backends do.
"""

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from backend.reports.history import ReporterHistory
from backend.reports.models import Report, Visibility


@dataclass(frozen=True)
class ScreeningDecision:
    visibility: str = Visibility.PUBLIC
    reasons: list[dict[str, Any]] = field(default_factory=list)
    # The description as the public may see it; None means unchanged.
    public_description: str | None = None


class Screener(Protocol):
    def __call__(self, report: Report, history: ReporterHistory) -> ScreeningDecision: ...


@cache
def _screener(path: str) -> Screener:
    return import_string(path)


def screen_new_report(report: Report, history: ReporterHistory) -> ScreeningDecision:
    return _screener(settings.REPORT_SCREENING_HOOK)(report, history)
