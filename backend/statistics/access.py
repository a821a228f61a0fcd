"""Who may see statistics, and of which reports."""

from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from backend.accounts.models import Role, User
from backend.errors import Forbidden
from backend.reports.access import scope_filter
from backend.reports.models import Report

STATS_ROLES = frozenset({Role.OFFICIAL, Role.AREA_MANAGER, Role.ADMIN})


def may_see_statistics(user: User | AnonymousUser) -> bool:
    return isinstance(user, User) and user.role in STATS_ROLES


def reports_for_statistics(
    user: User, start: datetime, end: datetime, category_codes: list[str]
) -> QuerySet[Report]:
    """The reports of the period whose figures this user may see: an official's
    area, an area manager's, everything for an admin: the reports that lie
    within it, at any depth and across reforms."""
    if not may_see_statistics(user):
        raise Forbidden(_("Statistics are for officials and area managers."), code="not_allowed")
    reports = Report.objects.filter(created_at__gte=start, created_at__lt=end)
    if user.role != Role.ADMIN:
        reports = reports.filter(scope_filter(user))
    if category_codes:
        reports = reports.filter(category__code__in=category_codes)
    return reports
