import json
from pathlib import Path

import pytest
from django.test import Client

from backend.photos.models import Photo
from backend.reports.models import EventKind, Report, ReportEvent
from moderation.models import CaseState, ReviewCase
from moderation.rules import lexicon, place_names
from moderation.text import screen_text
from tests.photos import images
from tests.reports.helpers import TRA_VINH_MARKET, offset, report_payload, resolve

pytestmark = pytest.mark.django_db


def send(client, text, **extra):
    response = client.post_json("/api/v1/reports", report_payload(description=text, **extra))
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize(
    "text",
    [
        "Đồ ngu, đường hỏng cả năm không ai sửa.",
        "Do ngu, duong hong ca nam khong ai sua.",  # without diacritics
        "Đ.M cái đèn đường hỏng hoài.",  # dotted apart
        "Mấy thằng cán bộ ăn hại, đ ị t m ẹ chúng mày.",  # spaced apart
        "Vãi lồnnnnn, ngập cả tháng rồi.",  # repeated letters
        "d1t me may, sua duong di.",  # digits for letters
        "F u c k this road, nobody fixes it.",
        "What a shithole this market has become.",  # English, from better-profanity's list
        "Go to hell, you corrupt bastards.",  # a plural
        "Mẹ kiếp, cống nghẹt cả tuần.",
        "Con chó đẻ nào đổ rác ra đầu hẻm?",
        "Thằng vô học nào đậu xe trên vỉa hè.",  # a person, then what they are called
        "Sh*t service, the f*cking light is out again.",  # masked letters
        "Dipshits at the office never answer.",  # built on a strong root
        "Asshats parked on the pavement again.",  # a root before its repeated letters fold
        "Đồ con lợn, xây cống gì mà ngập.",  # a person, the animals' classifier, the animal
        "Óc bò mới nghĩ ra cái vòng xoay này.",  # an animal's brain
        "Ngu vãi, cống cao hơn nhà.",  # stupid, intensified
        "Mẹ cha bọn đổ trộm rác.",  # a curse on forebears, aimed at people
        "L0n, cống lại bể.",  # an ambiguous word disguised
        "Đ** m* cái đèn hỏng hoài.",  # Vietnamese with letters masked
        "Up yours, nobody came.",
        "Hạng người vô tích sự mới đổ rác ở đây.",  # a kind of person, then what they are
        "Moronic drivers park on the pavement.",  # an English insult's adjective
        "Mấy đứa cầm thú phá nát ghế đá công viên.",  # a name for a vicious person
        "Bọn ă n h ạ i ở ấp này.",  # spaced apart, beside a one-letter word
        "Đ\u200bồ n\u200bgu, đường hỏng cả năm.",  # zero-width spaces inside the words
        "Đồ n\u00adgu, đường hỏng cả năm.",  # a soft hyphen
        "Đồ ｎｇｕ, đường hỏng cả năm.",  # full-width letters
        "Thằng c\u0337h\u0337ó nào đổ rác ra hẻm.",  # letters struck through
    ],
)
def test_offensive_text_is_held_for_review(resident, anonymous, staff, text):
    report = send(resident, text)
    assert report["visibility"] == "held"
    assert [i["id"] for i in anonymous.get("/api/v1/reports").json()["items"]] == []
    assert anonymous.get(f"/api/v1/reports/{report['id']}").status_code == 404
    assert staff["staff842"].get(f"/api/v1/staff/tickets/{report['id']}").status_code == 404
    case = ReviewCase.objects.get(report_id=report["id"], state=CaseState.OPEN)
    assert "offensive_language" in [r["rule"] for r in case.reasons]


@pytest.mark.parametrize(
    "text",
    [
        "Đường ở Tra Cu bi ngap, xa Ngu Lac cung vay.",
        "Ngập ở Trà Cú và Càng Long, đường Long Đức lún.",
        "Cang Long, Long Hoa, Long Toan deu mat dien.",
        "Nguoi dan vut lon nuoc ngot day bo song.",
        "Con chó chạy rông ngoài đường gần chợ.",
        "Cho tha rong tren duong Pham Ngu Lao can nguoi di duong.",
        "Shiitake mushroom waste dumped by the canal.",
        "Mẹ cha tôi đã già, nhờ phường sửa lối đi.",  # parents, no curse
        "Quán óc heo đầu hẻm đổ nước thải ra đường.",  # a dish, not an insult
        "Mấy con lợn nhà ai thả rông ra đường.",  # the animals themselves
        "Cái lon nước ngọt vứt đầy bờ kè.",  # a can, in a text with diacritics
        "Cứt bò đầy đường vào ấp 5, xe trượt ngã.",  # literal dung, not a curse
        "Dãy nhà A B C ở khu tập thể bị ngập.",  # letters that name blocks
    ],
)
def test_place_names_and_everyday_words_are_not_flagged(resident, text):
    report = send(resident, text)
    assert report["visibility"] == "public"


