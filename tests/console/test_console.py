"""The staff console, as its users meet it: signing in, the queue, a ticket and
its actions, with the same roles and scopes as the API."""

import pytest
from django.test import Client

from backend.accounts.models import Role
from backend.reports.models import EventKind, Report, ReportEvent
from tests.conftest import ROLES, make_staff
from tests.reports.helpers import TRA_CU_TOWN, report_payload

pytestmark = pytest.mark.django_db


def signed_in(username: str, **headers) -> Client:
    role, unit, area = ROLES[username]
    make_staff(username, role, unit, area)
    client = Client(**headers)
    response = client.post("/console/login/", {"username": username, "password": "staff-password"})
    assert response.status_code == 302, response.content
    return client


@pytest.mark.parametrize("username", ["official", "manager842", "staff842", "moderator"])
def test_every_staff_role_signs_in_with_its_own_account(username):
    client = signed_in(username)
    assert client.get("/console/").status_code == 200


def test_officials_reach_their_dashboard_from_the_console():
    client = signed_in("official")
    assert client.get("/dashboard/").status_code == 200


def test_a_resident_or_a_wrong_password_is_refused(resident):
    client = Client()
    response = client.post("/console/login/", {"username": "nobody", "password": "x"})
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.content.decode()
    assert client.get("/console/").status_code == 302  # to the sign-in page


def test_sign_in_has_the_apis_limits(settings):
    make_staff("staff842", Role.STAFF, "urban-842", "842")
    client = Client()
    statuses = [
        client.post("/console/login/", {"username": "staff842", "password": "wrong"}).status_code
        for _ in range(settings.STAFF_LOCKOUT_AFTER + 1)
    ]
    assert statuses[-1] == 429
    locked = client.post("/console/login/", {"username": "staff842", "password": "staff-password"})
    assert locked.status_code == 429  # still locked, even with the right password


def test_every_form_needs_its_csrf_token(ticket_842):
    make_staff("staff842", Role.STAFF, "urban-842", "842")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/console/login/", {"username": "staff842", "password": "staff-password"}
    )
    assert response.status_code == 403


def test_the_queue_holds_the_units_tickets_and_another_units_is_not_found(resident, ticket_842):
    other = resident.post_json("/api/v1/reports", report_payload(point=TRA_CU_TOWN)).json()
    client = signed_in("staff842")
    page = client.get("/console/").content.decode()
    assert ticket_842["reference"] in page and other["reference"] not in page
    assert client.get(f"/console/tickets/{other['id']}/").status_code == 404
    response = client.post(
        f"/console/tickets/{other['id']}/act/", {"action": "status", "status": "acknowledged"}
    )
    assert response.status_code == 404
    assert Report.objects.get(id=other["id"]).status == "submitted"


