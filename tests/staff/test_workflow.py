import itertools
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from backend.accounts.models import User
from backend.reports.models import EventKind, Follower, Report, ReportEvent, Status
from backend.reports.sla import escalate_overdue
from backend.reports.workflow import STAFF_TRANSITIONS
from tests.conftest import ApiClient
from tests.reports.helpers import report_payload, resolve

pytestmark = pytest.mark.django_db

ALL = [s.value for s in Status]


@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("target", ALL)
def test_every_transition_is_allowed_or_refused(staff, ticket_842, start, target):
    Report.objects.filter(id=ticket_842["id"]).update(status=start)
    response = staff["staff842"].post_json(
        f"/api/v1/staff/tickets/{ticket_842['id']}/status",
        {"status": target, "message": "Đã xử lý"},
    )
    if target in STAFF_TRANSITIONS[start]:
        assert response.status_code == 200, response.content
        assert Report.objects.get(id=ticket_842["id"]).status == target
        event = ReportEvent.objects.get(report_id=ticket_842["id"], kind=EventKind.STATUS_CHANGED)
        assert event.data == {"from": start, "to": target}
    else:
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "invalid_transition"
        assert error["details"]["allowed"] == sorted(STAFF_TRANSITIONS[start])
        assert Report.objects.get(id=ticket_842["id"]).status == start


