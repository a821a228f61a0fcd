"""Which tickets a staff account may see, and which it may change.

Scope is checked on every object: a ticket outside it is "not found" (404),
so ids of other districts' tickets are never confirmed. A ticket belongs to
the unit it is routed to; a district manager has the tickets of the units of
their district (and the district's unrouted ones), so a ticket transferred
away leaves the sender's view.
"""

import uuid

from django.db.models import Q

from backend.accounts.models import TICKET_WORKER_ROLES, Role, User
from backend.areas.models import Area, Level, Unit
from backend.errors import Forbidden, NotFound
from backend.reports.models import Report, ReportQuerySet, Visibility


def managing_district_id(unit: Unit | None, district_id: int) -> int | None:
    """Whose district manager oversees a ticket: its unit's district; with no
    unit, the district it lies in; none for a unit serving the whole province."""
    if unit is None:
        return district_id
    return unit.area_id if unit.area.level == Level.DISTRICT else None


def scope_filter(user: User) -> Q:
    """The reports of the user's scope area (the province, a district, a commune)."""
    area = user.scope_area
    if area is None:
        return Q(pk__in=[])
    if area.level == Level.PROVINCE:
        districts = list(Area.objects.filter(parent=area).values_list("id", flat=True))
        return Q(district_id__in=districts)
    if area.level == Level.DISTRICT:
        return Q(managing_district=area)
    return Q(commune=area)


def staff_tickets(user: User) -> ReportQuerySet:
    """The tickets this staff account may read. Held reports wait for moderation."""
    tickets = Report.objects.exclude(visibility=Visibility.HELD)
    if user.role == Role.ADMIN:
        return tickets
    if user.role in (Role.STAFF, Role.UNIT_LEAD):
        return tickets.filter(unit=user.unit) if user.unit_id else tickets.none()
    if user.role in (Role.DISTRICT_MANAGER, Role.OFFICIAL, Role.MODERATOR):
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
        raise NotFound("No such ticket.")
    if to_change and user.role not in TICKET_WORKER_ROLES:
        raise Forbidden("Your role can read tickets but not change them.", code="read_only_role")
    return report
