"""Trigram indexes for the staff queue's text search (PostgreSQL only; SQLite,
the embedded default, searches without them)."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS report_description_trgm "
    "ON reports_report USING gin (upper(description) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS report_address_trgm "
    "ON reports_report USING gin (upper(address) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS report_description_trgm",
    "DROP INDEX IF EXISTS report_address_trgm",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_staff_queue_indexes")]
    operations = [migrations.RunPython(run(CREATE), run(DROP))]
