"""The staff queue: which tickets a filter selects, and the counts of its tabs."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Literal

from cachetools import LRUCache
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from pydantic import Field

from backend.accounts.models import User
from backend.areas.hierarchy import area_by_code, within
from backend.catalogue.active import category_ids
from backend.catalogue.models import Priority
from backend.pages import KeysetPages, PageQuery, keyset_page
from backend.reports.access import ticket_scope, tickets_in_scope
from backend.reports.models import Report, ReportQuerySet, Status, overdue
from backend.schema_types import IsoDate
from backend.statements import stand_ins_for


class QueueQuery(PageQuery):
    """The queue's filters, its order and its page, as the API and the console take them."""

    status: list[Status] = Field(default_factory=list, max_length=10)
    category: list[str] = Field(default_factory=list, max_length=20)
    priority: list[Priority] = Field(default_factory=list, max_length=4)
    overdue: bool | None = None
    assignee: str | None = Field(default=None, description='"me", "none" or a username')
    area: str | None = Field(
        default=None, max_length=20, description="An area's code, of any level: its tickets within"
    )
    reopened: bool | None = None
    created_from: IsoDate | None = None
    created_to: IsoDate | None = None
    q: str | None = Field(default=None, max_length=100, description="Text or reference")
    sort: Literal["due", "newest"] = "due"


@dataclass(frozen=True)
class _Filters:
    """A queue query's filters: `shape`, what changes their SQL (which filters
    are set, how many values a list has); `values`, what they compare with;
    `empty` when nothing can match (no unit, an unknown area or categories)."""

    shape: tuple
    values: dict[str, Any]
    empty: bool = False


def _filters(user: User, query: QueueQuery, with_status: bool = True) -> _Filters:
    scope, scope_id = ticket_scope(user)
    assignee = query.assignee or None
    values: dict[str, Any] = {"scope_id": scope_id} if scope_id is not None else {}
    # Each value once: `status=new&status=new` selects what `status=new` does.
    statuses = tuple(dict.fromkeys(query.status)) if with_status else ()
    priorities = tuple(dict.fromkeys(query.priority))
    categories = tuple(category_ids(query.category)) if query.category else ()
    area = area_by_code(query.area) if query.area else None
    zone = timezone.get_current_timezone()
    named = {
        "statuses": statuses,
        "categories": categories,
        "priorities": priorities,
        "now": timezone.now() if query.overdue is not None else None,
        "assignee_id": user.id if assignee == "me" else None,
        "username": assignee if assignee not in (None, "me", "none") else None,
        "area_id": area.id if area else None,
        "created_from": (
            datetime.combine(query.created_from, time(), zone) if query.created_from else None
        ),
        "created_to": (
            datetime.combine(query.created_to + timedelta(days=1), time(), zone)
            if query.created_to
            else None
        ),
        "text": query.q.strip() if query.q else None,
    }
    values |= {name: value for name, value in named.items() if value not in (None, ())}
    shape = (
        scope,
        len(statuses),
        len(categories),
        len(priorities),
        query.overdue,
        assignee if assignee in (None, "me", "none") else "named",
        query.reopened,
        *sorted(
            name for name in ("area_id", "created_from", "created_to", "text") if name in values
        ),
    )
    empty = (
        scope == "none"
        or (bool(query.category) and not categories)
        or (bool(query.area) and area is None)
    )
    return _Filters(shape, values, empty)


def _selected(shape: tuple, **values: Any) -> ReportQuerySet:
    """The queryset of a `_Filters`: the one place the queue's filters become SQL."""
    scope, _statuses, _categories, _priorities, late, assignee, reopened, *_ = shape
    tickets = tickets_in_scope(scope, values.get("scope_id"))
    if "statuses" in values:
        tickets = tickets.filter(status__in=values["statuses"])
    if "categories" in values:
        tickets = tickets.filter(category_id__in=values["categories"])
    if "priorities" in values:
        tickets = tickets.filter(priority__in=values["priorities"])
    if late is not None:
        tickets = (
            tickets.filter(overdue(values["now"]))
            if late
            else tickets.exclude(overdue(values["now"]))
        )
    if assignee == "me":
        tickets = tickets.filter(assignee_id=values["assignee_id"])
    elif assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee == "named":
        tickets = tickets.filter(assignee__username=values["username"])
    if "area_id" in values:
        tickets = tickets.filter(within(values["area_id"]))
    if reopened is not None:
        tickets = (
            tickets.filter(reopened_count__gt=0) if reopened else tickets.filter(reopened_count=0)
        )
    if "created_from" in values:
        tickets = tickets.filter(created_at__gte=values["created_from"])
    if "created_to" in values:
        tickets = tickets.filter(created_at__lt=values["created_to"])
    if "text" in values:
        text = values["text"]
        # A trigram index serves these on PostgreSQL; references are upper case.
        tickets = tickets.filter(
            Q(reference=text.upper()) | Q(description__icontains=text) | Q(address__icontains=text)
        )
    return tickets


