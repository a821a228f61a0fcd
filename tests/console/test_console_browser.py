"""The console in a real headless Chromium on a phone-sized window: a member of
staff's main path, from signing in to a resolved ticket the resident sees."""

import pytest
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from backend.accounts.models import Role
from tests.conftest import ApiClient, make_staff
from tests.photos.images import fixture
from tests.reports.helpers import report_payload
from tests.statistics.test_dashboard_browser import ARTIFACTS, browser  # noqa: F401

pytestmark = pytest.mark.slow


def shot(driver, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"console-{name}.png"))


def sign_in(driver, live_server, username: str) -> None:
    driver.get(f"{live_server.url}/console/login/")
    fill_in_sign_in(driver, username)


def fill_in_sign_in(driver, username: str) -> None:
    """Sign in, and wait until the sign-in page has gone (on a busy machine
    the next page may take a while)."""
    # Elements looked for later may belong to a page still arriving: wait for them.
    driver.implicitly_wait(10)
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys("staff-password")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    # Not the button going stale: while the next page replaces it, Chromium may
    # answer "node does not belong to the document", which no wait ignores.
    WebDriverWait(driver, 20).until(lambda d: "/console/login/" not in d.current_url)


def said(driver, text: str) -> None:
    """The page the last form led to says this (it waits for that page)."""

    def shown(d) -> bool:
        try:
            return any(text in m.text for m in d.find_elements(By.CLASS_NAME, "message"))
        except WebDriverException:  # the next page arrived while reading (stale, or
            return False  # Chromium's "node does not belong to the document")

    WebDriverWait(driver, 20).until(shown)


def submit(driver, form_action_value: str, **fields) -> None:
    """Fill and send the ticket page's form whose action field has this value."""
    form = driver.find_element(
        By.XPATH, f"//form[.//*[@name='action' and @value='{form_action_value}']]"
    )
    for name, value in fields.items():
        element = form.find_element(By.NAME, name)
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            if element.get_attribute("type") != "file":
                element.clear()
            element.send_keys(value)
    button = form.find_element(
        By.XPATH, f".//button[@value='{form_action_value}'] | .//button[not(@value)]"
    )
    button.click()


@pytest.mark.django_db(transaction=True)
def test_staff_acknowledge_reply_add_a_photo_and_resolve_on_a_phone(
    live_server,
    tra_vinh,
    browser,  # noqa: F811 - the dashboard test's fixture
    tokens,
    tmp_path,
):
    resident = ApiClient(tokens.token("resident-browser"))
    ticket = resident.post_json(
        "/api/v1/reports", report_payload(description="Cống bể <b>ngay</b> trước nhà")
    ).json()
    make_staff("staff842", Role.STAFF, "urban-842", "842")
    browser.set_window_size(390, 844)  # a phone
    sign_in(browser, live_server, "staff842")
    shot(browser, "1-queue")
    browser.find_element(By.LINK_TEXT, ticket["reference"]).click()
    assert "<b>ngay</b>" in browser.find_element(By.CLASS_NAME, "description").text
    # The map: the point and its commune's outline, drawn by the page's own script.
    WebDriverWait(browser, 20).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-map") == "ready"
    )
    assert browser.find_elements(By.CSS_SELECTOR, "path.area-outline")
    assert browser.find_elements(By.CSS_SELECTOR, "path.report-point")
    shot(browser, "2-ticket")

    submit(browser, "status", status="acknowledged", message="Đã tiếp nhận, đội sẽ đến.")
    # The browser asks for English: the console answers in it.
    said(browser, "Acknowledged")
    form = browser.find_element(By.XPATH, "//form[.//button[@value='reply']]")
    form.find_element(By.NAME, "message").send_keys("Chiều nay đội sẽ sửa.")
    form.find_element(By.XPATH, ".//button[@value='reply']").click()
    said(browser, "reply was published")
    photo = tmp_path / "after.jpg"
    photo.write_bytes(fixture("nokia_lumia800_gps.jpg"))
    submit(browser, "photo", photo=str(photo))
    said(browser, "photo was added")
    submit(browser, "status", status="in_progress")
    said(browser, "In progress")
    submit(browser, "status", status="resolved", message="Đã sửa xong cống.")
    said(browser, "Resolved")
    shot(browser, "3-resolved")

    seen = resident.get(f"/api/v1/reports/{ticket['id']}").json()
    assert seen["status"] == "resolved"
    public = [e["message"] for e in seen["timeline"] if e["kind"] in ("comment", "status_changed")]
    assert "Chiều nay đội sẽ sửa." in public and "Đã sửa xong cống." in public
    from backend.photos.models import Photo

    assert Photo.objects.filter(report_id=ticket["id"], kind="after").count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_official_signs_in_and_opens_the_dashboard_and_a_scorecard(
    live_server,
    tra_vinh,
    browser,  # noqa: F811 - the dashboard test's fixture
    tokens,
):
    resident = ApiClient(tokens.token("resident-browser-2"))
    for _ in range(2):
        resident.post_json("/api/v1/reports", report_payload())
    make_staff("official", Role.OFFICIAL, None, "84")
    browser.get(f"{live_server.url}/dashboard/")  # not signed in: to the console's sign-in
    assert "/console/login/" in browser.current_url
    fill_in_sign_in(browser, "official")
    WebDriverWait(browser, 20, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "yes"
    )
    assert browser.current_url.endswith("/dashboard/")
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-received") == "2"
    shot(browser, "4-official-dashboard")
    browser.get(f"{live_server.url}/public/areas/842/")
    assert "Thành phố Trà Vinh" in browser.find_element(By.TAG_NAME, "h1").text
    shot(browser, "5-scorecard")


