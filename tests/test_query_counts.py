"""No N+1: every list costs the same number of queries whatever its length, and
loads no area boundary."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.reports.models import Report, ReportEvent, Visibility
from moderation.models import ReviewCase
from tests.reports.helpers import TRA_VINH_MARKET, offset, report_payload

pytestmark = pytest.mark.django_db

LISTS = [
    ("resident", "/api/v1/reports?lat={lat}&lon={lon}&radius_m=5000&limit=50"),
    ("resident", "/api/v1/me/reports?limit=50"),
    ("resident", "/api/v1/me/notifications?limit=50"),
    ("staff842", "/api/v1/staff/tickets?limit=50"),
    ("moderator", "/api/v1/moderation/queue?limit=50"),
    ("anonymous", "/open311/v2/requests.json?page_size=50"),
]


def add_reports(resident, staff, count: int, start: int) -> None:
    from backend.reports.timeline import dispatch_events

    for n in range(start, start + count):
        point = offset(TRA_VINH_MARKET, north_m=200 * n)
        report_id = resident.post_json("/api/v1/reports", report_payload(point=point)).json()["id"]
        # A notification for the resident's inbox; one report in three held for review.
        staff["staff842"].post_json(
            f"/api/v1/staff/tickets/{report_id}/status", {"status": "acknowledged"}
        )
        dispatch_events(
            list(ReportEvent.objects.filter(report_id=report_id).values_list("id", flat=True))
        )
        if n % 3 == 0:
            Report.objects.filter(id=report_id).update(visibility=Visibility.HELD)
            ReviewCase.objects.create(report_id=report_id, reasons=[], score=1.0)


def queries(client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path.format(lat=TRA_VINH_MARKET[0], lon=TRA_VINH_MARKET[1]))
    assert response.status_code == 200, (path, response.content)
    # Nor do they carry the areas' boundaries (~10 KB a district) they never show.
    assert not [q for q in captured if "geometry_wkb" in q["sql"]], path
    return len(captured), len(response.content)


def test_lists_cost_the_same_number_of_queries_for_3_items_and_for_12(
    resident, anonymous, staff, settings
):
    settings.REPORTS_PER_HOUR = 100
    settings.PUBLIC_CACHE_SECONDS = 0  # the endpoints' own queries, not the cache's answers
    clients = {"resident": resident, "anonymous": anonymous, **{k: staff[k] for k in
               ("staff842", "moderator")}}  # fmt: skip
    add_reports(resident, staff, 3, start=0)
    few = {path: queries(clients[who], path) for who, path in LISTS}
    add_reports(resident, staff, 9, start=3)
    many = {path: queries(clients[who], path) for who, path in LISTS}
    for path in few:
        assert many[path][1] > few[path][1], f"{path} did not list more items"
        assert many[path][0] == few[path][0], f"{path}: {few[path][0]} -> {many[path][0]} queries"


def creation_statements(resident, point) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = resident.post_json("/api/v1/reports", report_payload(point=point))
    assert response.status_code == 201, response.content
    # The first and last statements are the request's own transaction, a
    # savepoint here inside the test's (BEGIN and COMMIT, not counted, in production).
    assert captured[0]["sql"].startswith("SAVEPOINT")
    assert captured[-1]["sql"].startswith("RELEASE SAVEPOINT")
    return [q["sql"] for q in captured[1:-1]]


def test_a_new_report_costs_six_statements_however_many_staff_its_unit_has(resident, settings):
    from backend.accounts.models import Role, User
    from backend.areas.models import Unit

    settings.REPORTS_PER_HOUR = 100
    creation_statements(resident, offset(TRA_VINH_MARKET, north_m=-300))  # memory filled
    few = creation_statements(resident, TRA_VINH_MARKET)
    unit = Unit.objects.get(code="urban-842")
    for n in range(5):
        User.objects.create(username=f"staff-extra-{n}", role=Role.STAFF, unit=unit)
    many = creation_statements(resident, offset(TRA_VINH_MARKET, north_m=300))
    # Sign-in, history, three inserts, the duplicate search: no savepoint
    # around the inserts (a taken id or reference inserts nothing).
    assert len(few) == len(many) == 6, many
    assert not any("SAVEPOINT" in sql for sql in many), many
    read_from = " ".join(sql.split(" FROM ", 1)[-1].split(" ", 1)[0] for sql in many)
    # Reference data comes from memory; who is told is worked out after commit.
    for table in ("catalogue_category", "areas_routingrule", "moderation_blockedterm",
                  "moderation_ban", "notifications_", "photos_photo", "accounts_user"):  # fmt: skip
        assert table not in read_from.replace('"accounts_user"', "", 1), table
    assert sum(sql.startswith("INSERT") for sql in many) == 3  # report, follower, events


def test_the_api_s_queries_are_planned_once_per_connection(resident):
    """Prepared statements (DB_PREPARED_STATEMENTS): after a few reads of a report,
    PostgreSQL holds its query as a statement of this connection, planned once."""
    report_id = resident.post_json("/api/v1/reports", report_payload()).json()["id"]
    for _ in range(3):
        assert resident.get(f"/api/v1/reports/{report_id}").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "reports_report"' in sql and "$1" in sql for sql in prepared), prepared


def test_a_text_search_is_planned_for_the_text_searched_though_prepared(resident, staff):
    """A generic plan of `LIKE '%text%'` cannot know how rare the text is (it read
    a unit's every ticket: 25 ms instead of 7 at 45,000); the queue's search is
    planned for its own text on every run, its page and its tab counts alike."""
    resident.post_json("/api/v1/reports", report_payload(description="Ổ gà đường 12"))
    for _ in range(8):
        for path in ("/api/v1/staff/tickets?q=đường", "/api/v1/staff/tickets/counts?q=đường"):
            assert staff["staff842"].get(path).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE '%%LIKE%%'"
        )
        plans = cursor.fetchall()
    assert len(plans) == 2, plans  # the page's query and the counts'
    assert all(generic == 0 and custom >= 5 for generic, custom in plans), plans


def test_the_queue_filtered_by_category_reads_no_category_table(resident, staff, settings):
    settings.REFERENCE_RECHECK_SECONDS = 3600  # the snapshot, not its periodic check
    resident.post_json("/api/v1/reports", report_payload())
    path = "/api/v1/staff/tickets?category=pothole&category=streetlight"
    assert staff["staff842"].get(path).status_code == 200  # builds the reference data
    with CaptureQueriesContext(connection) as captured:
        response = staff["staff842"].get(path)
    assert [item["category"]["code"] for item in response.json()["items"]] == ["pothole"]
    assert len(captured) == 2  # the staff token and the page
    assert not [q for q in captured if "catalogue_category" in q["sql"]]
