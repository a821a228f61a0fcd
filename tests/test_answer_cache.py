"""Answers kept until their reports change: a resident's own reports, a ticket
queue, a report's view. Each change a person makes shows on their next read."""

import pytest
from django.core.cache import cache
from django.db import transaction

from backend import answer_cache
from backend.photos.models import Photo, PhotoState
from backend.reports import freshness
from backend.reports.models import Report, Status
from tests.conftest import ApiClient
from tests.photos import images
from tests.reports.helpers import TRA_CU_TOWN, TRA_VINH_MARKET, report_payload

pytestmark = pytest.mark.django_db

MINE = "/api/v1/me/reports"
QUEUE = "/api/v1/staff/tickets"


def statuses(client: ApiClient, path: str) -> dict[str, str]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return {item["id"]: item["status"] for item in response.json()["items"]}


def test_a_second_read_of_my_reports_needs_no_query(resident, django_assert_num_queries):
    resident.post_json("/api/v1/reports", report_payload())
    first = resident.get(MINE)
    with django_assert_num_queries(0):
        second = resident.get(MINE)
    assert second.content == first.content
    assert second["Cache-Control"] == "private, no-cache"
    assert set(second["Vary"].split(", ")) >= {"Accept-Language", "Authorization"}


def test_a_new_report_and_a_staff_change_show_in_my_reports_at_once(resident, staff):
    first = resident.post_json("/api/v1/reports", report_payload()).json()
    assert statuses(resident, MINE) == {first["id"]: "submitted"}
    second = resident.post_json("/api/v1/reports", report_payload(point=TRA_CU_TOWN)).json()
    assert statuses(resident, MINE) == {first["id"]: "submitted", second["id"]: "submitted"}
    staff["staff842"].post_json(
        f"/api/v1/staff/tickets/{first['id']}/status", {"status": "acknowledged"}
    )
    assert statuses(resident, MINE)[first["id"]] == "acknowledged"


def test_each_resident_has_their_own_answer(resident, other_resident):
    mine = resident.post_json("/api/v1/reports", report_payload()).json()
    assert list(statuses(resident, MINE)) == [mine["id"]]
    assert statuses(other_resident, MINE) == {}


def test_the_queue_is_kept_until_a_ticket_of_the_unit_changes(
    staff, ticket_842, django_assert_num_queries
):
    queue = staff["staff842"]
    assert statuses(queue, QUEUE) == {ticket_842["id"]: "submitted"}
    with django_assert_num_queries(0):
        assert statuses(queue, QUEUE) == {ticket_842["id"]: "submitted"}
    staff["lead842"].post_json(
        f"/api/v1/staff/tickets/{ticket_842['id']}/status", {"status": "acknowledged"}
    )
    assert statuses(queue, QUEUE) == {ticket_842["id"]: "acknowledged"}
    assert queue.get(f"{QUEUE}/counts").json()["by_status"]["acknowledged"] == 1


def test_another_units_change_leaves_the_queue_kept(
    staff, ticket_842, ticket_849, django_assert_num_queries
):
    statuses(staff["staff842"], QUEUE)
    staff["staff849"].post_json(
        f"/api/v1/staff/tickets/{ticket_849['id']}/status", {"status": "acknowledged"}
    )
    with django_assert_num_queries(0):
        assert statuses(staff["staff842"], QUEUE) == {ticket_842["id"]: "submitted"}


def test_a_transferred_ticket_leaves_one_queue_and_joins_the_other_at_once(staff, ticket_842):
    tid = ticket_842["id"]
    assert tid in statuses(staff["staff842"], QUEUE)
    assert tid not in statuses(staff["staff849"], QUEUE)
    assert tid in statuses(staff["manager842"], QUEUE)
    response = staff["staff842"].post_json(
        f"/api/v1/staff/tickets/{tid}/transfer", {"unit": "urban-849", "reason": "Trà Cú"}
    )
    assert response.status_code == 200, response.content
    assert tid not in statuses(staff["staff842"], QUEUE)
    assert tid not in statuses(staff["manager842"], QUEUE)
    assert tid in statuses(staff["staff849"], QUEUE)
    assert tid in statuses(staff["official"], QUEUE)


def test_a_held_report_leaves_the_queue_at_once(staff, ticket_842):
    assert ticket_842["id"] in statuses(staff["manager842"], QUEUE)
    Report.objects.filter(id=ticket_842["id"]).update(visibility="held")
    assert ticket_842["id"] not in statuses(staff["manager842"], QUEUE)


