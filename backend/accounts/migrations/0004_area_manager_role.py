"""A manager manages an area of any level: district managers become area managers."""

from django.db import migrations, models


def rename_role(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(role="district_manager").update(role="area_manager")


def restore_role(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(role="area_manager").update(role="district_manager")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_reports_banned_until")]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                choices=[
                    ("resident", "Resident"),
                    ("staff", "Unit staff"),
                    ("unit_lead", "Unit lead"),
                    ("area_manager", "Area manager"),
                    ("moderator", "Moderator"),
                    ("official", "Provincial official"),
                    ("admin", "Administrator"),
                ],
                default="resident",
                max_length=20,
            ),
        ),
        migrations.RunPython(rename_role, restore_role),
    ]