def test_an_ambiguous_phrase_is_held_for_a_moderator_who_publishes_it(resident, staff, anonymous):
    """ "Đồ con nít" is children's things, and also "you brat!": the learned
    screen holds it (the word lists pass it); a moderator's approval makes it
    public. A hold delays a clean report, it never loses it."""
    report = send(resident, "Đồ con nít chơi bỏ lại đầy sân.")
    assert report["visibility"] == "held"
    case = ReviewCase.objects.get(report_id=report["id"], state=CaseState.OPEN)
    assert "offensive_learned" in [r["rule"] for r in case.reasons]
    assert "offensive_language" not in [r["rule"] for r in case.reasons]
    approved = staff["moderator"].post(f"/api/v1/moderation/reports/{report['id']}/approve")
    assert approved.status_code == 200, approved.content
    assert anonymous.get(f"/api/v1/reports/{report['id']}").status_code == 200


def test_personal_data_is_redacted_for_the_public_and_kept_for_staff(resident, anonymous, staff):
    text = "Cống nghẹt trước nhà, gọi 0901 234 567 hoặc an.nguyen@gmail.com, xe 84A-123.45 đậu chắn"
    report = send(resident, text)
    assert report["visibility"] == "public"
    public = anonymous.get(f"/api/v1/reports/{report['id']}").json()["description"]
    assert "0901" not in public and "gmail" not in public and "84A" not in public
    assert public.count("[***]") == 3
    assert resident.get(f"/api/v1/reports/{report['id']}").json()["description"] == text
    assert (
        staff["staff842"].get(f"/api/v1/staff/tickets/{report['id']}").json()["description"] == text
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Liên hệ +84 912.345.678", "phone"),
        ("Gọi 84 912 345 678 nhé", "phone"),
        ("goi em 0912 345 678", "phone"),
        ("số máy bàn (0294) 3855 123", "phone"),
        ("SĐT 0297 3862 123 nhà bị ngập", "phone"),
        ("CCCD của tôi 084123456789", "citizen_id"),
        ("xe 51F 12345 đổ rác", "licence_plate"),
        ("moto 84-H1 234.56 chay nguoc chieu", "licence_plate"),
        ("mail me at hoa.tran@yahoo.com.vn", "email"),
    ],
)
def test_each_kind_of_personal_data_is_found(text, kind):
    verdict = screen_text(text, lexicon(), place_names())
    assert kind in verdict.personal_data
    assert "[***]" in verdict.redacted


def test_the_labelled_set_meets_the_goals():
    """Recall ≥ 0.95 on offensive and personal-data texts, precision ≥ 0.95 on clean ones."""
    path = (
        Path(__file__).resolve().parents[2] / "moderation" / "examples" / "moderation_texts.jsonl"
    )
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    assert len(rows) >= 200
    lex, places = lexicon(), place_names()

    def verdict(text):
        v = screen_text(text, lex, places)
        return "offensive" if v.score >= 1.0 else ("personal_data" if v.personal_data else "clean")

    said = [(r["label"], verdict(r["text"])) for r in rows]
    for label in ("offensive", "personal_data"):
        relevant = [p for true, p in said if true == label]
        assert sum(p == label for p in relevant) / len(relevant) >= 0.95, label
    clean = [p for true, p in said if true == "clean"]
    assert clean.count("clean") / len(clean) >= 0.97


