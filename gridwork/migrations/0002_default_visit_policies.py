from django.db import migrations

# Seed 001: red households every week (周必访), yellow every month (月敲门), blue basic service.
DEFAULTS = [
    ("red", "week", 1, 0, 2),
    ("yellow", "month", 1, 0, 5),
    ("blue", "none", 1, 0, 0),
]


def seed(apps, schema_editor):
    VisitPolicy = apps.get_model("gridwork", "VisitPolicy")
    for colour, period, minimum, worker, community in DEFAULTS:
        VisitPolicy.objects.get_or_create(
            colour=colour,
            defaults={
                "period": period,
                "min_visits": minimum,
                "worker_grace_days": worker,
                "community_grace_days": community,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("gridwork", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
