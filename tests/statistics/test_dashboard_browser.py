"""The dashboard in a real headless Chromium (Debian's, with its chromedriver)."""

import uuid
from pathlib import Path

import pytest
from django.test import Client
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from backend.accounts.models import Role, User
from backend.areas.models import Area
from backend.reports.services import NewReport, create_report
from tests.reports.helpers import TRA_CU_TOWN, TRA_VINH_MARKET, offset

# Slow: left out of `make test-fast`, run by `make test` and CI.
pytestmark = pytest.mark.slow


ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,900",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


def wait_ready(driver, timeout=20):
    WebDriverWait(driver, timeout).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "yes"
    )


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_shows_hotspots_and_the_table_follows_the_filters(
    live_server, tra_vinh, browser, settings
):
    settings.REPORTS_PER_HOUR = 1000
    resident = User.objects.create(username="dash-resident", firebase_uid="dash-1")
    for north in range(0, 400, 20):
        point = offset(TRA_VINH_MARKET, north_m=north)
        create_report(resident, NewReport(uuid.uuid4(), "pothole", "Ổ gà", *point))
    for _ in range(3):
        create_report(resident, NewReport(uuid.uuid4(), "street-light", "Đèn hỏng", *TRA_CU_TOWN))
    official = User.objects.create_user(
        "dash-official",
        password="x",
        role=Role.OFFICIAL,
        scope_area=Area.objects.active().get(code="84"),
    )
    client = Client()
    client.force_login(official)

    browser.get(f"{live_server.url}/healthz")
    browser.add_cookie(
        {"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"}
    )
    browser.get(f"{live_server.url}/dashboard/")
    wait_ready(browser)
    body = browser.find_element(By.TAG_NAME, "body")
    assert int(body.get_attribute("data-hotspots")) > 0
    assert len(browser.find_elements(By.CSS_SELECTOR, "path.hotspot")) > 0
    rows = browser.find_elements(By.CSS_SELECTOR, "#performance tbody tr")
    assert sorted(r.find_elements(By.TAG_NAME, "td")[0].text for r in rows) == [
        "Huyện Trà Cú",
        "Thành phố Trà Vinh",
    ]
    assert body.get_attribute("data-received") == "23"
    # The weekly trend: a bar per week on an axis that says its scale.
    bars = browser.find_elements(By.CSS_SELECTOR, "#trend rect.bar")
    assert len(bars) == int(body.get_attribute("data-weeks")) >= 1
    labels = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#trend text")]
    assert "0" in labels and "23" in labels  # the axis: zero and the busiest week
    assert len(browser.find_elements(By.CSS_SELECTOR, "#trend line.axis")) == 2
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "dashboard.png"))

    Select(browser.find_element(By.ID, "category")).select_by_value("street-light")
    WebDriverWait(browser, 20).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-received") == "3"
    )
    wait_ready(browser)
    rows = browser.find_elements(By.CSS_SELECTOR, "#performance tbody tr")
    assert [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows] == ["Huyện Trà Cú"]
    browser.save_screenshot(str(ARTIFACTS / "dashboard-street-lights.png"))


@pytest.mark.django_db
def test_the_dashboard_needs_an_official(resident):
    client = Client()
    assert client.get("/dashboard/").status_code == 302
    staff = User.objects.create_user("dash-staff", password="x", role=Role.STAFF)
    client.force_login(staff)
    assert client.get("/dashboard/").status_code == 403
