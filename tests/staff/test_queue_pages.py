"""The staff queue's page is compiled once per shape of filters: every filter,
order, page size and cursor gives the tickets the queue's queryset gives."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.accounts.models import User
from backend.reports.models import Report
from backend.reports.queue import QueueQuery, queue_page, queue_tickets, ticket_page
from backend.reports.staff_api import ticket_rows
from tests.reports.helpers import TRA_CU_TOWN, TRA_VINH_MARKET, offset, report_payload

pytestmark = pytest.mark.django_db

QUERIES = [
    {},
    {"sort": "newest"},
    {"limit": 2},
    {"limit": 2, "sort": "newest"},
    {"status": ["submitted"]},
    {"status": ["submitted", "acknowledged"], "limit": 1},
    {"status": ["submitted", "submitted"], "priority": ["high", "high"]},  # each value once
    {"category": ["pothole"]},
    {"category": ["pothole", "flooding"], "priority": ["high"]},
    {"category": ["no-such-category"]},
    {"priority": ["high", "normal"]},
    {"overdue": True},
    {"overdue": False, "limit": 2},
    {"assignee": "me"},
    {"assignee": "none"},
    {"assignee": "staff842"},
    {"assignee": ""},
    {"area": "842"},
    {"area": "849"},
    {"area": "no-such-area"},
    {"reopened": True},
    {"reopened": False},
    {"created_from": "2000-01-01", "created_to": "2100-01-01"},
    {"created_to": "2000-01-01"},
    {"status": ["submitted"], "category": ["pothole"], "overdue": False, "assignee": "none",
     "area": "842", "reopened": False, "created_from": "2000-01-01", "limit": 1},
]  # fmt: skip


@pytest.fixture
def tickets(resident, staff):
    made = []
    for category, point in [
        ("pothole", TRA_VINH_MARKET),
        ("flooding", offset(TRA_VINH_MARKET, north_m=200)),
        ("pothole", offset(TRA_VINH_MARKET, east_m=400)),
        ("noise", offset(TRA_VINH_MARKET, north_m=-300)),
        ("pothole", TRA_CU_TOWN),
        ("flooding", offset(TRA_CU_TOWN, north_m=300)),
    ]:
        body = resident.post_json(
            "/api/v1/reports", report_payload(category=category, point=point)
        ).json()
        made.append(body["id"])
    for username in ("staff842", "manager842", "staff849", "official", "admin"):
        staff[username]  # signs the account in, creating it
    staff842 = User.objects.get(username="staff842")
    Report.objects.filter(id=made[0]).update(status="acknowledged", assignee=staff842)
    Report.objects.filter(id=made[2]).update(priority="high", reopened_count=1)
    Report.objects.filter(id=made[3]).update(due_at=timezone.now() - timedelta(hours=1))
    return made


def _every_page(page, query: dict) -> list[tuple]:
    found, cursor = [], None
    while True:
        rows, cursor = page(QueueQuery(**query, cursor=cursor))
        found += [tuple(r) for r in rows]
        if not cursor:
            return found


@pytest.mark.parametrize("username", ["staff842", "manager842", "staff849", "official", "admin"])
def test_every_filter_gives_the_querysets_tickets(tickets, username):
    user = User.objects.get(username=username)
    sizes = []
    for query in QUERIES:
        compiled = _every_page(lambda q: ticket_page(user, q, ticket_rows), query)
        expected = _every_page(lambda q: queue_page(ticket_rows(queue_tickets(user, q)), q), query)
        assert compiled == expected, query
        sizes.append(len(compiled))
    # The filters select: some queries find nothing, others part of the scope.
    assert 0 in sizes and len(set(sizes)) >= 2


def test_a_page_is_one_query_of_rows_as_the_queryset_reads_them(tickets):
    user = User.objects.get(username="manager842")
    ticket_page(user, QueueQuery(status=["submitted"]), ticket_rows)  # compiled here
    with CaptureQueriesContext(connection) as captured:
        rows, _ = ticket_page(user, QueueQuery(status=["acknowledged"]), ticket_rows)
    assert len(captured) == 1
    assert [str(r.id) for r in rows] == [tickets[0]]
    report = Report.objects.select_related("assignee").get(id=tickets[0])
    assert rows[0].assignee_name == report.assignee.username == "staff842"
    assert (rows[0].reference, rows[0].due_at, rows[0].created_at) == (
        report.reference,
        report.due_at,
        report.created_at,
    )
    assert rows[0].created_at.tzinfo is not None  # through the compiler's converters
