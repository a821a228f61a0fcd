"""Every word a person reads, in their language: the catalogues are complete,
compiled, and what the API and the notifications say follows the reader."""

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from backend.reports.models import Report
from tests.conftest import ApiClient
from tests.reports.helpers import report_payload

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
IGNORED = [".venv/*", ".tools/*", "var/*", "tests/*", "bench/*", "infra/*", "frontend/*"]


def untranslated(po: Path) -> list[str]:
    """The msgids of a catalogue with no translation, fuzzy ones included
    (gettext drops fuzzy entries when compiling)."""
    found = []
    for flag in ("--untranslated", "--only-fuzzy"):
        output = subprocess.run(
            ["msgattrib", flag, "--no-obsolete", str(po)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        found += [line for line in output.splitlines() if line.startswith("msgid ")][1:]
    return found


def test_every_string_in_the_code_has_a_vietnamese_and_a_khmer_translation(
    settings, tmp_path, monkeypatch
):
    """makemessages over the code as it is now, into a copy of the catalogues:
    a string added without its translations fails here (and so in CI).

    It runs in a folder of links to the code beside the copy: makemessages
    writes to the `locale` folder nearest each source file, which from the
    project's own folder is the project's catalogues."""
    for entry in ROOT.iterdir():
        if entry.name != "locale" and not entry.name.startswith("."):
            (tmp_path / entry.name).symlink_to(entry)
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE, copy)
    before = {po: po.read_bytes() for po in LOCALE.glob("*/LC_MESSAGES/django.po")}
    settings.LOCALE_PATHS = [copy]
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages",
        locale=["vi", "km"],
        ignore_patterns=IGNORED,
        no_obsolete=True,
        symlinks=True,
        verbosity=0,
    )
    for language in ("vi", "km"):
        missing = untranslated(copy / language / "LC_MESSAGES" / "django.po")
        assert missing == [], f"{language}: {missing}"
    assert {po: po.read_bytes() for po in before} == before, "the project's catalogues changed"


@pytest.mark.parametrize("language", ["vi", "en", "km"])
def test_the_compiled_catalogues_are_those_of_the_po_files(tmp_path, language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(po)], check=True)
    assert compiled.read_bytes() == po.with_suffix(".mo").read_bytes(), "run `make messages`"


def expected(message: str, language: str, **values) -> str:
    with translation.override(language):
        text = translation.gettext(message)
    return text % values if values else text


# (how to get the error, its code, the English message), as a caller meets them.
def _outside(client):
    return client.get("/api/v1/areas/locate?lat=10.7769&lon=106.7009")


def _unknown_report(client):
    return client.get("/api/v1/reports/00000000-0000-4000-8000-000000000000")


def _bad_json(client):
    return client.post("/api/v1/reports", data="{", content_type="application/json")


def _no_token(client):
    anonymous = ApiClient(HTTP_ACCEPT_LANGUAGE=client.defaults["HTTP_ACCEPT_LANGUAGE"])
    return anonymous.get("/api/v1/me/reports")


def _invalid_fields(client):
    return client.post_json("/api/v1/reports", {"id": "x"})


def _control_characters(client):
    return client.post_json("/api/v1/reports", report_payload(description="Ổ gà\x07"))


def _wrong_method(client):
    return client.put("/api/v1/categories")


def _no_route(client):
    return client.get("/api/v1/no-such-thing")


def _wrong_password(client):
    anonymous = ApiClient(HTTP_ACCEPT_LANGUAGE=client.defaults["HTTP_ACCEPT_LANGUAGE"])
    return anonymous.post_json("/api/v1/staff/login", {"username": "x", "password": "y"})


def _reopen_an_open_report(client):
    report = client.post_json("/api/v1/reports", report_payload()).json()
    return client.post_json(f"/api/v1/reports/{report['id']}/reopen", {"reason": "Chưa sửa"})


def _own_support(client):
    report = client.post_json("/api/v1/reports", report_payload()).json()
    return client.post(f"/api/v1/reports/{report['id']}/support")


def _tampered_cursor(client):
    return client.get("/api/v1/me/reports?cursor=WzEsMl0=")  # base64 of [1,2], unsigned


def _bad_answer(client):
    payload = report_payload(category="flooding", attributes={"depth": "ocean"})
    return client.post_json("/api/v1/reports", payload)


