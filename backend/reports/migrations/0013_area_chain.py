"""Reports point at the smallest area they lie in (its chain is the area
tree's), and at the area whose managers oversee them: the district-scoped
columns become `area` and `managing_area`, with no report's routing lost.
A report's area is its commune where it had one, else its district; a ticket
of a province-wide unit, which no district manager oversaw, is managed at
the unit's area (the province)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce

OPEN = ["submitted", "acknowledged", "in_progress", "waiting"]
IN_QUEUE = ~models.Q(visibility="held")


def smallest_area_and_manager(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    Unit = apps.get_model("areas", "Unit")
    Report.objects.filter(commune__isnull=False).update(area=models.F("commune"))
    unit_area = Unit.objects.filter(id=OuterRef("unit_id")).values("area_id")[:1]
    Report.objects.filter(managing_area__isnull=True).update(
        managing_area=Coalesce(Subquery(unit_area), models.F("area"))
    )


def queue_indexes() -> list:
    return [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=IN_QUEUE & models.Q(status__in=OPEN),
                fields=["managing_area", "due_at", "id"],
                name="queue_area_due_open",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=IN_QUEUE, fields=["managing_area", "due_at", "id"], name="queue_area_due"
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=IN_QUEUE,
                fields=["managing_area", "-created_at", "-id"],
                name="queue_area_new",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=IN_QUEUE,
                fields=["managing_area", "status", "due_at", "id"],
                name="queue_area_status",
            ),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0003_area_levels_ancestry_triage"),
        ("reports", "0012_fewer_report_indexes"),
    ]

    operations = [
        *[
            migrations.RemoveIndex(model_name="report", name=name)
            for name in (
                "queue_dist_due_open",
                "queue_dist_due",
                "queue_dist_new",
                "queue_dist_status",
                "stats_district_period",
            )
        ],
        migrations.RenameField("report", "district", "area"),
        migrations.RenameField("report", "managing_district", "managing_area"),
        migrations.RunPython(smallest_area_and_manager, migrations.RunPython.noop),
        migrations.RemoveField("report", "commune"),
        migrations.AlterField(
            model_name="report",
            name="managing_area",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="areas.area",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="escalation_level",
            field=models.PositiveSmallIntegerField(
                default=0, help_text="0 none, 1 unit lead told, 2 area manager told"
            ),
        ),
        *queue_indexes(),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                fields=["area", "created_at"],
                include=[
                    "status",
                    "acknowledged_at",
                    "resolved_at",
                    "due_at",
                    "rating",
                    "reopened_count",
                    "category",
                ],
                name="stats_area_period",
            ),
        ),
    ]
