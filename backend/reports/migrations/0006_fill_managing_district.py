from django.db import migrations

BATCH = 2000


def fill(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    todo = Report.objects.filter(managing_district__isnull=True).select_related("unit__area")
    last = None
    while True:
        batch = todo.order_by("id")
        if last is not None:
            batch = batch.filter(id__gt=last)
        rows = list(batch[:BATCH])
        if not rows:
            return
        for report in rows:
            if report.unit is None:
                report.managing_district_id = report.district_id
            elif report.unit.area.level == "district":
                report.managing_district_id = report.unit.area_id
        Report.objects.bulk_update(rows, ["managing_district"])
        last = rows[-1].id


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_trigram_search")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