ERRORS = [
    (_outside, 422, "outside_service_area", "This place is outside the area the service covers."),
    (_unknown_report, 404, "not_found", "No such report."),
    (_bad_json, 400, "malformed_request", "The request could not be read."),
    (_no_token, 401, "not_authenticated", "Sign in first: send `Authorization: Bearer <token>`."),
    (_invalid_fields, 422, "invalid_request", "The request has invalid fields."),
    (
        _control_characters,
        422,
        "control_characters",
        "The request contains control characters, which no field accepts.",
    ),
    (_wrong_method, 405, "method_not_allowed", ("%(method)s is not allowed here.", "PUT")),
    (_no_route, 404, "not_found", "Not found."),
    (_wrong_password, 401, "invalid_credentials", "Wrong username or password."),
    (_reopen_an_open_report, 409, "not_resolved", "Only a resolved report can be reopened."),
    (_own_support, 409, "own_report", "You reported this problem yourself."),
    (_tampered_cursor, 400, "invalid_cursor", "The cursor is not one this server gave out."),
]


@pytest.mark.parametrize(("make", "status", "code", "english"), ERRORS, ids=[e[2] for e in ERRORS])
@pytest.mark.parametrize("language", ["vi", "km", "en"])
def test_an_error_speaks_the_callers_language_and_keeps_its_code(
    resident, make, status, code, english, language
):
    resident.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    values = {}
    if isinstance(english, tuple):  # a message with the request's own words in it
        english, method = english
        values = {"method": method}
    response = make(resident)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code  # a stable English identifier in every language
    in_english = english % values if values else english
    if language == "en":
        assert error["message"] == in_english
    else:
        assert error["message"] == expected(english, language, **values)
        assert error["message"] != in_english, f"{code} has no {language} translation"


def test_a_category_question_and_its_choices_are_in_the_readers_language(anonymous):
    for language, question, choice in [
        ("vi", "Nước ngập sâu bao nhiêu?", "Ngập đến đầu gối"),
        ("en", "How deep is the water?", "Knee deep"),
        ("km", "ទឹកជ្រៅប៉ុណ្ណា?", "ជ្រៅដល់ជង្គង់"),
    ]:
        categories = anonymous.get("/api/v1/categories", HTTP_ACCEPT_LANGUAGE=language).json()
        [depth] = next(c for c in categories if c["code"] == "flooding")["attributes"]
        assert depth["description"] == question
        assert {v["key"]: v["name"] for v in depth["values"]}["knee"] == choice


