"""The container image is built from the checkout (`COPY . .`): what
.dockerignore leaves in is what ships. Read with docker-py's own
implementation of .dockerignore's rules."""

from pathlib import Path

from django.conf import settings
from docker.utils.build import exclude_paths

PRIVATE = [
    ".venv/lib/python3.11/site-packages/x.py",
    ".tools/bin/uv",
    "var/db.sqlite3",
    "var/media/private/originals/5d0c.jpg",
    "var/media/public/photos/5d0c/large.jpg",
    "test-artifacts/console-phone.png",
    "bench/out/load.json",
    ".git/config",
    "backend/__pycache__/settings.cpython-311.pyc",
    "db.sqlite3",
    ".env",
    ".env.production",
    "infra/secret_key.txt",
    "infra/service-account.json",
    "frontend/node_modules/leaflet/package.json",
]
SHIPPED = ["manage.py", "backend/settings.py", "infra/gunicorn.conf.py", "uv.lock"]


def test_the_build_context_holds_no_private_data(tmp_path: Path):
    ignore = (Path(settings.BASE_DIR) / ".dockerignore").read_text()
    for name in [*PRIVATE, *SHIPPED]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    patterns = [line for line in ignore.splitlines() if line and not line.startswith("#")]
    context = set(exclude_paths(str(tmp_path), patterns))
    assert not context & set(PRIVATE), sorted(context & set(PRIVATE))
    assert set(SHIPPED) <= context
