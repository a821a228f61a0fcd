"""gunicorn for the API: sync workers (the API is short requests against
PostgreSQL), recycled now and then so that a slow leak cannot grow."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's largest: the proxy in front refuses longer lines first, in the
# API's error shape (infra/nginx/), so gunicorn's own HTML 414 is never seen.
limit_request_line = 8190
limit_request_field_size = 8190


def post_worker_init(worker) -> None:
    """Load what the first request would otherwise pay for (the API's modules
    and the routing index), so that a new or recycled worker does not stall a
    resident's request for seconds."""
    import time

    from django.urls import get_resolver

    started = time.monotonic()
    get_resolver().url_patterns  # noqa: B018 - imports every router
    try:
        from backend.areas.routing import area_index

        area_index()
    except Exception as error:  # the database may be down; the first request builds it
        worker.log.warning("routing index not built at start: %s", error)
    worker.log.info("worker warmed up in %.1f s", time.monotonic() - started)
