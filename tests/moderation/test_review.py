import pytest

from backend.accounts.models import Role
from backend.areas.models import Area
from backend.reports.models import EventKind, Report, ReportEvent
from moderation.models import CaseState, ReviewCase
from notifications.models import Notification
from tests.conftest import ApiClient, make_staff
from tests.reports.helpers import report_payload

pytestmark = pytest.mark.django_db

RUDE = "Đồ ngu, đường hỏng cả năm không ai sửa."


@pytest.fixture
def held(resident):
    report = resident.post_json("/api/v1/reports", report_payload(description=RUDE)).json()
    assert report["visibility"] == "held"
    return report


def test_queue_lists_held_reports_oldest_first_with_reasons(staff, resident, held):
    second = resident.post_json("/api/v1/reports", report_payload(description="Đm cái cống")).json()
    queue = staff["moderator"].get("/api/v1/moderation/queue").json()
    assert [c["report_id"] for c in queue] == [held["id"], second["id"]]
    assert queue[0]["description"] == RUDE
    assert "offensive_language" in [r["rule"] for r in queue[0]["reasons"]]


@pytest.mark.parametrize(
    ("language", "said"),
    [("vi", "Từ ngữ xúc phạm: đồ ngu (điểm 1.0)"), ("en", "Offensive words: đồ ngu (score 1.0)")],
)
def test_each_reason_is_said_in_the_moderators_language(staff, held, language, said):
    queue = staff["moderator"].get("/api/v1/moderation/queue", HTTP_ACCEPT_LANGUAGE=language).json()
    reasons = queue[0]["reasons"]
    offensive = next(r for r in reasons if r["rule"] == "offensive_language")
    assert offensive["label"] == said
    assert all(r["label"] and r["label"] != r["rule"] for r in reasons)


def test_every_rule_a_reason_can_name_is_said_in_words():
    from moderation.reasons import describe

    rules = {
        "offensive_language": {"terms": ["đồ ngu"]},
        "offensive_learned": {"words": ["lũ"]},
        "personal_data": {"kinds": ["phone"]},
        "many_reports": {"last_hour": 7},
        "new_account": {"earlier_reports": 0},
        "earlier_rejections": {"rejected": 2},
        "photo_far_from_report": {"distance_m": 900},
        "old_photo": {"age_days": 400},
        "reused_photo": {"same_as": "x"},
        "flagged": {"flags": 3},
    }
    said = {
        rule: describe({"rule": rule, "score": 0.5, **details}) for rule, details in rules.items()
    }
    assert all(rule not in text and "(score 0.5)" in text for rule, text in said.items())
    assert len(set(said.values())) == len(said)


def test_approve_publishes_it_into_the_unit_queue(staff, held, anonymous):
    response = staff["moderator"].post(f"/api/v1/moderation/reports/{held['id']}/approve")
    assert response.json()["visibility"] == "public"
    assert anonymous.get(f"/api/v1/reports/{held['id']}").status_code == 200
    assert staff["staff842"].get(f"/api/v1/staff/tickets/{held['id']}").status_code == 200
    assert ReviewCase.objects.get(report_id=held["id"]).state == CaseState.APPROVED
    assert staff["moderator"].get("/api/v1/moderation/queue").json() == []


