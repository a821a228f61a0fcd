"""Probes for the process manager and the load balancer."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema, Status

router = Router(tags=["health"], auth=None)


class HealthOut(Schema):
    status: str
    checks: dict[str, str] = {}


@router.get("/healthz", response={200: HealthOut})
def healthz(request: HttpRequest):
    """The process is up (it answers without touching the database or Redis)."""
    return HealthOut(status="ok")


@router.get("/readyz", response={200: HealthOut, 503: HealthOut})
def readyz(request: HttpRequest):
    """The instance can take traffic: the database answers (503 if not).

    Redis is checked and reported, but does not make the instance unready:
    without it reports are still accepted and their jobs wait in the database
    (status "degraded"), whereas an unready instance takes no traffic at all."""
    checks = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis()
    if checks["database"] != "ok":
        return Status(503, HealthOut(status="unavailable", checks=checks))
    ok = all(value == "ok" for value in checks.values())
    return Status(200, HealthOut(status="ok" if ok else "degraded", checks=checks))


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as error:  # any failure means not ready
        return f"error: {type(error).__name__}"


def _check_redis() -> str:
    from backend.jobs import redis_connection

    try:
        redis_connection().ping()
        return "ok"
    except Exception as error:
        return f"error: {type(error).__name__}"
