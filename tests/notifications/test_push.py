from datetime import timedelta

import pytest
from django.utils import timezone

from backend.reports.models import ReportEvent
from backend.reports.timeline import dispatch_events, sweep_undispatched
from notifications.delivery import (
    _claimable_rows,
    _take,
    deliver_notifications,
    sweep_undelivered,
)
from notifications.models import Delivery, DeliveryState, Device, Notification
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

TOKEN_AN = "fcm-token-an-" + "a" * 40
TOKEN_BINH = "fcm-token-binh-" + "b" * 40
TOKEN_STAFF = "fcm-token-staff-" + "c" * 40


def dispatch_recorded_events() -> None:
    """What the timeline's dispatch job does after a change commits: the
    notifications written, their pushes queued (or not, unless the test runs
    the on-commit callbacks)."""
    dispatch_events(
        list(ReportEvent.objects.filter(dispatched_at=None).values_list("id", flat=True))
    )


def register(client: ApiClient, token: str, locale: str = "vi", platform: str = "android"):
    response = client.post_json(
        "/api/v1/devices",
        {"token": token, "platform": platform, "app_version": "1.4.0", "locale": locale},
    )
    assert response.status_code in (200, 201), response.content
    return response


@pytest.fixture
def followed_ticket(resident, other_resident, staff, ticket_842):
    """A ticket reported by An (Vietnamese phone) and supported by Bình (Khmer phone)."""
    dispatch_recorded_events()  # the staff were told of the new ticket before any phone
    register(resident, TOKEN_AN, "vi")
    register(other_resident, TOKEN_BINH, "km-KH")
    other_resident.post(f"/api/v1/reports/{ticket_842['id']}/support")
    register(staff["staff842"], TOKEN_STAFF, "vi")
    return ticket_842


def change_status(staff, ticket, status, message, capture):
    with capture(execute=True):
        response = staff["staff842"].post_json(
            f"/api/v1/staff/tickets/{ticket['id']}/status", {"status": status, "message": message}
        )
    assert response.status_code == 200, response.content


def test_a_status_change_is_pushed_to_reporter_and_supporters_in_their_language(
    fcm, followed_ticket, staff, run_jobs, django_capture_on_commit_callbacks
):
    change_status(
        staff, followed_ticket, "acknowledged", "Đã tiếp nhận", django_capture_on_commit_callbacks
    )
    run_jobs()
    ref = followed_ticket["reference"]
    [to_an] = fcm.to(TOKEN_AN)
    [to_binh] = fcm.to(TOKEN_BINH)
    assert to_an.path == "/v1/projects/civic-feedback-dev/messages:send"
    assert to_an.authorization == "Bearer local-test-access-token"
    assert to_an.message["notification"]["title"] == f"Phản ánh {ref} đã tiếp nhận"
    assert to_an.message["notification"]["body"] == "Đã tiếp nhận"
    assert to_binh.message["notification"]["title"] == f"របាយការណ៍ {ref} បានទទួល"
    data = to_an.message["data"]
    assert data["report_id"] == followed_ticket["id"]
    assert data["kind"] == "status_changed"
    assert data["reference"] == ref
    assert all(isinstance(v, str) for v in data.values())
    # Nobody is told of their own change.
    assert fcm.to(TOKEN_STAFF) == []
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 2


