"""The API under gunicorn with its production settings, for the load and fault
benchmarks: signed-in residents (tokens of the benchmark's own key) and a
staff member of Trà Vinh city's urban unit."""

import http.client
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.setup_db import BENCH_DATABASE_URL

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Identities:
    residents: list[str]  # Firebase ID tokens
    staff_key: str  # the staff member's API token
    staff_id: int
    certificate_file: str  # the public key the API checks the residents' tokens with


def make_identities(residents: int = 64) -> Identities:
    """Needs Django set up on the benchmark database."""
    from django.test import RequestFactory

    from backend.accounts.models import Role, User
    from backend.accounts.tokens import sign_in
    from backend.areas.models import Area, Unit
    from tests.firebase_tokens import TokenFactory

    tokens = TokenFactory()
    with tempfile.NamedTemporaryFile(suffix=".pem", delete=False) as certificate:
        certificate.write(tokens.certificate_pem)
    staff, _ = User.objects.get_or_create(username="load-staff", defaults={"role": Role.STAFF})
    staff.unit = Unit.objects.get(code="urban-842")
    staff.scope_area = Area.objects.active().get(code="842")
    staff.set_password("load-password")
    staff.save()
    staff_key, _, _ = sign_in(RequestFactory().post("/"), "load-staff", "load-password")
    return Identities(
        residents=[tokens.token(f"load-resident-{i}", expires_in=3600) for i in range(residents)],
        staff_key=staff_key,
        staff_id=staff.id,
        certificate_file=certificate.name,
    )


def start_api(port: int, identities: Identities, workers: int = 3, **env: str) -> subprocess.Popen:
    """Start gunicorn and wait until its workers are up; its log goes to var/bench-api.log."""
    try:
        http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
    except OSError:
        pass  # free, as it should be
    else:
        raise RuntimeError(f"something already answers on port {port} (a server left running?)")
    log_file = ROOT / "var" / "bench-api.log"
    log_file.parent.mkdir(exist_ok=True)
    log_start = log_file.stat().st_size if log_file.exists() else 0
    environment = {
        **os.environ,
        "DATABASE_URL": BENCH_DATABASE_URL,
        "REDIS_URL": "redis://127.0.0.1:6379/13",
        "SECRET_KEY": "load-benchmark-" + "x" * 40,
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "REPORTS_PER_HOUR": "1000000",
        "BENCH_CERTIFICATE_FILE": identities.certificate_file,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_MAX_REQUESTS": "0",
        "FIREBASE_AUTH_EMULATOR_HOST": "",
        **env,
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            "infra/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "bench.load_wsgi:application",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe nobody reads: a full pipe would block the workers' logging.
        stderr=open(log_file, "ab"),  # noqa: SIM115 - the server keeps it open
    )
    # Until every worker has booted and warmed up (gunicorn.conf.py logs it): the
    # listening socket accepts connections before any worker is ready.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with log_file.open("rb") as log:
            log.seek(log_start)
            if log.read().count(b"worker warmed up") >= workers:
                break
        time.sleep(0.2)
    else:
        raise RuntimeError(f"the API's workers did not start; see {log_file}")
    return server
