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

from django.conf import settings

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
    assert "view status 500" in result.stdout
    token = result.stdout.split("token ")[-1].strip()
    found = events(server.envelopes)
    kinds = {e["exception"]["values"][-1]["type"] for e in found}
    assert {"RuntimeError", "ValueError"} <= kinds
    raw = b"".join(server.envelopes).decode("utf-8", "replace")
    for secret in (
        "0901234567",
        "+84901234567",
        "0912345678",
        "0987654321",
        "an.nguyen@example.com",
        "203.0.113.9",
        token,
    ):
        assert secret not in raw, secret
