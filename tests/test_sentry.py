"""An exception in a view and in a job reaches a local server standing in for
Sentry, through the real sentry-sdk, with no token, phone, email or IP in it."""

import gzip
import json
import os
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings

# Slow: left out of `make test-fast`, run by `make test` and CI.
pytestmark = pytest.mark.slow

SCRIPT = r"""
import os, sys
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
from backend.demo.seed import load_tra_vinh
load_tra_vinh()
from backend.accounts.emulator import emulator_id_token
token = emulator_id_token("sentry-resident", "+84901234567")
response = Client().post(
    "/api/v1/reports",
    data={"id": "5d0c8a4e-2f0b-4b8e-9a51-0d6f4b1c2a10", "category": "pothole",
          "description": "Gọi tôi 0912345678", "lat": 9.9472, "lon": 106.3372},
    content_type="application/json",
    HTTP_AUTHORIZATION=f"Bearer {token}",
    REMOTE_ADDR="203.0.113.9",
    HTTP_X_FORWARDED_FOR="203.0.113.9",
)
print("view status", response.status_code)
# A staff sign-in that breaks after it was handed the password.
from django.conf import settings
settings.AUTHENTICATION_BACKENDS = ["tests.sentry_support.BrokenBackend"]
from backend.accounts.models import Role, User
User.objects.create_user(username="planted-staff", password="x", role=Role.STAFF)
print("login status", Client(raise_request_exception=False).post(
    "/api/v1/staff/login",
    data={"username": "planted-staff", "password": "Planted-Pa55word!"},
    content_type="application/json", REMOTE_ADDR="203.0.113.9",
).status_code)
# An Open311 POST that breaks in screening, with its client's key and a contact.
from open311.models import ClientApplication, hash_key
ClientApplication.objects.create(name="fms", key_hash=hash_key("planted-api-key-0123456789abcdef"))
print("open311 status", Client(raise_request_exception=False).post(
    "/open311/v2/requests.json",
    data={"api_key": "planted-api-key-0123456789abcdef", "service_code": "pothole",
          "lat": "9.9472", "long": "106.3372", "description": "Ổ gà",
          "first_name": "Nguyễn Thị", "last_name": "Plantedname",
          "email": "planted.contact@example.com", "phone": "0911222333"},
    REMOTE_ADDR="203.0.113.9",
).status_code)
# A device registration that breaks once its token was written.
from django.db.models.signals import post_save
from notifications.models import Device
from tests.sentry_support import broken_receiver
post_save.connect(broken_receiver, sender=Device)
print("device status", Client(raise_request_exception=False).post(
    "/api/v1/devices",
    data={"token": "planted-fcm-device-token-AbCdEf0123456789xyz", "platform": "android"},
    content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
    REMOTE_ADDR="203.0.113.9",
).status_code)
from rq import SimpleWorker
from backend.jobs import queue, redis_connection
queue("sentry-test").enqueue("tests.sentry_support.broken_job", "0987654321")
SimpleWorker([queue("sentry-test")], connection=redis_connection()).work(burst=True)
import sentry_sdk
sentry_sdk.flush(timeout=10)
print("token", token)
"""


class SentryStandIn:
    def __init__(self) -> None:
        self.envelopes: list[bytes] = []
        received = self.envelopes

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                received.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.port = self.httpd.server_address[1]


def events(envelopes: list[bytes]) -> list[dict]:
    found = []
    for envelope in envelopes:
        for line in envelope.split(b"\n"):
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and "exception" in item:
                found.append(item)
    return found


def test_errors_reach_sentry_without_personal_data(tmp_path):
    server = SentryStandIn()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update(
        {
            "DEBUG": "1",
            "VAR_DIR": str(tmp_path),
            "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099",
            "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.port}/42",
            "REPORT_SCREENING_HOOK": "tests.sentry_support.broken_screening",
            "REDIS_URL": "redis://127.0.0.1:6379/14",
            # A fresh database each run, so a cache of its own: what an earlier
            # run kept (a sign-in naming an account by id) is not this one's.
            "CACHE_KEY_PREFIX": f"sentry-test-{uuid.uuid4().hex}",
            "JOBS_INLINE": "0",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    server.httpd.shutdown()
    assert result.returncode == 0, result.stderr[-2000:]
    for status in ("view status 500", "login status 500", "open311 status 500"):
        assert status in result.stdout, result.stdout
    assert "device status 500" in result.stdout, result.stdout
    token = result.stdout.split("token ")[-1].strip()
    found = events(server.envelopes)
    kinds = {e["exception"]["values"][-1]["type"] for e in found}
    assert {"RuntimeError", "ValueError", "LookupError", "ConnectionError"} <= kinds
    raw = b"".join(server.envelopes).decode("utf-8", "replace")
    for secret in (
        "0901234567",
        "+84901234567",
        "0912345678",
        "0987654321",
        "an.nguyen@example.com",
        "203.0.113.9",
        token,
        "Planted-Pa55word!",
        "planted-api-key-0123456789abcdef",
        "Plantedname",
        "planted.contact@example.com",
        "0911222333",
        "planted-fcm-device-token-AbCdEf0123456789xyz",
    ):
        assert secret not in raw, secret