def test_reject_tells_the_reporter_why(
    staff, held, resident, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff["moderator"].post_json(
            f"/api/v1/moderation/reports/{held['id']}/reject", {"reason": "Ngôn từ xúc phạm"}
        )
    assert response.json()["status"] == "rejected"
    run_jobs()
    note = Notification.objects.get(user__firebase_uid="resident-an", kind="moderation")
    assert note.params["message"] == "Ngôn từ xúc phạm"
    own = resident.get(f"/api/v1/reports/{held['id']}").json()
    assert own["status"] == "rejected"
    assert "Ngôn từ xúc phạm" in [e["message"] for e in own["timeline"]]


def test_hide_a_photo_and_edit_the_public_text_keeping_the_original(staff, resident, anonymous):
    from backend.photos.models import Photo

    report = resident.post_json(
        "/api/v1/reports", report_payload(description="Ổ gà trước nhà ông Ba")
    ).json()
    photo = Photo.objects.create(
        report_id=report["id"],
        uploader=Report.objects.get(id=report["id"]).reporter,
        sha256="x",
        format="jpeg",
        width=1,
        height=1,
        size_bytes=1,
        state="ready",
    )
    moderator = staff["moderator"]
    hidden = moderator.post_json(
        f"/api/v1/moderation/reports/{report['id']}/photos/{photo.id}/hide",
        {"reason": "Có mặt người"},
    )
    assert hidden.status_code == 200
    assert Photo.objects.get(id=photo.id).hidden
    edited = moderator.post_json(
        f"/api/v1/moderation/reports/{report['id']}/text",
        {"public_description": "Ổ gà trước nhà dân", "reason": "Tên người"},
    )
    assert edited.status_code == 200
    assert (
        anonymous.get(f"/api/v1/reports/{report['id']}").json()["description"]
        == "Ổ gà trước nhà dân"
    )
    audit = ReportEvent.objects.filter(report_id=report["id"], kind=EventKind.MODERATED).last()
    assert audit.data["old"] == "Ổ gà trước nhà ông Ba"
    assert audit.data["new"] == "Ổ gà trước nhà dân"
    assert audit.actor.username == "moderator"


def test_a_banned_resident_cannot_send_new_reports(staff, held, resident):
    old = resident.post_json("/api/v1/reports", report_payload()).json()
    response = staff["moderator"].post_json(
        f"/api/v1/moderation/reports/{held['id']}/ban-reporter",
        {"days": 30, "reason": "Lăng mạ nhiều lần"},
    )
    assert response.status_code == 200
    refused = resident.post_json("/api/v1/reports", report_payload())
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "resident_banned"
    assert Report.objects.filter(id=old["id"]).exists()  # old ones stay handled
    assert staff["staff842"].get(f"/api/v1/staff/tickets/{old['id']}").status_code == 200


def test_a_ban_lifted_in_the_admin_lets_the_resident_report_again(staff, held, resident):
    from moderation.models import Ban

    staff["moderator"].post_json(
        f"/api/v1/moderation/reports/{held['id']}/ban-reporter", {"days": 30, "reason": "Spam"}
    )
    assert resident.post_json("/api/v1/reports", report_payload()).status_code == 403
    Ban.objects.get().delete()  # as the admin's delete action does, row by row
    assert resident.post_json("/api/v1/reports", report_payload()).status_code == 201


def test_enough_distinct_flags_send_a_report_back_to_review(resident, tokens, anonymous):
    report = resident.post_json("/api/v1/reports", report_payload()).json()
    flaggers = [ApiClient(tokens.token(f"flagger-{i}")) for i in range(3)]
    first = flaggers[0].post_json(f"/api/v1/reports/{report['id']}/flag", {"reason": "Spam"})
    assert first.json() == {"flags": 1, "under_review": False}
    again = flaggers[0].post_json(f"/api/v1/reports/{report['id']}/flag", {"reason": "Spam"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_flagged"
    flaggers[1].post_json(f"/api/v1/reports/{report['id']}/flag", {"reason": "Spam"})
    third = flaggers[2].post_json(f"/api/v1/reports/{report['id']}/flag", {"reason": "Sai sự thật"})
    assert third.json() == {"flags": 3, "under_review": True}
    assert anonymous.get(f"/api/v1/reports/{report['id']}").status_code == 404
    assert ReviewCase.objects.filter(report_id=report["id"], state=CaseState.OPEN).exists()


def test_a_moderator_of_another_province_cannot_see_or_act(held):
    other = Area.objects.create(
        code="86", name="Tỉnh Vĩnh Long", level="province", edition="pre-2025", geometry_wkb=b""
    )
    make_staff("moderator86", Role.MODERATOR, None, "84")
    from backend.accounts.models import User

    User.objects.filter(username="moderator86").update(scope_area=other)
    token = (
        ApiClient()
        .post_json("/api/v1/staff/login", {"username": "moderator86", "password": "staff-password"})
        .json()["token"]
    )
    client = ApiClient(token)
    assert client.get("/api/v1/moderation/queue").json() == []
    assert client.post(f"/api/v1/moderation/reports/{held['id']}/approve").status_code == 404


@pytest.mark.parametrize("username", ["staff842", "manager842", "official"])
def test_other_staff_cannot_moderate(staff, held, username):
    response = staff[username].post(f"/api/v1/moderation/reports/{held['id']}/approve")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_moderator"


def test_residents_cannot_moderate(resident, held):
    assert resident.post(f"/api/v1/moderation/reports/{held['id']}/approve").status_code == 401


def test_the_api_edits_the_public_address_and_leaves_it_when_not_given(staff, resident, anonymous):
    report = resident.post_json(
        "/api/v1/reports", report_payload(address="Trước nhà thằng chó đẻ ở hẻm 5")
    ).json()
    url = f"/api/v1/moderation/reports/{report['id']}/text"
    moderator = staff["moderator"]
    case = moderator.get("/api/v1/moderation/queue").json()[0]
    assert case["address"] == case["public_address"] == "Trước nhà thằng chó đẻ ở hẻm 5"
    body = {"public_description": report["description"], "public_address": "Hẻm 5"}
    assert moderator.post_json(url, {**body, "reason": "Xúc phạm"}).status_code == 200
    assert moderator.post_json(url, {"public_description": "Ổ gà lớn"}).status_code == 200
    assert Report.objects.get(id=report["id"]).public_address == "Hẻm 5"
    moderator.post(f"/api/v1/moderation/reports/{report['id']}/approve")
    public = anonymous.get(f"/api/v1/reports/{report['id']}").json()
    assert (public["address"], public["description"]) == ("Hẻm 5", "Ổ gà lớn")
