"""What can be checked of the deployment on this machine: the manifests parse,
name the right commands, environment and probes; production settings pass
Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.test import Client

# Slow: left out of `make test-fast`, run by `make test` and CI.
pytestmark = pytest.mark.slow


ROOT = Path(settings.BASE_DIR)
INFRA = ROOT / "infra"
SETTINGS_READ = (ROOT / "backend" / "settings.py").read_text()
WORKER_COMMAND = ["python", "manage.py", "run_worker"]


def test_manage_py_check_deploy_is_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"SECURE_SSL_REDIRECT", "DEBUG"}}
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "api.example.gov.vn",
            "CORS_ALLOWED_ORIGINS": "https://dashboard.example.gov.vn",
            "FIREBASE_AUTH_EMULATOR_HOST": "",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_dockerfile_is_multi_stage_non_root_with_a_health_check():
    text = (INFRA / "Dockerfile").read_text()
    assert text.count("\nFROM ") + text.startswith("FROM ") >= 2
    assert "\nUSER civic" in text
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert "uv sync --frozen --no-dev" in text


def _env_names(values: dict) -> set[str]:
    return {name for name in values if not name.startswith("x-")}


def test_compose_runs_database_redis_api_worker_and_scheduler():
    compose = yaml.safe_load((INFRA / "compose.yaml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "api", "worker", "scheduler", "migrate"} <= set(services)
    assert (
        "gunicorn" in services["api"]["command"]
        and "infra/gunicorn.conf.py" in services["api"]["command"]
    )
    assert services["worker"]["command"] == WORKER_COMMAND
    assert (
        services["scheduler"]["command"][:2] == ["rq", "cron"]
        and "backend/cron.py" in services["scheduler"]["command"]
    )
    for name in _env_names(services["api"]["environment"]):
        assert f'"{name.removesuffix("_FILE")}"' in SETTINGS_READ, name
    assert "/readyz" in str(services["api"]["healthcheck"])


def test_kubernetes_manifests_name_the_right_commands_env_and_probes():
    documents = list(yaml.safe_load_all((INFRA / "k8s" / "app.yaml").read_text()))
    by_name = {(d["kind"], d["metadata"]["name"]): d for d in documents}
    api = next(
        c
        for c in by_name[("Deployment", "civic-api")]["spec"]["template"]["spec"]["containers"]
        if c["name"] == "api"
    )
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert "backend.wsgi:application" in api["command"]
    worker = by_name[("Deployment", "civic-worker")]["spec"]["template"]["spec"]["containers"][0]
    assert worker["command"] == WORKER_COMMAND
    pod = by_name[("Deployment", "civic-api")]["spec"]["template"]["spec"]
    proxy = next(c for c in pod["containers"] if c["name"] == "proxy")
    assert {"name": "API_UPSTREAM", "value": "127.0.0.1:8000"} in proxy["env"]
    service = by_name[("Service", "civic-api")]["spec"]["ports"][0]
    assert service["targetPort"] == 8080, "traffic enters through the buffering proxy"
    scheduler = by_name[("Deployment", "civic-scheduler")]
    assert scheduler["spec"]["replicas"] == 1
    assert "backend/cron.py" in " ".join(
        scheduler["spec"]["template"]["spec"]["containers"][0]["command"]
    )
    assert ("HorizontalPodAutoscaler", "civic-api") in by_name
    assert by_name[("Job", "civic-migrate")]["spec"]["template"]["spec"]["containers"][0][
        "command"
    ][-2:] == ["migrate", "--noinput"]
    for name in by_name[("ConfigMap", "civic-config")]["data"]:
        assert f'"{name}"' in SETTINGS_READ or name == "FORWARDED_ALLOW_IPS", name
    for document in documents:
        if document["kind"] in ("Deployment", "Job"):
            assert document["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


def test_the_probes_the_manifests_name_exist(db):
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/readyz").status_code == 200


def test_gunicorn_config_loads():
    namespace: dict = {}
    exec(compile((INFRA / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    assert namespace["bind"].startswith("0.0.0.0:")
    assert namespace["max_requests"] > 0


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    from django.core.management import call_command

    # Exits with an error (and names the app) when a model differs from its migrations.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_the_worker_command_runs_jobs_that_use_the_models():
    """The deployed worker command, run for real: jobs import Django models, so
    the worker must set Django up before its first job."""
    from backend.jobs import queue
    from backend.photos.processing import process_photo

    job = queue().enqueue(process_photo, "00000000-0000-0000-0000-000000000000")
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        + "/"
        + settings.DATABASES["default"]["NAME"],  # the test database
    }
    subprocess.run(
        [sys.executable, *WORKER_COMMAND[1:], "--burst"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )
    job.refresh()
    assert job.is_finished, job.latest_result().exc_string
    assert job.return_value() == "skipped"  # no such photo: the job ran and looked


def test_the_proxy_answers_its_own_refusals_in_the_error_shape(tmp_path):
    """nginx refuses what it will not pass on (a 414, a 413, an API that does
    not answer) in the API's JSON error shape, never an HTML page."""
    import socket

    import requests

    from tests.nginx_proxy import start_proxy

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proxy = start_proxy(tmp_path, "127.0.0.1:1", port)  # no API behind it
    try:
        base = f"http://127.0.0.1:{port}"
        too_long = requests.get(f"{base}/api/v1/reports?q={'x' * 9000}", timeout=5)
        too_large = requests.post(
            f"{base}/api/v1/photos", data=b"x" * (22 * 1024 * 1024), timeout=30
        )
        unavailable = requests.get(f"{base}/api/v1/categories", timeout=5)
    finally:
        proxy.terminate()
        proxy.wait()
    for response, status, code in (
        (too_long, 414, "uri_too_long"),
        (too_large, 413, "request_too_large"),
        (unavailable, 503, "service_unavailable"),
    ):
        assert response.status_code == status
        assert response.headers["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == code
    assert unavailable.headers["Retry-After"] == "5"


def test_compose_puts_the_buffering_proxy_in_front_and_restarts_what_stops():
    compose = yaml.safe_load((INFRA / "compose.yaml").read_text())
    services = compose["services"]
    assert "ports" not in services["api"], "the API is reached only through the proxy"
    proxy = services["proxy"]
    assert proxy["ports"] == ["8000:8080"]
    assert proxy["environment"]["API_UPSTREAM"] == "api:8000"
    assert services["api"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    for name in ("proxy", "api", "worker", "scheduler"):
        assert services[name]["restart"] == "unless-stopped", name
