import json

from django.core.management.base import BaseCommand, CommandError

from portal.boundaries import boundaries_export
from portal.models import District


class Command(BaseCommand):
    help = (
        "Export community and grid boundaries as a GeoJSON FeatureCollection (what import reads)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", help="district code (needed when there are several)")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, district=None, output=None, **options):
        districts = District.objects.all()
        if district:
            districts = districts.filter(code=district)
        if districts.count() != 1:
            raise CommandError("Name the district with --district CODE.")
        text = json.dumps(
            boundaries_export(user=None, district=districts.get()), ensure_ascii=False
        )
        if output:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            self.stdout.write(text)