def test_a_large_fan_out_is_queued_as_several_jobs_that_workers_share(
    fcm, followed_ticket, staff, run_jobs, settings, django_capture_on_commit_callbacks
):
    from backend.jobs import queue

    settings.NOTIFICATIONS_PER_JOB = 1  # two followers: two jobs
    change_status(staff, followed_ticket, "acknowledged", "", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_recorded_events()
    jobs = queue("notifications").get_jobs()
    assert [len(job.args[0]) for job in jobs] == [1, 1]
    assert len({job.args[0][0] for job in jobs}) == 2  # each notification in one job
    run_jobs()
    assert {r.message["token"] for r in fcm.received} == {TOKEN_AN, TOKEN_BINH}


def test_the_inbox_has_everything_in_the_readers_language(
    fcm, followed_ticket, staff, resident, run_jobs, django_capture_on_commit_callbacks
):
    change_status(staff, followed_ticket, "acknowledged", "", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        staff["staff842"].post_json(
            f"/api/v1/staff/tickets/{followed_ticket['id']}/comments",
            {"message": "Đội sẽ đến vào thứ Hai", "public": True},
        )
    run_jobs()
    body = resident.get("/api/v1/me/notifications", HTTP_ACCEPT_LANGUAGE="en").json()
    assert [n["kind"] for n in body["items"]] == ["reply", "status_changed"]
    assert body["items"][1]["title"] == f"Report {followed_ticket['reference']} acknowledged"
    assert body["unread"] == 2
    first = body["items"][0]["id"]
    assert resident.post(f"/api/v1/me/notifications/{first}/read").json() == {"unread": 1}
    assert resident.post("/api/v1/me/notifications/read-all").json() == {"unread": 0}
    assert resident.get("/api/v1/me/notifications/unread-count").json() == {"unread": 0}


def test_internal_notes_and_own_changes_notify_nobody(
    followed_ticket, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff["staff842"].post_json(
            f"/api/v1/staff/tickets/{followed_ticket['id']}/comments",
            {"message": "x", "public": False},
        )
    assert not Notification.objects.filter(kind__in=["reply", "status_changed"]).exists()


def test_a_dead_token_deactivates_the_device(
    fcm, followed_ticket, staff, run_jobs, django_capture_on_commit_callbacks
):
    fcm.outcomes[TOKEN_AN] = ["unregistered"]
    fcm.outcomes[TOKEN_BINH] = ["invalid"]
    change_status(staff, followed_ticket, "acknowledged", "", django_capture_on_commit_callbacks)
    run_jobs()
    assert not Device.objects.get(token=TOKEN_AN).active
    assert Device.objects.get(token=TOKEN_AN).deactivated_reason == "UnregisteredError"
    assert not Device.objects.get(token=TOKEN_BINH).active
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.FAILED}
    # The next change is not pushed to the dead devices; the inbox still has it.
    change_status(staff, followed_ticket, "in_progress", "", django_capture_on_commit_callbacks)
    run_jobs()
    assert len(fcm.received) == 2
    assert Notification.objects.filter(kind="status_changed").count() == 4


def test_quota_errors_are_retried_and_each_device_gets_it_once(
    fcm, followed_ticket, staff, run_jobs, django_capture_on_commit_callbacks
):
    from rq.registry import ScheduledJobRegistry

    from backend.jobs import queue

    fcm.outcomes[TOKEN_AN] = ["quota"]
    change_status(staff, followed_ticket, "acknowledged", "", django_capture_on_commit_callbacks)
    run_jobs()
    assert Delivery.objects.get(device__token=TOKEN_AN).state == DeliveryState.PENDING
    assert Delivery.objects.get(device__token=TOKEN_BINH).state == DeliveryState.SENT
    registry = ScheduledJobRegistry(queue=queue("notifications"))
    [job_id] = registry.get_job_ids()  # rq retries it later, with backoff
    registry.remove(job_id)
    queue("notifications").enqueue_job(queue("notifications").fetch_job(job_id))
    run_jobs()
    assert Delivery.objects.get(device__token=TOKEN_AN).state == DeliveryState.SENT
    assert len(fcm.to(TOKEN_AN)) == 2  # the refused try and the retry
    assert len(fcm.to(TOKEN_BINH)) == 1  # not sent again


def test_a_server_error_is_retried_by_the_sdk(
    fcm, followed_ticket, staff, run_jobs, django_capture_on_commit_callbacks
):
    fcm.outcomes[TOKEN_AN] = ["internal"]
    change_status(staff, followed_ticket, "acknowledged", "", django_capture_on_commit_callbacks)
    run_jobs()
    assert len(fcm.to(TOKEN_AN)) == 2
    assert Delivery.objects.get(device__token=TOKEN_AN).state == DeliveryState.SENT


def acknowledge_without_delivering(staff, ticket, capture) -> list[int]:
    """The ticket acknowledged, its delivery jobs not run: the notifications' ids."""
    with capture(execute=False):
        staff["staff842"].post_json(
            f"/api/v1/staff/tickets/{ticket['id']}/status", {"status": "acknowledged"}
        )
    dispatch_recorded_events()
    return list(Notification.objects.values_list("id", flat=True))


def test_after_the_last_retry_the_push_is_failed_but_stays_in_the_inbox(
    fcm, followed_ticket, staff, resident, django_capture_on_commit_callbacks
):
    from notifications.delivery import MAX_ATTEMPTS, DeliveryRetry

    fcm.outcomes[TOKEN_AN] = ["quota"] * MAX_ATTEMPTS
    ids = acknowledge_without_delivering(staff, followed_ticket, django_capture_on_commit_callbacks)
    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(DeliveryRetry):
            deliver_notifications(ids)
    deliver_notifications(ids)
    delivery = Delivery.objects.get(device__token=TOKEN_AN)
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert "QuotaExceeded" in delivery.last_error
    assert resident.get("/api/v1/me/notifications").json()["items"][0]["kind"] == "status_changed"


def test_delivering_twice_sends_once(
    fcm, followed_ticket, staff, django_capture_on_commit_callbacks
):
    ids = acknowledge_without_delivering(staff, followed_ticket, django_capture_on_commit_callbacks)
    deliver_notifications(ids)
    deliver_notifications(ids)
    assert len(fcm.to(TOKEN_AN)) == 1
    assert len(fcm.to(TOKEN_BINH)) == 1


def test_a_delivery_another_job_claimed_after_it_was_read_is_not_taken(
    followed_ticket, staff, django_capture_on_commit_callbacks
):
    ids = acknowledge_without_delivering(staff, followed_ticket, django_capture_on_commit_callbacks)
    read_by_this_job = _claimable_rows(ids)
    assert len(read_by_this_job) == 2
    # Meanwhile the sweep's job claims the first one (and sends it).
    assert _take(_claimable_rows(ids)[:1]) == read_by_this_job[:1]
    assert _take(read_by_this_job) == read_by_this_job[1:]
    # And a job that read them all after both claims finds nothing to take.
    assert _claimable_rows(ids) == []
    assert _take(read_by_this_job) == []


def test_nothing_is_lost_when_redis_is_down_when_a_change_commits(
    fcm,
    followed_ticket,
    staff,
    run_jobs,
    redis_down,
    time_machine,
    django_capture_on_commit_callbacks,
):
    with redis_down(), django_capture_on_commit_callbacks(execute=True):
        response = staff["staff842"].post_json(
            f"/api/v1/staff/tickets/{followed_ticket['id']}/status", {"status": "acknowledged"}
        )
    assert response.status_code == 200
    run_jobs()
    assert fcm.received == []  # nothing was queued
    assert sweep_undispatched() == 0  # too recent: the job may still be on its way
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    waiting = ReportEvent.objects.filter(dispatched_at=None).count()
    assert waiting >= 1
    assert sweep_undispatched() == waiting
    run_jobs()
    assert {r.message["token"] for r in fcm.received} == {TOKEN_AN, TOKEN_BINH}
    assert sweep_undispatched() == 0  # told once


def test_nothing_is_lost_when_redis_is_down_when_the_pushes_are_queued(
    fcm,
    followed_ticket,
    staff,
    run_jobs,
    redis_down,
    time_machine,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        staff["staff842"].post_json(
            f"/api/v1/staff/tickets/{followed_ticket['id']}/status", {"status": "acknowledged"}
        )
    with redis_down(), django_capture_on_commit_callbacks(execute=True):
        dispatch_recorded_events()
    assert Delivery.objects.filter(state=DeliveryState.PENDING).count() == 2
    run_jobs()
    assert fcm.received == []  # nothing was queued
    assert sweep_undelivered() == 0  # too recent: the job may still be on its way
    time_machine.move_to(timezone.now() + timedelta(minutes=3))
    assert sweep_undelivered() == 2
    run_jobs()
    assert {r.message["token"] for r in fcm.received} == {TOKEN_AN, TOKEN_BINH}
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 2


def test_muted_kinds_are_not_sent(
    fcm, followed_ticket, staff, resident, run_jobs, django_capture_on_commit_callbacks
):
    response = resident.put(
        "/api/v1/me/notification-preferences",
        {"muted_kinds": ["status_changed"]},
        content_type="application/json",
    )
    assert response.json() == {"muted_kinds": ["status_changed"]}
    change_status(staff, followed_ticket, "acknowledged", "", django_capture_on_commit_callbacks)
    run_jobs()
    assert fcm.to(TOKEN_AN) == []
    assert len(fcm.to(TOKEN_BINH)) == 1
    bad = resident.put(
        "/api/v1/me/notification-preferences",
        {"muted_kinds": ["spam"]},
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_staff_hear_of_new_transferred_and_overdue_tickets(
    fcm, staff, resident, run_jobs, time_machine, django_capture_on_commit_callbacks
):
    from backend.reports.models import Report
    from backend.reports.sla import escalate_overdue
    from tests.reports.helpers import report_payload

    register(staff["staff842"], TOKEN_STAFF)
    lead_token = "fcm-token-lead-" + "d" * 40
    register(staff["lead842"], lead_token)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = resident.post_json("/api/v1/reports", report_payload()).json()
    run_jobs()
    assert fcm.to(TOKEN_STAFF)[0].message["data"]["kind"] == "new_ticket"
    staff849_token = "fcm-token-849-" + "e" * 40
    register(staff["staff849"], staff849_token)
    with django_capture_on_commit_callbacks(execute=True):
        staff["staff842"].post_json(
            f"/api/v1/staff/tickets/{ticket['id']}/transfer",
            {"unit": "urban-849", "reason": "Sai địa bàn"},
        )
    run_jobs()
    assert fcm.to(staff849_token)[0].message["data"]["kind"] == "transferred_in"
    # Back to 842, then overdue: the unit lead hears.
    with django_capture_on_commit_callbacks(execute=True):
        staff["staff849"].post_json(
            f"/api/v1/staff/tickets/{ticket['id']}/transfer",
            {"unit": "urban-842", "reason": "Trả lại"},
        )
    time_machine.move_to(Report.objects.get(id=ticket["id"]).due_at + timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        escalate_overdue()
    run_jobs()
    assert [r.message["data"]["kind"] for r in fcm.to(lead_token)][-1] == "overdue"


def test_same_token_moves_to_the_new_user_and_delete_unregisters(resident, other_resident):
    register(resident, TOKEN_AN)
    again = register(other_resident, TOKEN_AN)
    assert again.status_code == 200
    assert Device.objects.get(token=TOKEN_AN).user.firebase_uid == "resident-binh"
    assert resident.delete(f"/api/v1/devices/{TOKEN_AN}").status_code == 404
    assert other_resident.delete(f"/api/v1/devices/{TOKEN_AN}").status_code == 204
    assert not Device.objects.exists()


def test_console_sender_is_the_embedded_default(
    followed_ticket, staff, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_SENDER = "console"
    ids = acknowledge_without_delivering(staff, followed_ticket, django_capture_on_commit_callbacks)
    deliver_notifications(ids)
    assert Delivery.objects.filter(state=DeliveryState.SENT).count() == 2
