"""The three administrator duties (三权分立) as auth groups with their permissions."""

from django.db import migrations


def create_duty_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from security.duties import duty_groups_sync

    # Permissions are normally created after all migrations; the groups need them now.
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    duty_groups_sync(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def remove_duty_groups(apps, schema_editor):
    from security.duties import DUTY_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(name__in=DUTY_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0002_assign_duty_permission"),
        ("portal", "0003_holidays_2025_2026"),
        ("grievances", "__latest__"),
        ("axes", "__latest__"),
        ("authtoken", "__latest__"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
    ]

    operations = [migrations.RunPython(create_duty_groups, remove_duty_groups)]
