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


def ticket_scope(user: User) -> tuple[str, int | None]:
    """Which tickets a staff account may read, as a kind and its unit's or
    area's id: "all" (an admin), "unit" (its unit's), "managed" (an area
    manager's: managed within the area, at any depth), "within" (officials and
    moderators: lying within the area), or "none"."""
    if user.role == Role.ADMIN:
        return "all", None
    if user.role in (Role.STAFF, Role.UNIT_LEAD):
        return ("unit", user.unit_id) if user.unit_id else ("none", None)
    if user.role in (Role.AREA_MANAGER, Role.OFFICIAL, Role.MODERATOR):
        if user.scope_area_id is None:
            return "none", None
        return ("managed" if user.role == Role.AREA_MANAGER else "within"), user.scope_area_id
    return "none", None


def tickets_in_scope(kind: str, scope_id: int | None) -> ReportQuerySet:
    """The tickets of a `ticket_scope`. Held reports wait for moderation."""
    tickets = Report.objects.exclude(visibility=Visibility.HELD)
    if kind == "all":
        return tickets
    if kind == "unit" and scope_id is not None:
        return tickets.filter(unit_id=scope_id)
    if kind == "managed" and scope_id is not None:
        return tickets.filter(within(scope_id, field="managing_area"))
    if kind == "within" and scope_id is not None:
        return tickets.filter(within(scope_id))
    return tickets.none()


def staff_tickets(user: User) -> ReportQuerySet:
    """The tickets this staff account may read."""
    return tickets_in_scope(*ticket_scope(user))


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
