"""How the domain asks moderation about a new report or a resident's comment,
without importing it.

The function named by settings.REPORT_SCREENING_HOOK takes the unsaved report
and its reporter's history (read once for the whole creation) and returns a
ScreeningDecision, as Django's pluggable backends do; the one named by
COMMENT_SCREENING_HOOK takes a comment's author and text and returns a
CommentDecision (or refuses a banned author).
"""

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from backend.accounts.models import User
from backend.reports.history import ReporterHistory
from backend.reports.models import Report, Visibility


@dataclass(frozen=True)
class ScreeningDecision:
    visibility: str = Visibility.PUBLIC
    reasons: list[dict[str, Any]] = field(default_factory=list)
    # The description and the address as the public may see them; None means unchanged.
    public_description: str | None = None
    public_address: str | None = None


@dataclass(frozen=True)
class CommentDecision:
    publish: bool
    # The text as the public may read it (personal data redacted).
    public_text: str
    reasons: list[dict[str, Any]] = field(default_factory=list)


class Screener(Protocol):
    def __call__(self, report: Report, history: ReporterHistory) -> ScreeningDecision: ...


@cache
def _hook(path: str) -> Any:
    return import_string(path)


def screen_new_report(report: Report, history: ReporterHistory) -> ScreeningDecision:
    screener: Screener = _hook(settings.REPORT_SCREENING_HOOK)
    return screener(report, history)


def screen_comment(author: User, text: str) -> CommentDecision:
    return _hook(settings.COMMENT_SCREENING_HOOK)(author, text)
