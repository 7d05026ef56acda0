from django.db import migrations


def install(apps, schema_editor):
    from security import triggers

    triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from security import triggers

    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("security", "0003_duty_groups")]

    operations = [migrations.RunPython(install, uninstall)]
