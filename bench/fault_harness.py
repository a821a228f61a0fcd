"""What the fault scenarios of bench/faults.py run on: a PostgreSQL cluster and
a Redis of the benchmark's own (never the machine's), the API's workers, a
resident's requests and a mixed load that records what each request got.

Importing it points the benchmark's database at that cluster, so it comes
before bench.setup_db is read.
"""

import io
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


PORT = 8766
PROXY_PORT = 8767
REDIS_PORT = 6391
PG_PORT = 5442
PG_DATA = ROOT / "var" / "faults-pg"
# Set before bench.setup_db reads it: every scenario's database is on our own cluster.
os.environ["BENCH_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{PG_PORT}/civic_faults"
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
MEDIA_ROOT = str(ROOT / "var" / "faults-media")
SHARED = Path(os.environ.get("SHARED_DATA_DIR", ROOT.parent / "shared" / "data"))
PHOTO = (SHARED / "photos" / "oppo_r7plus_gps.jpg").read_bytes()
CENTRE = (9.9347, 106.3455)  # Trà Vinh city (district 842)

os.environ.update(
    {
        "MEDIA_ROOT": MEDIA_ROOT,
        "DELIVERY_SWEEP_AFTER_SECONDS": "0",
        "EVENT_SWEEP_AFTER_SECONDS": "0",
        "PHOTO_SWEEP_AFTER_SECONDS": "0",
    }
)

from bench.setup_db import BENCH_DATABASE_URL  # noqa: E402

APP_ENV = {
    "REDIS_URL": REDIS_URL,
    "MEDIA_ROOT": MEDIA_ROOT,
    "DATABASE_URL": BENCH_DATABASE_URL,
    "SECRET_KEY": "faults-benchmark-" + "x" * 40,
    "DEBUG": "0",
    "DJANGO_SETTINGS_MODULE": "backend.settings",
}


class OwnPostgres:
    """A PostgreSQL cluster of this script's own, in var/faults-pg, run by the
    postgres user with the machine's PostgreSQL binaries."""

    def __init__(self) -> None:
        versions = sorted(Path("/usr/lib/postgresql").iterdir())
        self.bin = versions[-1] / "bin"

    def _as_postgres(self, *command: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip

    def start(self) -> None:
        if not (PG_DATA / "PG_VERSION").exists():
            PG_DATA.mkdir(parents=True, exist_ok=True)
            shutil.chown(PG_DATA, "postgres", "postgres")
            self._as_postgres(str(self.bin / "initdb"), "-D", str(PG_DATA), "-A", "trust",
                              "-U", "postgres", "--no-sync")  # fmt: skip
        self._pg_ctl("start", "-w")

    def _pg_ctl(self, *action: str) -> None:
        options = f"-p {PG_PORT} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(PG_DATA), "-o", options,
                          "-l", str(PG_DATA / "log"), *action)  # fmt: skip

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast", "-w")

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "fast", "-w")


def start_redis() -> subprocess.Popen:
    from tests.redis_server import start_redis as start

    return start(REDIS_PORT)


def start_worker(**env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker"],
        cwd=ROOT,
        env={**os.environ, **APP_ENV, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its group: the worker and the work horse it forks per job
    )


def run_worker_burst(**env: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "run_worker", "--burst"],
        cwd=ROOT,
        env={**os.environ, **APP_ENV, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.stderr


def new_report(session: requests.Session, base: str, token: str, report_id: str):
    return session.post(
        f"{base}/api/v1/reports",
        json={
            "id": report_id,
            "category": "pothole",
            "description": "Ổ gà sâu trước chợ, thử sự cố",
            "lat": CENTRE[0],
            "lon": CENTRE[1],
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
    )


def add_photo(session: requests.Session, base: str, token: str, report_id: str, data: bytes):
    return session.post(
        f"{base}/api/v1/reports/{report_id}/photos",
        files={"photo": ("photo.jpg", data, "image/jpeg")},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def distinct_photo() -> bytes:
    """A JPEG of random coloured blocks, perceptually unlike any other photo."""
    from PIL import Image

    blocks = Image.new("RGB", (8, 6))
    blocks.putdata([tuple(random.randrange(256) for _ in range(3)) for _ in range(48)])
    out = io.BytesIO()
    blocks.resize((640, 480), Image.Resampling.NEAREST).save(out, "JPEG", quality=85)
    return out.getvalue()


def verdict(ok: bool) -> bool:
    print("PASS" if ok else "FAIL")
    return ok


class MixedLoad:
    """Four residents, each creating a report and viewing one in turn, for a
    while; what each request got is kept with its time."""

    def __init__(self, identities, base: str, report_ids: list[str], seconds: float) -> None:
        self.identities, self.base, self.report_ids = identities, base, report_ids
        self.seen: list[tuple[float, str, int, str]] = []  # (time, kind, status, error code)
        self.posted: dict[str, int] = {}  # report id -> status of its creation
        self.sender: dict[str, str] = {}  # report id -> the token that sent it
        self.lock = threading.Lock()
        self.started = time.monotonic()
        self.stop_at = self.started + seconds
        self.threads = [threading.Thread(target=self.client, args=(n,)) for n in range(4)]
        for thread in self.threads:
            thread.start()

    def now(self) -> float:
        return time.monotonic() - self.started

    def client(self, n: int) -> None:
        session = requests.Session()
        token = self.identities.residents[n]
        i = 0
        while time.monotonic() < self.stop_at:
            i += 1
            try:
                if i % 2:
                    kind, report_id = "create", str(uuid.uuid4())
                    response = new_report(session, self.base, token, report_id)
                else:
                    kind, report_id = "view", self.report_ids[i % len(self.report_ids)]
                    response = session.get(f"{self.base}/api/v1/reports/{report_id}", timeout=15)
                code = ""
                if response.status_code >= 400:
                    code = (response.json().get("error") or {}).get("code", "?")
                status = response.status_code
            except (requests.RequestException, ValueError) as error:
                status, code = 0, type(error).__name__
            with self.lock:
                self.seen.append((self.now(), kind, status, code))
                if kind == "create":
                    self.posted[report_id] = status
                    self.sender[report_id] = token
            time.sleep(0.02)

    def join(self) -> None:
        for thread in self.threads:
            thread.join()


POSTGRES = OwnPostgres()
