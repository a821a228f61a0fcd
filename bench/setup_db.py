"""A PostgreSQL database of its own for the benchmarks, prepared once and reused."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/civic_bench"
)


def setup_django(keep_redis: bool = False) -> None:
    """Point Django at the benchmark database (created if missing) and migrate it.
    Jobs run in-process unless keep_redis (then REDIS_URL says where they go)."""
    import psycopg

    sys.path.insert(0, str(ROOT))
    name = BENCH_DATABASE_URL.rsplit("/", 1)[1]
    admin_url = BENCH_DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")  # benchmarks speak plain HTTP in process
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    if not keep_redis:
        os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from backend.areas.models import Area
    from backend.demo.seed import load_tra_vinh

    if not Area.objects.exists():
        load_tra_vinh()


def ensure_reports(count: int) -> None:
    from backend.reports.models import Report
    from bench.seed import seed_reports

    have = Report.objects.count()
    if have < count:
        print(f"seeding {count - have:,} reports (once; kept in the benchmark database)...")
        seed_reports(count - have, seed=have + 1)


def vacuum(*models: type) -> None:
    """VACUUM ANALYZE these models' tables. This machine's PostgreSQL runs with
    autovacuum off; a benchmark that deletes and rewrites thousands of rows per
    run would otherwise measure its own dead rows, more of them each run."""
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