def test_the_vietnamese_list_is_read_from_the_shared_data_folder(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from moderation.text import shipped_terms

    shipped_terms.cache_clear()
    try:
        assert "địt mẹ" in shipped_terms()  # from ../shared/data/moderation/
        settings.SHARED_DATA_DIR = tmp_path
        shipped_terms.cache_clear()
        with pytest.raises(ImproperlyConfigured, match="vn-badwords"):
            shipped_terms()
    finally:
        shipped_terms.cache_clear()


def test_admin_blocked_terms_are_used(resident):
    from moderation.models import BlockedTerm

    BlockedTerm.objects.create(term="quan liêu", weight=1.0)
    assert send(resident, "Cán bộ quan liêu quá")["visibility"] == "held"


def test_behaviour_rules_give_reasons(resident, settings):
    settings.MODERATION_REPORTS_PER_HOUR = 2
    reports = [send(resident, "Ổ gà trước chợ") for _ in range(3)]

    def rules(report):
        event = ReportEvent.objects.get(report_id=report["id"], kind=EventKind.SCREENED)
        return {r["rule"] for r in event.data["reasons"]}

    assert rules(reports[0]) == {"new_account"}  # a new account's first reports
    assert rules(reports[2]) == {"many_reports"}  # the third within the hour


def test_earlier_rejections_count_against_a_resident(resident, settings):
    from backend.reports.models import Status

    settings.MODERATION_REJECTED_SCORE = 1.0
    for _ in range(2):
        Report.objects.filter(id=send(resident, "Ổ gà")["id"]).update(status=Status.REJECTED)
    assert send(resident, "Ổ gà nữa")["visibility"] == "held"


@pytest.fixture
def with_photo(resident, media, run_jobs, django_capture_on_commit_callbacks):
    def upload(client, report_id, data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post_photo(f"/api/v1/reports/{report_id}/photos", data)
        assert response.status_code == 201, response.content
        with django_capture_on_commit_callbacks(execute=True):
            run_jobs()
        return response.json()

    return upload


def test_photo_taken_far_away_and_long_ago_holds_the_report(resident, with_photo):
    report = send(resident, "Ổ gà trước chợ")
    with_photo(resident, report["id"], images.fixture(images.IPHONE5))  # Seattle, 2012
    assert Report.objects.get(id=report["id"]).visibility == "held"
    case = ReviewCase.objects.get(report_id=report["id"])
    assert {r["rule"] for r in case.reasons} == {"photo_far_from_report", "old_photo"}


def test_photo_taken_at_the_place_keeps_the_report_public(resident, with_photo):
    report = send(resident, "Ổ gà trước chợ")
    here = offset(TRA_VINH_MARKET, north_m=40)
    with_photo(resident, report["id"], images.with_gps(images.jpeg_bytes((64, 48)), *here))
    assert Report.objects.get(id=report["id"]).visibility == "public"


def test_a_photo_reused_from_another_resident_holds_the_report(
    resident, other_resident, with_photo
):
    here = offset(TRA_VINH_MARKET, north_m=10)
    photo = images.with_gps(images.fixture(images.NOKIA), *here)
    first = send(resident, "Ổ gà trước chợ")
    with_photo(resident, first["id"], photo)
    second = send(other_resident, "Ổ gà lớn quá")
    with_photo(
        other_resident,
        second["id"],
        images.with_gps(images.fixture(images.NOKIA), *offset(here, east_m=5)),
    )
    case = ReviewCase.objects.get(report_id=second["id"])
    assert "reused_photo" in {r["rule"] for r in case.reasons}
    assert Report.objects.get(id=first["id"]).visibility == "public"


def _photo_first(client, data, run_jobs, capture, process_before: bool) -> str:
    """Upload a photo before its report, then send the report with it."""
    with capture(execute=True):
        response = client.post_photo("/api/v1/photos", data)
    assert response.status_code == 201, response.content
    photo_id = response.json()["id"]
    if process_before:
        with capture(execute=True):
            run_jobs()
    with capture(execute=True):
        report = client.post_json(
            "/api/v1/reports", report_payload(description="Ổ gà trước chợ", photo_ids=[photo_id])
        )
    assert report.status_code == 201, report.content
    with capture(execute=True):
        run_jobs()
    return report.json()["id"]


@pytest.mark.parametrize("process_before", [True, False], ids=["processed-first", "attached-first"])
def test_a_photo_sent_first_is_screened_when_attached(
    resident, media, run_jobs, django_capture_on_commit_callbacks, process_before
):
    """The photo-first path screens the photo like an upload to a report does,
    whether it was processed before or after the report arrived."""
    report_id = _photo_first(
        resident,
        images.fixture(images.IPHONE5),  # Seattle, 2012
        run_jobs,
        django_capture_on_commit_callbacks,
        process_before,
    )
    assert Report.objects.get(id=report_id).visibility == "held"
    case = ReviewCase.objects.get(report_id=report_id)
    assert {r["rule"] for r in case.reasons} == {"photo_far_from_report", "old_photo"}
    photo = Photo.objects.get(report_id=report_id)
    assert photo.screened_at is not None


def test_a_photo_is_screened_once(resident, media, run_jobs, django_capture_on_commit_callbacks):
    report_id = _photo_first(
        resident, images.fixture(images.IPHONE5), run_jobs, django_capture_on_commit_callbacks, True
    )
    from moderation.screening import screen_photo

    screen_photo(Photo.objects.get(report_id=report_id))  # a late or repeated signal
    screened = ReportEvent.objects.filter(report_id=report_id, kind=EventKind.SCREENED)
    assert [e.data.get("photo") for e in screened if e.data.get("photo")] == [
        str(Photo.objects.get(report_id=report_id).id)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Ổ gà trên quốc lộ 53, km 12, gần cây xăng số 5.",
        "Ngập từ ngày 12/03/2024 đến 15/03/2024 ở hẻm 45/12.",
        "Đèn tắt từ 18:30 đến 5:00, cột số 1234.",
        "Nhà số 123/4 đường 30/4, phường 7.",
    ],
)
def test_numbers_that_are_not_phone_numbers_are_left_alone(text):
    verdict = screen_text(text, lexicon(), place_names())
    assert verdict.redacted == text and verdict.personal_data == []


@pytest.mark.parametrize(
    ("path", "field"), [("rating", "comment"), ("reopen", "reason")], ids=["rating", "reopening"]
)
def test_a_residents_words_on_the_timeline_are_screened(resident, staff, anonymous, path, field):
    """A rating's comment and a reopening's reason are public words on the
    timeline: screened as a comment is. An insult is kept for staff, a phone
    number redacted for the public; the rating or reopening itself stands."""
    report = send(resident, "Ổ gà lớn trước cổng chợ, xe máy dễ té.")
    ticket = f"/api/v1/staff/tickets/{report['id']}"
    resolve(staff["staff842"], report["id"])
    body = {field: "Đồ ngu, vá kiểu gì vậy", **({"rating": 1} if path == "rating" else {})}
    response = resident.post_json(f"/api/v1/reports/{report['id']}/{path}", body)
    assert response.status_code == 200, response.content
    public = [
        e["message"] for e in anonymous.get(f"/api/v1/reports/{report['id']}").json()["timeline"]
    ]
    assert not any("ngu" in m for m in public)
    internal = [e["message"] for e in staff["staff842"].get(ticket).json()["timeline"]]
    assert "Đồ ngu, vá kiểu gì vậy" in internal  # kept for staff, off the public timeline
    assert [e["kind"] for e in anonymous.get(f"/api/v1/reports/{report['id']}").json()["timeline"]][
        -1
    ] == ("rated" if path == "rating" else "reopened")


def test_a_phone_number_in_a_rating_is_redacted_for_the_public(resident, staff, anonymous):
    report = send(resident, "Ổ gà lớn trước cổng chợ, xe máy dễ té.")
    resolve(staff["staff842"], report["id"])
    comment = {"rating": 5, "comment": "Cảm ơn, cần gì gọi tôi 0912 345 678"}
    assert resident.post_json(f"/api/v1/reports/{report['id']}/rating", comment).status_code == 200
    public = [
        e["message"] for e in anonymous.get(f"/api/v1/reports/{report['id']}").json()["timeline"]
    ]
    assert "Cảm ơn, cần gì gọi tôi [***]" in public
    assert not any("0912" in m for m in public)


def test_an_insult_in_the_address_holds_the_report(resident, staff):
    report = send(resident, "Ổ gà lớn, xe máy dễ té.", address="Trước nhà thằng chó đẻ ở hẻm 5")
    assert report["visibility"] == "held"
    case = ReviewCase.objects.get(report_id=report["id"], state=CaseState.OPEN)
    offensive = [(r["rule"], r.get("in")) for r in case.reasons if r["rule"].startswith("offens")]
    assert offensive == [("offensive_language", "address")]
    queue = staff["moderator"].get("/api/v1/moderation/queue", HTTP_ACCEPT_LANGUAGE="en").json()
    said = [r["label"] for r in queue[0]["reasons"] if r["rule"] == "offensive_language"]
    assert said == ["Offensive words: thằng chó, in the address (score 1.0)"]


def test_a_phone_number_in_the_address_is_redacted_for_the_public(resident, staff, anonymous):
    written = "Hẻm 12 Nguyễn Đáng, gọi 0912 345 678 để chỉ đường"
    report = send(resident, "Ổ gà lớn, xe máy dễ té.", address=written)
    assert report["visibility"] == "public"
    assert report["address"] == written  # the reporter's own view
    public = anonymous.get(f"/api/v1/reports/{report['id']}").json()
    assert public["address"] == "Hẻm 12 Nguyễn Đáng, gọi [***] để chỉ đường"
    ticket = staff["staff842"].get(f"/api/v1/staff/tickets/{report['id']}").json()
    assert ticket["address"] == written
    listed = Client().get(f"/open311/v2/requests/{report['reference']}.json").json()
    assert [r["address"] for r in listed] == ["Hẻm 12 Nguyễn Đáng, gọi [***] để chỉ đường"]


@pytest.mark.parametrize(
    "address",
    [
        "Số 5 đường Nguyễn Thị Minh Khai, khóm 3, Phường 7, thành phố Trà Vinh",
        "Ấp Sóc Cụt, xã Ngũ Lạc, huyện Duyên Hải",
        "Hẻm con chó đá, gần chùa Âng",  # a lane named after a stone dog statue
    ],
)
def test_an_ordinary_address_is_not_screened_out(resident, address):
    assert send(resident, "Ổ gà lớn, xe máy dễ té.", address=address)["visibility"] == "public"
