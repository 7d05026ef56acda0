from django.db import migrations


def load(apps, schema_editor):
    from stations.catalogue import FACILITIES, SERVICES

    Facility = apps.get_model("stations", "Facility")
    Service = apps.get_model("stations", "Service")
    for order, (code, name, icon, seven) in enumerate(FACILITIES):
        Facility.objects.update_or_create(
            code=code, defaults={"name": name, "icon": icon, "seven_ones": seven, "order": order}
        )
    for order, (code, name) in enumerate(SERVICES):
        Service.objects.update_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