def test_status_and_role_labels_follow_the_caller(resident, staff):
    body = resident.post_json("/api/v1/reports", report_payload(), HTTP_ACCEPT_LANGUAGE="km").json()
    assert body["status"] == "submitted" and body["status_label"] == expected("Submitted", "km")
    assert body["timeline"][0]["kind_label"] == expected("Reported", "km")
    staff["staff842"]  # the account exists once signed in through the fixture
    login = ApiClient().post_json(
        "/api/v1/staff/login",
        {"username": "staff842", "password": "staff-password"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert login.json()["role_label"] == "Cán bộ đơn vị"


def test_each_item_of_a_page_speaks_each_callers_language(resident, staff):
    """A page builds what its items share once (backend.reports.schemas.Shared):
    each item still speaks the caller's language, and the next caller's own."""
    from backend.catalogue.models import Category

    for category in ("pothole", "flooding", "pothole"):
        resident.post_json("/api/v1/reports", report_payload(category=category))
    names = {c.code: c for c in Category.objects.filter(code__in=["pothole", "flooding"])}
    for language in ("km", "en", "vi", "km"):
        for client, path in ((staff["staff842"], "/api/v1/staff/tickets"),
                             (resident, "/api/v1/me/reports")):  # fmt: skip
            items = client.get(path, HTTP_ACCEPT_LANGUAGE=language).json()["items"]
            assert len(items) == 3
            for item in items:
                category = names[item["category"]["code"]]
                assert item["category"]["name"] == getattr(category, f"name_{language}")
                assert item["status_label"] == expected("Submitted", language)
                assert item["areas"][0]["level_label"] != ""
            labels = {item["areas"][-1]["level_label"] for item in items}
            assert len(labels) == 1


def test_a_push_and_an_inbox_entry_are_in_each_recipients_language_with_local_time(
    fcm, resident, staff, run_jobs, time_machine, django_capture_on_commit_callbacks
):
    from backend.reports.sla import escalate_overdue
    from tests.notifications.test_push import register

    lead = staff["lead842"]
    register(lead, "fcm-token-lead-" + "k" * 40, "km")
    register(resident, "fcm-token-an-" + "v" * 40, "vi")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = resident.post_json("/api/v1/reports", report_payload()).json()
    run_jobs()
    # The deadline at 03:00 UTC is 10:00 in the service area (UTC+7).
    due = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    Report.objects.filter(id=ticket["id"]).update(due_at=due)
    time_machine.move_to(due + timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        escalate_overdue()
    run_jobs()
    ref = ticket["reference"]
    [push] = [
        r for r in fcm.to("fcm-token-lead-" + "k" * 40) if r.message["data"]["kind"] == "overdue"
    ]
    assert push.message["notification"]["title"] == expected(
        "Report %(ref)s is overdue", "km", ref=ref
    )
    body = push.message["notification"]["body"]
    assert "10:00" in body and "03:00" not in body
    assert body.startswith(expected("Was due %(due)s", "km", due="")[:5])
    # The same entry in the lead's inbox, asked for in Vietnamese and in English.
    for language, title in [
        ("vi", f"Phản ánh {ref} quá hạn"),
        ("en", f"Report {ref} is overdue"),
    ]:
        inbox = lead.get("/api/v1/me/notifications", HTTP_ACCEPT_LANGUAGE=language).json()
        entry = next(n for n in inbox["items"] if n["kind"] == "overdue")
        assert entry["title"] == title
        assert "10:00" in entry["body"]
    # A staff member's action in English reaches the resident's phone in Vietnamese.
    with django_capture_on_commit_callbacks(execute=True):
        staff["staff842"].post_json(
            f"/api/v1/staff/tickets/{ticket['id']}/status",
            {"status": "acknowledged", "message": "OK"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    run_jobs()
    told = [
        r
        for r in fcm.to("fcm-token-an-" + "v" * 40)
        if r.message["data"]["kind"] == "status_changed"
    ]
    assert told[0].message["notification"]["title"] == f"Phản ánh {ref} đã tiếp nhận"


def test_an_unknown_language_falls_back_to_vietnamese(anonymous):
    response = anonymous.get("/api/v1/nothing-here", HTTP_ACCEPT_LANGUAGE="fr-FR, de")
    assert response.json()["error"]["message"] == expected("Not found.", "vi")
    outside = anonymous.get("/api/v1/areas/locate?lat=0&lon=0", HTTP_ACCEPT_LANGUAGE="ja")
    assert outside.json()["error"]["message"] == "Vị trí này nằm ngoài địa bàn dịch vụ phục vụ."


def _error_types() -> set[str]:
    """Every error of the one error shape (ServiceError and all its kinds,
    wherever they are defined), and the helpers that make one."""
    from django.urls import get_resolver

    from backend.errors import ServiceError

    get_resolver().url_patterns  # noqa: B018 - imports every router, and so every error kind
    kinds, unseen = set(), [ServiceError]
    while unseen:
        kind = unseen.pop()
        kinds.add(kind.__name__)
        unseen += kind.__subclasses__()
    return kinds | {"invalid_image"}


# Functions whose message is their fourth positional argument.
ERROR_SHAPES = {"error_response": 3, "site_error": 3}


def _untranslated_messages(path: Path, error_types: set[str]) -> list[str]:
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        position = 0 if name in error_types else ERROR_SHAPES.get(name or "")
        if position is None or len(node.args) <= position:
            continue
        message = node.args[position]
        if isinstance(message, ast.Constant | ast.JoinedStr):  # a bare literal or f-string
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_error_message_the_api_can_give_goes_through_gettext():
    """Every error is raised with a translated message: with the catalogue test
    above, each code the API can return has its Vietnamese and Khmer text."""
    sources = [
        path
        for folder in ("backend", "mobile_api", "moderation", "notifications", "console")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    ]
    error_types = _error_types()
    assert {"BadCursor", "TooManyAttempts", "NotFound"} <= error_types
    bare = [where for path in sources for where in _untranslated_messages(path, error_types)]
    assert bare == []
