import io
import os
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.test import Client

from backend import reference_data
from backend.accounts import firebase
from backend.accounts.models import Role, User
from backend.areas.models import Area, Unit
from backend.demo.seed import load_tra_vinh
from tests.firebase_tokens import TokenFactory
from tests.reports.helpers import TRA_CU_TOWN, report_payload


@pytest.fixture(scope="session", autouse=True)
def _real_services_only():
    """The suite claims PostgreSQL and Redis behaviour: refuse to run on anything else."""
    from django.conf import settings

    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), (
        "Run the tests with `make test` (PostgreSQL and Redis)."
    )
    assert settings.REDIS_URL, "Run the tests with `make test` (PostgreSQL and Redis)."
    assert not os.environ.get("FIREBASE_AUTH_EMULATOR_HOST"), "tests verify real RS256 tokens"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Trà Vinh's areas, the catalogue and units, loaded once for the whole run."""
    with django_db_blocker.unblock():
        load_tra_vinh()


@pytest.fixture(autouse=True)
def _fresh_process_state(settings):
    # A fast hasher: the suite signs staff in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    reference_data.invalidate_all()
    firebase._verified.clear()  # a token remembered by an earlier test is verified again
    yield
    reference_data.invalidate_all()


@pytest.fixture
def tra_vinh(db) -> None:
    """For transactional tests, which empty the database after them."""
    if not Area.objects.exists():
        load_tra_vinh()
    reference_data.invalidate_all()


@pytest.fixture(scope="session")
def tokens() -> TokenFactory:
    return TokenFactory()


class ApiClient(Client):
    """A test client that sends JSON and a bearer token."""

    def __init__(self, token: str | None = None, **defaults):
        if token:
            defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        super().__init__(**defaults)

    def post_json(self, path: str, data: object, **extra):
        return self.post(path, data=data, content_type="application/json", **extra)

    def post_photo(self, path: str, data: bytes, name: str = "photo.jpg", **fields):
        """One photo, multipart; the client declares its type from the file name."""
        file = io.BytesIO(data)
        file.name = name
        return self.post(path, {"photo": file, **fields})


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient()


@pytest.fixture
def resident_token(tokens) -> str:
    return tokens.token("resident-an")


@pytest.fixture
def resident(db, resident_token) -> ApiClient:
    return ApiClient(resident_token)


@pytest.fixture
def other_resident(db, tokens) -> ApiClient:
    return ApiClient(tokens.token("resident-binh", phone_number="+84912345678"))


def make_staff(username: str, role: str, unit_code: str | None, area_code: str) -> User:
    return User.objects.create_user(
        username=username,
        password="staff-password",
        role=role,
        unit=Unit.objects.filter(code=unit_code).first(),
        scope_area=Area.objects.active().get(code=area_code),
    )


@pytest.fixture
def media(settings):
    """An empty media folder for the test; returns its path."""
    import shutil
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run what is queued in Redis with a real rq worker until the queues are
    empty, the jobs that each job queues after its commit included (the
    timeline's dispatch queues the pushes)."""
    from rq import SimpleWorker

    from backend.jobs import queue, redis_connection

    def run() -> None:
        queues = [queue("default"), queue("notifications")]
        for _round in range(10):
            if not any(q.count for q in queues):
                return
            with django_capture_on_commit_callbacks(execute=True):
                SimpleWorker(queues, connection=redis_connection()).work(burst=True)

    return run


@pytest.fixture
def redis_down(settings):
    """A context manager: Redis is unreachable inside it (nothing listens on
    port 1), and the test's own Redis is back after it."""
    from backend.jobs import redis_connection

    @contextmanager
    def down():
        previous = settings.REDIS_URL
        settings.REDIS_URL = "redis://127.0.0.1:1/0"
        redis_connection.cache_clear()
        try:
            yield
        finally:
            settings.REDIS_URL = previous
            redis_connection.cache_clear()

    return down


@pytest.fixture
def fcm(settings):
    """A local FCM server, with firebase-admin pointed at it."""
    from notifications import fcm as fcm_module
    from tests.fcm_server import FcmServer

    server = FcmServer()
    settings.NOTIFICATION_SENDER = "fcm"
    settings.FCM_ENDPOINT = server.url
    settings.FCM_ACCESS_TOKEN = "local-test-access-token"
    fcm_module.reset()
    yield server
    fcm_module.reset()
    server.stop()


ROLES = {
    "staff842": (Role.STAFF, "urban-842", "842"),
    "lead842": (Role.UNIT_LEAD, "urban-842", "842"),
    "manager842": (Role.AREA_MANAGER, None, "842"),
    "staff849": (Role.STAFF, "urban-849", "849"),
    "manager849": (Role.AREA_MANAGER, None, "849"),
    "official": (Role.OFFICIAL, None, "84"),
    "moderator": (Role.MODERATOR, None, "84"),
    "admin": (Role.ADMIN, None, "84"),
}


class StaffClients(dict):
    """staff["manager842"]: that account, created and signed in on first use."""

    def __missing__(self, username: str) -> ApiClient:
        role, unit, area = ROLES[username]
        make_staff(username, role, unit, area)
        response = ApiClient().post_json(
            "/api/v1/staff/login", {"username": username, "password": "staff-password"}
        )
        assert response.status_code == 200, response.content
        self[username] = ApiClient(response.json()["token"])
        return self[username]


@pytest.fixture
def staff(db) -> StaffClients:
    return StaffClients()


@pytest.fixture
def ticket_842(resident):
    return resident.post_json("/api/v1/reports", report_payload()).json()


@pytest.fixture
def ticket_849(resident):
    return resident.post_json("/api/v1/reports", report_payload(point=TRA_CU_TOWN)).json()
