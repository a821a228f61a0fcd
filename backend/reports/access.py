"""Which tickets a staff account may see, and which it may change.

Scope is checked on every object: a ticket outside it is "not found" (404),
so ids of other areas' tickets are never confirmed. A ticket belongs to the
unit it is routed to; an area manager has the tickets managed within their
area, at any depth (a ward's, a district's, a province's units), so a ticket
transferred away leaves the sender's view. Officials and moderators read the
reports that lie within their area.
"""

import uuid

from django.db.models import Q
from django.utils.translation import gettext as _

from backend.accounts.models import TICKET_WORKER_ROLES, Role, User
from backend.areas.hierarchy import within
from backend.areas.models import Unit
from backend.errors import Forbidden, NotFound
from backend.reports.models import Report, ReportQuerySet, Visibility


def managing_area_id(unit: Unit | None, area_id: int) -> int:
    """Whose area managers oversee a ticket: its unit's area, whatever its level;
    with no unit, the area it lies in."""
    return area_id if unit is None else unit.area_id


def scope_filter(user: User) -> Q:
    """The reports that lie within the user's scope area, at any depth."""
    if user.scope_area_id is None:
        return Q(pk__in=[])
    return within(user.scope_area_id)


def managed_filter(user: User) -> Q:
    """The tickets an area manager oversees: managed within their area."""
    if user.scope_area_id is None:
        return Q(pk__in=[])
    return within(user.scope_area_id, field="managing_area")


def staff_tickets(user: User) -> ReportQuerySet:
    """The tickets this staff account may read. Held reports wait for moderation."""
    tickets = Report.objects.exclude(visibility=Visibility.HELD)
    if user.role == Role.ADMIN:
        return tickets
    if user.role in (Role.STAFF, Role.UNIT_LEAD):
        return tickets.filter(unit_id=user.unit_id) if user.unit_id else tickets.none()
    if user.role == Role.AREA_MANAGER:
        return tickets.filter(managed_filter(user))
    if user.role in (Role.OFFICIAL, Role.MODERATOR):
        return tickets.filter(scope_filter(user))
    return tickets.none()


def ticket_for(
    user: User, report_id: uuid.UUID, *, to_change: bool = False, lock: bool = False
) -> Report:
    """One ticket in the user's scope; `to_change` also checks the role may change
    it, `lock` takes its row lock (inside the caller's transaction)."""
    tickets = staff_tickets(user)
    if lock:
        tickets = tickets.select_for_update(of=("self",))
    report = tickets.filter(id=report_id).select_related("category", "unit").first()
    if report is None:
        raise NotFound(_("No such ticket."))
    if to_change and user.role not in TICKET_WORKER_ROLES:
        raise Forbidden(_("Your role can read tickets but not change them."), code="read_only_role")
    return report