def queue_tickets(user: User, query: QueueQuery, with_status: bool = True) -> ReportQuerySet:
    """The tickets of `user`'s scope that the queue's filters select."""
    filters = _filters(user, query, with_status)
    if filters.empty:
        return Report.objects.none()
    return _selected(filters.shape, **filters.values)


# A page of the queue, compiled once for each shape of filters, order and page
# size (`backend.statements`): compiling the filtered query cost a sixth of a
# page's time. Shapes come from requests, so only the most recent are kept.
_PAGES: LRUCache = LRUCache(maxsize=256)
_PAGES_LOCK = threading.Lock()
_ORDERS = {"due": ("due_at", False), "newest": ("created_at", True)}


def ticket_page(
    user: User, query: QueueQuery, rows: Callable[[ReportQuerySet], QuerySet]
) -> tuple[list, str | None]:
    """A page of the tickets the queue's filters select, read as `rows(tickets)`
    reads them (a module's function: it is part of what is compiled), due
    first or newest first, and the cursor of the next one."""
    filters = _filters(user, query)
    if filters.empty:
        return [], None
    if "text" in filters.values:  # planned for its text each time (planned_for_its_text)
        return queue_page(rows(_selected(filters.shape, **filters.values)), query)
    key = (filters.shape, query.sort, query.limit, rows)
    with _PAGES_LOCK:
        pages = _PAGES.get(key)
        if pages is None:
            time_field, descending = _ORDERS[query.sort]
            pages = _PAGES[key] = KeysetPages(
                lambda **values: rows(_selected(filters.shape, **values)),
                time_field,
                descending,
                **stand_ins_for(filters.values),
            )
    return pages.page(query.cursor, query.limit, **filters.values)


@contextmanager
def planned_for_its_text(query: QueueQuery) -> Iterator[None]:
    """Run the queue's queries planned for the very text searched, on PostgreSQL.

    A prepared statement (DB_PREPARED_STATEMENTS) is planned once for any
    parameters; for `LIKE '%text%'` that generic plan cannot know how rare the
    text is, and reads a unit's every ticket instead of the trigram indexes'
    few (25 ms instead of 7 at 45,000 tickets). Inside, each execution is
    planned for its own text; outside, nothing changes."""
    if not query.q or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield


def queue_page(tickets: QuerySet, query: QueueQuery) -> tuple[list, str | None]:
    """A page of the queue's tickets in its order (due first or newest), and
    the cursor of the next one."""
    with planned_for_its_text(query):
        if query.sort == "due":
            return keyset_page(tickets, query.cursor, query.limit, "due_at", descending=False)
        return keyset_page(tickets, query.cursor, query.limit)


def queue_counts(
    user: User, query: QueueQuery, statuses: list[str] | None = None
) -> tuple[dict[str, int], int]:
    """Tickets per status (every status asked for, zeros included; all by default)
    and how many are overdue, under the queue's filters other than status, in
    one scan. Counting only the open statuses reads the open tickets alone, a
    third of a busy unit's."""
    wanted = statuses or [s.value for s in Status]
    late = overdue(timezone.now())
    tickets = queue_tickets(user, query, with_status=False)
    if statuses:
        tickets = tickets.filter(Q(status__in=statuses) | late)
    with planned_for_its_text(query):
        figures = tickets.aggregate(
            late=Count("id", filter=late),
            **{f"n_{status}": Count("id", filter=Q(status=status)) for status in wanted},
        )
    return {status: figures[f"n_{status}"] for status in wanted}, figures["late"]