@pytest.mark.parametrize("target", ["resolved", "rejected"])
def test_resolving_or_rejecting_needs_a_message(staff, ticket_842, target):
    Report.objects.filter(id=ticket_842["id"]).update(status=Status.IN_PROGRESS)
    response = staff["staff842"].post_json(
        f"/api/v1/staff/tickets/{ticket_842['id']}/status", {"status": target, "message": "  "}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "message_required"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_changes_are_both_applied_or_refused_never_lost(tra_vinh, tokens):
    from tests.conftest import make_staff
    from tests.reports.helpers import report_payload

    resident = ApiClient(tokens.token("resident-race2"))
    ticket = resident.post_json("/api/v1/reports", report_payload()).json()
    clients = []
    for name in ("a842", "b842"):
        make_staff(name, "staff", "urban-842", "842")
        token = (
            ApiClient()
            .post_json("/api/v1/staff/login", {"username": name, "password": "staff-password"})
            .json()["token"]
        )
        clients.append(ApiClient(token))
    barrier = threading.Barrier(2)
    results = {}

    def act(client, status):
        barrier.wait()
        try:
            results[status] = client.post_json(
                f"/api/v1/staff/tickets/{ticket['id']}/status", {"status": status}
            ).status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(clients[0], "acknowledged")),
        threading.Thread(target=act, args=(clients[1], "in_progress")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    events = list(
        ReportEvent.objects.filter(report_id=ticket["id"], kind=EventKind.STATUS_CHANGED).order_by(
            "id"
        )
    )
    assert len(events) == list(results.values()).count(200)
    assert len(events) >= 1
    # The events chain: each starts where the one before ended.
    assert events[0].data["from"] == "submitted"
    for before, after in itertools.pairwise(events):
        assert after.data["from"] == before.data["to"]
    assert Report.objects.get(id=ticket["id"]).status == events[-1].data["to"]


def test_assign_to_a_member_of_the_unit_only(staff, ticket_842):
    tid = ticket_842["id"]
    staff["staff842"], staff["staff849"]
    member = User.objects.get(username="staff842")
    stranger = User.objects.get(username="staff849")
    ok = staff["lead842"].post_json(
        f"/api/v1/staff/tickets/{tid}/assign", {"assignee_id": member.id}
    )
    assert ok.status_code == 200 and ok.json()["assignee"] == "staff842"
    mine = staff["staff842"].get("/api/v1/staff/tickets?assignee=me").json()["items"]
    assert [t["id"] for t in mine] == [tid]
    bad = staff["lead842"].post_json(
        f"/api/v1/staff/tickets/{tid}/assign", {"assignee_id": stranger.id}
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_assignee"


def test_transfer_moves_the_ticket_to_the_other_district(staff, ticket_842):
    tid = ticket_842["id"]
    response = staff["staff842"].post_json(
        f"/api/v1/staff/tickets/{tid}/transfer",
        {"unit": "urban-849", "reason": "Thuộc địa bàn Trà Cú"},
    )
    assert response.status_code == 200
    assert staff["staff842"].get(f"/api/v1/staff/tickets/{tid}").status_code == 404
    assert staff["manager842"].get(f"/api/v1/staff/tickets/{tid}").status_code == 404
    received = staff["staff849"].get(f"/api/v1/staff/tickets/{tid}").json()
    transfer = next(e for e in received["timeline"] if e["kind"] == "transferred")
    assert transfer["message"] == "Thuộc địa bàn Trà Cú"
    assert transfer["data"] == {"from": "urban-842", "to": "urban-849"}


def test_merge_carries_followers_and_supporters(staff, resident, other_resident, tokens):
    from tests.reports.helpers import TRA_VINH_MARKET, offset, report_payload

    original = resident.post_json("/api/v1/reports", report_payload()).json()
    duplicate = other_resident.post_json(
        "/api/v1/reports", report_payload(point=offset(TRA_VINH_MARKET, north_m=20))
    ).json()
    ApiClient(tokens.token("resident-chau")).post(f"/api/v1/reports/{duplicate['id']}/support")
    response = staff["staff842"].post_json(
        f"/api/v1/staff/tickets/{duplicate['id']}/merge", {"into": original["id"]}
    )
    assert response.status_code == 200, response.content
    assert Report.objects.get(id=duplicate["id"]).status == Status.DUPLICATE
    assert str(Report.objects.get(id=duplicate["id"]).merged_into_id) == original["id"]
    assert Report.objects.get(id=original["id"]).support_count == 2
    followers = set(
        Follower.objects.filter(report_id=original["id"]).values_list(
            "user__firebase_uid", flat=True
        )
    )
    assert followers == {"resident-an", "resident-binh", "resident-chau"}


def test_public_reply_reaches_the_resident_and_a_note_does_not(staff, ticket_842, resident):
    tid = ticket_842["id"]
    staff["staff842"].post_json(
        f"/api/v1/staff/tickets/{tid}/comments", {"message": "Sẽ xử lý trong tuần", "public": True}
    )
    staff["staff842"].post_json(
        f"/api/v1/staff/tickets/{tid}/comments", {"message": "Gọi đội 2", "public": False}
    )
    seen = [e["message"] for e in resident.get(f"/api/v1/reports/{tid}").json()["timeline"]]
    assert "Sẽ xử lý trong tuần" in seen
    assert "Gọi đội 2" not in seen
    internal = [
        e["message"]
        for e in staff["staff842"].get(f"/api/v1/staff/tickets/{tid}").json()["timeline"]
    ]
    assert "Gọi đội 2" in internal


def test_resident_rates_and_reopens_within_the_window(staff, ticket_842, resident, time_machine):
    tid = ticket_842["id"]
    client = staff["staff842"]
    resolve(client, tid)
    rated = resident.post_json(
        f"/api/v1/reports/{tid}/rating", {"rating": 2, "comment": "Vá chưa kỹ"}
    )
    assert rated.status_code == 200
    assert Report.objects.get(id=tid).rating == 2
    reopened = resident.post_json(f"/api/v1/reports/{tid}/reopen", {"reason": "Ổ gà lại xuất hiện"})
    assert reopened.status_code == 200, reopened.content
    report = Report.objects.get(id=tid)
    assert (report.status, report.reopened_count) == (Status.ACKNOWLEDGED, 1)
    flagged = client.get("/api/v1/staff/tickets?reopened=true").json()["items"]
    assert [t["id"] for t in flagged] == [tid]


def test_reopening_after_the_window_is_refused(staff, ticket_842, resident):
    tid = ticket_842["id"]
    Report.objects.filter(id=tid).update(
        status=Status.RESOLVED, resolved_at=timezone.now() - timedelta(days=8)
    )
    response = resident.post_json(f"/api/v1/reports/{tid}/reopen", {"reason": "x"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "reopen_window_closed"


def test_only_the_reporter_rates(ticket_842, other_resident):
    Report.objects.filter(id=ticket_842["id"]).update(status=Status.RESOLVED)
    assert (
        other_resident.post_json(
            f"/api/v1/reports/{ticket_842['id']}/rating", {"rating": 5}
        ).status_code
        == 404
    )


def test_waiting_on_the_resident_pauses_the_deadline(staff, ticket_842, time_machine):
    tid = ticket_842["id"]
    time_machine.move_to(timezone.now(), tick=False)
    due = Report.objects.get(id=tid).due_at
    client = staff["staff842"]
    client.post_json(f"/api/v1/staff/tickets/{tid}/status", {"status": "acknowledged"})
    client.post_json(f"/api/v1/staff/tickets/{tid}/status", {"status": "waiting"})
    time_machine.move_to(timezone.now() + timedelta(hours=10), tick=False)
    client.post_json(f"/api/v1/staff/tickets/{tid}/status", {"status": "in_progress"})
    assert Report.objects.get(id=tid).due_at == due + timedelta(hours=10)


def test_overdue_tickets_escalate_once_per_level(ticket_842, ticket_849, time_machine):
    Report.objects.filter(id=ticket_849["id"]).update(status=Status.WAITING_FOR_RESIDENT)
    due = Report.objects.get(id=ticket_842["id"]).due_at
    time_machine.move_to(due + timedelta(minutes=1), tick=False)
    assert escalate_overdue().to_unit_lead == 1
    assert escalate_overdue().to_unit_lead == 0
    time_machine.move_to(due + timedelta(hours=25), tick=False)
    assert escalate_overdue().to_area_manager == 1
    assert escalate_overdue().to_area_manager == 0
    events = ReportEvent.objects.filter(kind=EventKind.ESCALATED).order_by("id")
    assert [(str(e.report_id), e.data["to"]) for e in events] == [
        (ticket_842["id"], "unit_lead"),
        (ticket_842["id"], "area_manager"),
    ]
    assert all(not e.is_public for e in events)


def test_queue_filters_sorts_pages_and_counts(staff, resident, time_machine, settings):
    settings.STAFF_TOKEN_HOURS = 72  # the test moves 30 hours on
    from tests.reports.helpers import report_payload

    made = [
        resident.post_json("/api/v1/reports", report_payload(category=c)).json()
        for c in ("flooding", "pothole", "noise", "pothole")
    ]
    client = staff["manager842"]
    client.post_json(f"/api/v1/staff/tickets/{made[1]['id']}/status", {"status": "acknowledged"})
    due_order = [t["id"] for t in client.get("/api/v1/staff/tickets?sort=due").json()["items"]]
    expected = [r.id for r in Report.objects.order_by("due_at", "id")]
    assert due_order == [str(i) for i in expected]
    pages, cursor = [], None
    while True:
        body = client.get(
            "/api/v1/staff/tickets?sort=due&limit=3" + (f"&cursor={cursor}" if cursor else "")
        ).json()
        pages += [t["id"] for t in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert pages == due_order
    potholes = client.get("/api/v1/staff/tickets?category=pothole").json()["items"]
    assert {t["id"] for t in potholes} == {made[1]["id"], made[3]["id"]}
    by_ref = client.get(f"/api/v1/staff/tickets?q={made[2]['reference']}").json()["items"]
    assert [t["id"] for t in by_ref] == [made[2]["id"]]
    counts = client.get("/api/v1/staff/tickets/counts").json()
    assert counts["by_status"]["submitted"] == 3
    assert counts["by_status"]["acknowledged"] == 1
    assert counts["total"] == 4 and counts["overdue"] == 0
    time_machine.move_to(timezone.now() + timedelta(hours=30))
    response = client.get("/api/v1/staff/tickets?overdue=true")
    assert response.status_code == 200, response.content
    overdue = response.json()["items"]
    assert [t["id"] for t in overdue] == [made[0]["id"]]  # flooding: 24 h


def test_staff_add_after_photos(staff, ticket_842, media, django_capture_on_commit_callbacks):

    from backend.photos.models import Photo
    from tests.photos import images

    with django_capture_on_commit_callbacks(execute=True):
        response = staff["staff842"].post_photo(
            f"/api/v1/staff/tickets/{ticket_842['id']}/photos", images.fixture(images.NOKIA)
        )
    assert response.status_code == 201, response.content
    assert Photo.objects.get().kind == "after"


def test_only_set_status_writes_a_report_status():
    """One way to change a status: every module of the service either calls
    workflow.set_status or leaves the status alone (migrations, the demo's
    seed and the benchmarks' set up their data directly)."""
    import re
    from pathlib import Path

    from django.conf import settings

    writes = re.compile(r"(?<!self)\.status\s*=(?!=)|\bstatus\s*=\s*(?:Status|S|ReportStatus)\.")
    root = Path(settings.BASE_DIR)
    found = []
    for folder in ("backend", "mobile_api", "moderation", "notifications", "open311"):
        for path in (root / folder).rglob("*.py"):
            if "migrations" in path.parts or path.parts[-2] == "demo" or "demo" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                reads = ("filter(", "exclude(", "Q(")
                if writes.search(line) and not any(r in line for r in reads):
                    found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    allowed = {"backend/reports/workflow.py"}
    assert [f for f in found if f.split(":")[0] not in allowed] == []


def test_a_retried_rating_is_one_rating_and_a_changed_one_is_recorded(staff, ticket_842, resident):
    tid = ticket_842["id"]
    client = staff["staff842"]
    resolve(client, tid)
    for _ in range(3):  # the app retries on a weak network
        response = resident.post_json(
            f"/api/v1/reports/{tid}/rating", {"rating": 4, "comment": "Tốt"}
        )
        assert response.status_code == 200
    assert resident.post_json(f"/api/v1/reports/{tid}/rating", {"rating": 2}).status_code == 200
    rated = [
        e for e in resident.get(f"/api/v1/reports/{tid}").json()["timeline"] if e["kind"] == "rated"
    ]
    assert [(e["data"]["rating"], e["message"]) for e in rated] == [(4, "Tốt"), (2, "")]
    assert Report.objects.get(id=tid).rating == 2


def test_a_retried_reopening_is_answered_as_the_first(staff, ticket_842, resident):
    tid = ticket_842["id"]
    client = staff["staff842"]
    resolve(client, tid)
    for _ in range(2):  # the answer to the first was lost on a weak network
        response = resident.post_json(f"/api/v1/reports/{tid}/reopen", {"reason": "Chưa vá"})
        assert response.status_code == 200, response.content
    report = Report.objects.get(id=tid)
    assert (report.status, report.reopened_count) == (Status.ACKNOWLEDGED, 1)
    assert report.events.filter(kind="reopened").count() == 1
    # A report nobody reopened is still refused once it is no longer resolved.
    other = resident.post_json("/api/v1/reports", report_payload()).json()
    refused = resident.post_json(f"/api/v1/reports/{other['id']}/reopen", {"reason": "x"})
    assert refused.status_code == 409


def test_a_retried_change_of_status_is_answered_as_the_first(staff, ticket_842, resident):
    tid = ticket_842["id"]
    client = staff["staff842"]
    client.post_json(f"/api/v1/staff/tickets/{tid}/status", {"status": "in_progress"})
    resolve = {"status": "resolved", "message": "Đã vá xong"}
    for _ in range(2):  # the answer to the first was lost on a weak network
        response = client.post_json(f"/api/v1/staff/tickets/{tid}/status", resolve)
        assert response.status_code == 200, response.content
    replies = [
        e["message"]
        for e in resident.get(f"/api/v1/reports/{tid}").json()["timeline"]
        if e["kind"] == "status_changed"
    ]
    assert replies.count("Đã vá xong") == 1
    # Another change to the same status is still refused: it is not a retry.
    again = client.post_json(f"/api/v1/staff/tickets/{tid}/status", {**resolve, "message": "Khác"})
    assert again.status_code == 409
    assert (
        staff["lead842"].post_json(f"/api/v1/staff/tickets/{tid}/status", resolve).status_code
        == 409
    )


def test_a_retried_reply_is_one_reply(staff, ticket_842, resident):
    tid = ticket_842["id"]
    client = staff["staff842"]
    reply = {"message": "Sẽ xử lý trong tuần", "public": True}
    for _ in range(2):
        assert client.post_json(f"/api/v1/staff/tickets/{tid}/comments", reply).status_code == 200
    client.post_json(f"/api/v1/staff/tickets/{tid}/comments", {**reply, "public": False})
    client.post_json(f"/api/v1/staff/tickets/{tid}/comments", reply)  # said again, later
    seen = [e["message"] for e in resident.get(f"/api/v1/reports/{tid}").json()["timeline"]]
    assert seen.count("Sẽ xử lý trong tuần") == 2