def test_a_reply_shows_in_the_reports_timeline_at_once(staff, ticket_842, anonymous):
    path = f"/api/v1/reports/{ticket_842['id']}"
    before = anonymous.get(path).json()["timeline"]
    staff["staff842"].post_json(
        f"/api/v1/staff/tickets/{ticket_842['id']}/comments",
        {"message": "Đội đã ghi nhận", "public": True},
    )
    after = anonymous.get(path).json()["timeline"]
    assert len(after) == len(before) + 1
    assert after[-1]["message"] == "Đội đã ghi nhận"


def test_a_processed_photo_shows_in_the_reports_view_at_once(
    resident, anonymous, media, run_jobs, django_capture_on_commit_callbacks
):
    report = resident.post_json("/api/v1/reports", report_payload()).json()
    path = f"/api/v1/reports/{report['id']}"
    with django_capture_on_commit_callbacks(execute=True):
        taken_there = images.with_gps(images.fixture(images.NOKIA), *TRA_VINH_MARKET)
        resident.post_photo(f"{path}/photos", taken_there, "a.jpg")
    assert anonymous.get(path).json()["photos"] == []  # pending: not public yet
    run_jobs()
    assert Photo.objects.get(report_id=report["id"]).state == PhotoState.READY
    assert len(anonymous.get(path).json()["photos"]) == 1


def test_a_change_is_told_again_when_it_commits(ticket_842, django_capture_on_commit_callbacks):
    """A read between the change and its commit still sees the old row and may
    keep it under the first new generation; the commit moves it on again."""
    scopes = freshness.report_view(ticket_842["id"])
    before = answer_cache.generations(scopes)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Report.objects.filter(id=ticket_842["id"]).update(status=Status.ACKNOWLEDGED)
        during = answer_cache.generations(scopes)
    after_commit = answer_cache.generations(scopes)
    assert len({before, during, after_commit}) == 3


def test_nothing_is_kept_when_turned_off(resident, settings, django_assert_max_num_queries):
    settings.ANSWER_CACHE_SECONDS = 0
    resident.get(MINE)
    with django_assert_max_num_queries(5) as captured:
        resident.get(MINE)
    assert len(captured) > 0


def test_reads_are_answered_with_the_cache_down(resident, staff, ticket_842, settings):
    queue = staff["staff842"]
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    }
    for _ in range(2):
        assert list(statuses(resident, MINE)) == [ticket_842["id"]]
        assert list(statuses(queue, QUEUE)) == [ticket_842["id"]]


def test_a_lost_generation_never_comes_back_with_an_old_value():
    """Generations are random tokens, not counters: one evicted from the cache
    is replaced by a new one, under which nothing old was kept."""
    scopes = ["reporter:1"]
    seen = {answer_cache.generations(scopes)}
    for _ in range(5):
        cache.delete("generation:reporter:1")
        seen.add(answer_cache.generations(scopes))
    assert len(seen) == 6


def test_a_bad_token_is_refused_not_served_from_the_cache(resident, anonymous):
    resident.post_json("/api/v1/reports", report_payload())
    resident.get(MINE)
    forged = ApiClient("not.a-real.token")
    assert forged.get(MINE).status_code == 401
    assert anonymous.get(MINE).status_code == 401


def test_an_answer_computed_across_a_change_is_never_served():
    """A read takes the tokens, a change bumps them, then the read keeps what it
    computed from the old rows: it is kept, but never served as current."""
    scopes = ["reports", "reporter:1"]
    handle, value = answer_cache.kept("answer:test", scopes)
    assert value is None
    answer_cache.bump(["reporter:1"])
    answer_cache.keep(handle, "computed before the change")
    assert answer_cache.kept("answer:test", scopes)[1] is None
    handle, _ = answer_cache.kept("answer:test", scopes)
    answer_cache.keep(handle, "computed after it")
    assert answer_cache.kept("answer:test", scopes)[1] == "computed after it"


class RolledBack(Exception):
    pass


def test_a_savepoint_rolled_back_does_not_take_another_changes_bump_with_it(
    ticket_842, ticket_849, django_capture_on_commit_callbacks
):
    scopes = freshness.report_view(ticket_842["id"])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():  # the first change: rolled back
                Report.objects.filter(id=ticket_849["id"]).update(status=Status.ACKNOWLEDGED)
                raise RolledBack
        except RolledBack:
            pass
        Report.objects.filter(id=ticket_842["id"]).update(status=Status.ACKNOWLEDGED)
        during = answer_cache.generations(scopes)
    assert answer_cache.generations(scopes) != during