def test_the_queues_filters_and_pages(resident):
    from datetime import timedelta

    from django.utils import timezone

    pothole = resident.post_json("/api/v1/reports", report_payload(category="pothole")).json()
    flood = resident.post_json(
        "/api/v1/reports", report_payload(category="flooding", description="Ngập trước chợ")
    ).json()
    Report.objects.filter(id=flood["id"]).update(due_at=timezone.now() - timedelta(hours=1))
    client = signed_in("staff842")

    def listed(**params) -> set[str]:
        page = client.get("/console/", params).content.decode()
        return {r for r in (pothole["reference"], flood["reference"]) if r in page}

    assert listed() == {pothole["reference"], flood["reference"]}
    assert listed(category="flooding") == {flood["reference"]}
    assert listed(overdue="true") == {flood["reference"]}
    assert listed(q="trước chợ") == {flood["reference"]}
    assert listed(q=pothole["reference"]) == {pothole["reference"]}
    # The category filter is offered by name, in the reader's language.
    assert 'value="flooding" selected' in client.get("/console/?category=flooding").content.decode()
    # One a page: the next page's link holds the place.
    first = client.get("/console/", {"limit": 1, "sort": "newest"}).content.decode()
    assert flood["reference"] in first and pothole["reference"] not in first
    next_url = first.split('class="button" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(f"/console/{next_url}").content.decode()
    assert pothole["reference"] in second and flood["reference"] not in second


def test_an_action_goes_through_the_workflow_and_says_what_it_did(ticket_842):
    client = signed_in("staff842")
    response = client.post(
        f"/console/tickets/{ticket_842['id']}/act/",
        {"action": "status", "status": "acknowledged", "message": "Đã tiếp nhận"},
        follow=True,
    )
    assert "Trạng thái hiện là “Đã tiếp nhận”." in response.content.decode()
    event = ReportEvent.objects.filter(report_id=ticket_842["id"]).latest("id")
    assert event.kind == EventKind.STATUS_CHANGED and event.message == "Đã tiếp nhận"
    client.post(
        f"/console/tickets/{ticket_842['id']}/act/", {"action": "note", "message": "Gọi lại"}
    )
    note = ReportEvent.objects.filter(report_id=ticket_842["id"]).latest("id")
    assert note.kind == EventKind.NOTE and not note.is_public


def test_a_read_only_role_is_told_it_cannot_change_a_ticket(ticket_842):
    client = signed_in("official")
    response = client.post(
        f"/console/tickets/{ticket_842['id']}/act/",
        {"action": "status", "status": "acknowledged"},
        follow=True,
    )
    assert "Vai trò của bạn chỉ được xem" in response.content.decode()
    assert Report.objects.get(id=ticket_842["id"]).status == "submitted"


def test_resident_text_is_escaped_and_no_inline_script_may_run(resident):
    hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    report = resident.post_json("/api/v1/reports", report_payload(description=hostile)).json()
    client = signed_in("staff842")
    for path in ("/console/", f"/console/tickets/{report['id']}/"):
        response = client.get(path)
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "<script>" not in html  # no inline script of our own either
        assert len(response.content) < 150_000


def test_the_console_speaks_the_readers_language(ticket_842):
    client = signed_in("staff842", HTTP_ACCEPT_LANGUAGE="km")
    page = client.get("/console/").content.decode()
    assert "ហួសកំណត់" in page  # "Overdue"
    assert 'lang="km"' in page


def test_a_moderator_reviews_held_reports_in_the_console(resident, anonymous):
    from tests.moderation.test_review import RUDE

    held = resident.post_json("/api/v1/reports", report_payload(description=RUDE)).json()
    moderator = signed_in("moderator")
    page = moderator.get("/console/moderation/").content.decode()
    assert held["reference"] in page
    # Its reasons in the moderator's words, not the rules' codes.
    assert "Từ ngữ xúc phạm: đồ ngu (điểm 1.0)" in page and "offensive_language" not in page
    # Staff of a unit are not moderators: told so, nothing changes.
    staff = signed_in("staff842")
    refused = staff.post(f"/console/moderation/{held['id']}/", {"action": "approve"}, follow=True)
    assert "Chỉ dành cho người kiểm duyệt." in refused.content.decode()
    assert Report.objects.get(id=held["id"]).visibility == "held"
    done = moderator.post(
        f"/console/moderation/{held['id']}/",
        {"action": "reject", "reason": "Ngôn từ xúc phạm"},
        follow=True,
    )
    assert "Phản ánh đã bị từ chối" in done.content.decode()
    assert Report.objects.get(id=held["id"]).status == "rejected"


def test_a_public_scorecard_shows_the_public_figures_of_an_area(resident, anonymous):
    from tests.reports.helpers import TRA_VINH_MARKET, offset

    for north in (0, 100, 200):
        resident.post_json(
            "/api/v1/reports", report_payload(point=offset(TRA_VINH_MARKET, north_m=north))
        )
    figures = anonymous.get("/api/v1/public/performance").json()
    city = next(r for r in figures if r["area"] == "842")
    page = Client(HTTP_ACCEPT_LANGUAGE="vi").get("/public/areas/842/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thành phố Trà Vinh" in html
    assert f"<dd>{city['received']}</dd>" in html
    assert "Phường 1" in html  # its communes, one level down
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    province = Client().get("/public/areas/84/").content.decode()
    assert "Thành phố Trà Vinh" in province  # the province's districts
    assert Client().get("/public/areas/nowhere/").status_code == 404


def test_nearby_duplicates_are_offered_and_merged(resident, ticket_842):
    second = resident.post_json("/api/v1/reports", report_payload()).json()
    client = signed_in("staff842")
    page = client.get(f"/console/tickets/{second['id']}/").content.decode()
    assert ticket_842["reference"] in page  # offered as the original
    done = client.post(
        f"/console/tickets/{second['id']}/act/",
        {"action": "merge", "into": ticket_842["id"]},
        follow=True,
    )
    assert f"Đã gộp vào {ticket_842['reference']}." in done.content.decode()
    assert Report.objects.get(id=second["id"]).status == "duplicate"


def test_an_action_the_workflow_refuses_is_explained_and_changes_nothing(ticket_842):
    client = signed_in("lead842")
    response = client.post(
        f"/console/tickets/{ticket_842['id']}/act/",
        {"action": "transfer", "unit": "urban-842", "message": "Thử"},
        follow=True,
    )
    assert "Phiếu đã thuộc đơn vị này." in response.content.decode()
    assert Report.objects.get(id=ticket_842["id"]).unit.code == "urban-842"
    refused = client.post(
        f"/console/tickets/{ticket_842['id']}/act/",
        {"action": "status", "status": "closed"},
        follow=True,
    )
    assert "không thể chuyển sang" in refused.content.decode()


def test_a_moderator_publishes_a_report_without_the_insult_in_its_address(resident, anonymous):
    """Held for an insult in its address: the moderator edits what the public
    reads of it, then approves; the resident's own words stay for the audit."""
    written = "Trước nhà thằng chó đẻ ở hẻm 5"
    held = resident.post_json("/api/v1/reports", report_payload(address=written)).json()
    assert held["visibility"] == "held"
    moderator = signed_in("moderator")
    page = moderator.get("/console/moderation/").content.decode()
    assert written in page and "trong địa chỉ" in page  # why, in the moderator's words
    edited = moderator.post(
        f"/console/moderation/{held['id']}/",
        {
            "action": "edit",
            "text": held["description"],
            "address": "Hẻm 5",
            "reason": "Xúc phạm trong địa chỉ",
        },
        follow=True,
    )
    assert edited.status_code == 200
    moderator.post(f"/console/moderation/{held['id']}/", {"action": "approve"}, follow=True)
    assert anonymous.get(f"/api/v1/reports/{held['id']}").json()["address"] == "Hẻm 5"
    report = Report.objects.get(id=held["id"])
    assert report.address == written
    audit = report.events.filter(kind="moderated").first()
    assert audit.data["old_address"] == written and audit.data["new_address"] == "Hẻm 5"
