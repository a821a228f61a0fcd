"""Levels become data (AreaLevel per edition), the area tree gets its closure
(AreaAncestry), and units can be triage desks. The levels of existing editions
were the fixed province / district / commune."""

import django.db.models.deletion
from django.db import migrations, models

LEGACY_LEVELS = {
    "province": (0, "tỉnh / thành phố", "province / city", "ខេត្ត / ក្រុង"),
    "district": (1, "huyện / quận / thị xã / thành phố", "district / town / city",
                 "ស្រុក / ខណ្ឌ / ក្រុង"),
    "commune": (2, "xã / phường / thị trấn", "commune / ward / township",
                "ឃុំ / សង្កាត់ / ទីប្រជុំជន"),
}  # fmt: skip


def levels_and_closure(apps, schema_editor):
    Area = apps.get_model("areas", "Area")
    AreaLevel = apps.get_model("areas", "AreaLevel")
    AreaAncestry = apps.get_model("areas", "AreaAncestry")
    levels = {}
    for edition, code in Area.objects.values_list("edition", "level").distinct():
        depth, vi, en, km = LEGACY_LEVELS.get(code, (len(LEGACY_LEVELS), code, code, ""))
        levels[edition, code] = AreaLevel.objects.create(
            edition=edition, code=code, depth=depth, label_vi=vi, label_en=en, label_km=km
        )
    areas = {a.id: a for a in Area.objects.only("id", "edition", "level", "parent_id")}
    rows = []
    for area in areas.values():
        distance, current = 0, area
        while current is not None:
            rows.append(
                AreaAncestry(
                    area_id=area.id,
                    ancestor_id=current.id,
                    ancestor_level=levels[current.edition, current.level],
                    distance=distance,
                )
            )
            distance += 1
            current = areas.get(current.parent_id)
    AreaAncestry.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("areas", "0002_routingrule_updated_at_unit_updated_at")]

    operations = [
        migrations.CreateModel(
            name="AreaLevel",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("edition", models.CharField(max_length=40)),
                ("code", models.SlugField(help_text="e.g. province, district, commune",
                                          max_length=40)),
                ("depth", models.PositiveSmallIntegerField(help_text="0 for the largest areas")),
                ("label_vi", models.CharField(max_length=100)),
                ("label_en", models.CharField(max_length=100)),
                ("label_km", models.CharField(blank=True, max_length=100)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["edition", "depth"],
                "constraints": [
                    models.UniqueConstraint(fields=("edition", "code"),
                                            name="area_level_code_unique"),
                    models.UniqueConstraint(fields=("edition", "depth"),
                                            name="area_level_depth_unique"),
                ],
            },
        ),
        migrations.AlterField(
            model_name="area",
            name="level",
            field=models.CharField(help_text="Code of one of its edition's levels", max_length=40),
        ),
        migrations.AddField(
            model_name="unit",
            name="is_triage",
            field=models.BooleanField(
                default=False,
                help_text="Takes what no routing rule covers in its area, to send on by hand",
            ),
        ),
        migrations.CreateModel(
            name="AreaAncestry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("distance", models.PositiveSmallIntegerField(help_text="0 for the area itself")),
                ("via_reform", models.BooleanField(default=False)),
                ("ancestor", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                               related_name="descendancies", to="areas.area")),
                ("ancestor_level", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                     related_name="+", to="areas.arealevel")),
                ("area", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                           related_name="ancestries", to="areas.area")),
            ],
            options={
                "indexes": [models.Index(fields=["ancestor", "area"], name="area_descendants")],
                "constraints": [
                    models.UniqueConstraint(fields=("area", "ancestor"),
                                            name="area_ancestry_unique")
                ],
            },
        ),
        migrations.RunPython(levels_and_closure, migrations.RunPython.noop),
    ]
