import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

ROOT = django_settings.BASE_DIR


def test_healthz_answers_without_dependencies(anonymous):
    assert anonymous.get("/healthz").json() == {"status": "ok", "checks": {}}


def test_readyz_checks_the_database_and_redis(anonymous):
    body = anonymous.get("/readyz").json()
    assert body == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_readyz_stays_ready_but_degraded_when_redis_is_unreachable(anonymous, redis_down):
    # Reports are still accepted without Redis, so the instance keeps its traffic.
    with redis_down():
        response = anonymous.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["redis"].startswith("error")


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_when_the_database_is_unreachable(anonymous):
    from django.db import connection

    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens on port 1
    try:
        response = anonymous.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"].startswith("error")


def test_unknown_path_is_a_json_404(anonymous):
    response = anonymous.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def _settings_import(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "FIREBASE_AUTH_EMULATOR_HOST"}
    }
    return subprocess.run(
        [sys.executable, "-c", "import backend.settings"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_server_refuses_emulator_auth_when_debug_is_off():
    result = _settings_import(
        {"SECRET_KEY": "x", "DEBUG": "0", "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"}
    )
    assert result.returncode != 0
    assert "FIREBASE_AUTH_EMULATOR_HOST" in result.stderr


def test_server_refuses_to_start_without_a_secret_key_in_production():
    result = _settings_import({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_bad_setting_value_stops_the_start():
    result = _settings_import({"SECRET_KEY": "x", "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
    result = _settings_import({"SECRET_KEY": "x", "REPORTS_PER_HOUR": "lots"})
    assert "REPORTS_PER_HOUR must be an integer" in result.stderr


def test_the_cache_may_have_a_redis_of_its_own():
    code = (
        "from backend import settings as s; "
        "print(s.REDIS_URL, s.CACHES['default']['LOCATION'], s.JOBS_INLINE)"
    )
    env = {"SECRET_KEY": "x", "REDIS_URL": "redis://queues:6379/0"}
    for extra, cache_url in (
        ({}, "redis://queues:6379/0"),
        ({"CACHE_REDIS_URL": "redis://cache:6379/0"}, "redis://cache:6379/0"),
    ):
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, **env, **extra},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.split() == ["redis://queues:6379/0", cache_url, "False"]


@pytest.mark.slow
def test_embedded_default_starts_with_demo_data_and_no_postgres_or_redis(tmp_path):
    """The README's first command, minus the serving: SQLite, no Redis, demo data."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    }
    env.update(
        {"DEBUG": "1", "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099", "VAR_DIR": str(tmp_path)}
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "demo", "--no-serve"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Resident token" in result.stdout
    # Every demo account is printed, with its role and area, and the shared password.
    assert "password for all: demo-password" in result.stdout
    assert "/console/" in result.stdout
    for line in ("staff29242", "manager29242", "Phường Trà Vinh", "official", "Tỉnh Vĩnh Long"):
        assert line in result.stdout
    assert (tmp_path / "db.sqlite3").exists()
    import sqlite3

    def one(sql: str):
        return db.execute(sql).fetchone()[0]

    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        # Today's layout, active: the province and its 124 communes and wards.
        active = "from areas_area where retired_at is null"
        assert one(f"select count(*) {active} and level='commune'") == 124
        assert one(f"select count(distinct edition) {active}") == 1
        # The pre-2025 layout, retired, kept as history.
        assert one("select count(*) from areas_area where level='district'") == 9
        assert one("select count(*) from catalogue_category") == 19
        # Sample reports, routed to a unit, on their timelines, some moved on by
        # staff: eight under the 2025 layout, three made under the old one.
        assert one("select count(*) from reports_report where unit_id is not null") == 11
        routed_now = (
            "select count(*) from reports_report r join areas_area a on a.id = r.area_id "
            "where a.retired_at is null"
        )
        assert one(routed_now) == 8
        assert one("select count(distinct status) from reports_report") >= 3
        assert one("select count(*) from reports_reportevent where kind = 'created'") == 11


def test_openapi_documents_every_operation_with_its_errors(anonymous):
    schema = anonymous.get("/api/v1/openapi.json").json()
    operations = [
        (path, method, op)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    ]
    assert len(operations) >= 8
    for path, method, op in operations:
        assert {"200", "201", "204"} & set(op["responses"]), (path, method)
        if path not in ("/healthz", "/readyz"):
            assert any(code.startswith("4") for code in op["responses"]), (path, method)
    assert "ErrorOut" in schema["components"]["schemas"]


@pytest.mark.django_db(transaction=True)
def test_a_request_that_cannot_begin_its_transaction_is_a_503(tokens):
    """Each write is a transaction (AtomicWritesMiddleware): with the database
    down it cannot begin, and the caller hears to retry, in the error shape."""
    from django.db import connection

    client = ApiClient(tokens.token("resident-down"), raise_request_exception=False)
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = client.post_json("/api/v1/reports", {})
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "service_unavailable"


def test_the_openapi_schema_is_built_once_per_process(anonymous, django_assert_num_queries):
    from mobile_api.api import api

    first = anonymous.get("/api/v1/openapi.json")
    assert first.status_code == 200
    assert api._schema is not None
    built = api._schema
    assert anonymous.get("/api/v1/openapi.json").content == first.content
    assert api._schema is built


def test_the_interactive_docs_load_their_assets_from_us(anonymous):
    import re

    page = anonymous.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "an asset from elsewhere"
    assets = re.findall(r"""(?:src|href)=["']([^"']+\.(?:js|css))""", html)
    assert any("swagger-ui-bundle" in a for a in assets), assets
    for asset in assets:
        response = anonymous.get(asset)
        assert response.status_code == 200, asset
        b"".join(response.streaming_content) if response.streaming else response.content