@pytest.mark.django_db(transaction=True)
def test_a_lead_assigns_and_transfers_by_name(
    live_server,
    tra_vinh,
    browser,  # noqa: F811 - the dashboard test's fixture
    tokens,
):
    from backend.reports.models import Report

    resident = ApiClient(tokens.token("resident-browser-3"))
    ticket = resident.post_json("/api/v1/reports", report_payload()).json()
    make_staff("staff842", Role.STAFF, "urban-842", "842")
    make_staff("lead842", Role.UNIT_LEAD, "urban-842", "842")
    sign_in(browser, live_server, "lead842")
    browser.find_element(By.LINK_TEXT, ticket["reference"]).click()
    form = browser.find_element(By.XPATH, "//form[.//*[@name='action' and @value='assign']]")
    Select(form.find_element(By.NAME, "assignee")).select_by_visible_text("staff842")
    form.find_element(By.TAG_NAME, "button").click()
    said(browser, "assigned")
    assert Report.objects.get(id=ticket["id"]).assignee.username == "staff842"
    form = browser.find_element(By.XPATH, "//form[.//*[@name='action' and @value='transfer']]")
    Select(form.find_element(By.NAME, "unit")).select_by_visible_text(
        "Phòng Kinh tế và Hạ tầng Huyện Trà Cú"
    )
    form.find_element(By.NAME, "message").send_keys("Thuộc địa bàn Trà Cú")
    form.find_element(By.TAG_NAME, "button").click()
    said(browser, "transferred")
    shot(browser, "6-lead-transferred")
    assert browser.current_url.endswith("/console/")  # back to the queue: it left the unit
    assert Report.objects.get(id=ticket["id"]).unit.code == "urban-849"


@pytest.mark.django_db(transaction=True)
def test_a_moderator_hides_a_photo_and_rejects_a_held_report(
    live_server,
    tra_vinh,
    browser,  # noqa: F811 - the dashboard test's fixture
    tokens,
):
    from backend.photos.models import Photo
    from backend.reports.models import Report
    from tests.moderation.test_review import RUDE

    resident = ApiClient(tokens.token("resident-browser-4"))
    held = resident.post_json("/api/v1/reports", report_payload(description=RUDE)).json()
    assert held["visibility"] == "held"
    uploaded = resident.post_photo(
        f"/api/v1/reports/{held['id']}/photos", fixture("nokia_lumia800_gps.jpg")
    )
    assert uploaded.status_code == 201, uploaded.content
    make_staff("moderator", Role.MODERATOR, None, "84")
    sign_in(browser, live_server, "moderator")
    browser.find_element(By.LINK_TEXT, "Moderation").click()
    assert held["reference"] in browser.find_element(By.TAG_NAME, "main").text
    shot(browser, "7-moderation")
    form = browser.find_element(By.XPATH, "//form[.//*[@name='action' and @value='hide_photo']]")
    form.find_element(By.NAME, "reason").send_keys("Ảnh có biển số xe")
    form.find_element(By.TAG_NAME, "button").click()
    said(browser, "photo is hidden")
    assert Photo.objects.get(id=uploaded.json()["id"]).hidden
    form = browser.find_element(By.XPATH, "//form[.//*[@name='action' and @value='edit']]")
    text = form.find_element(By.NAME, "text")
    text.clear()
    text.send_keys("Đường ngập sâu, cần xử lý")
    form.find_element(By.NAME, "reason").send_keys("Bỏ lời xúc phạm")
    form.find_element(By.TAG_NAME, "button").click()
    said(browser, "original is kept")
    edited = Report.objects.get(id=held["id"])
    assert edited.public_description == "Đường ngập sâu, cần xử lý"
    assert edited.description == RUDE  # as the resident wrote it
    form = browser.find_element(By.XPATH, "//form[.//*[@name='action' and @value='reject']]")
    form.find_element(By.NAME, "reason").send_keys("Ngôn từ xúc phạm")
    form.find_element(By.TAG_NAME, "button").click()
    said(browser, "rejected")
    assert Report.objects.get(id=held["id"]).status == "rejected"
