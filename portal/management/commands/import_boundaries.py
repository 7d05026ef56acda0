import sys

from django.core.management.base import BaseCommand, CommandError

from portal.boundaries import BoundaryImportError, boundaries_import
from portal.models import District


class Command(BaseCommand):
    help = (
        "Import community and grid boundaries from a GeoJSON FeatureCollection (WGS-84 lon/lat; "
        'each feature\'s properties name a "grid" or "community" code). All or nothing.'
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the GeoJSON file, or - for standard input")
        parser.add_argument("--district", help="district code (needed when there are several)")

    def handle(self, *args, path, district=None, **options):
        districts = District.objects.all()
        if district:
            districts = districts.filter(code=district)
        if districts.count() != 1:
            raise CommandError("Name the district with --district CODE.")
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError as exc:
                raise CommandError(str(exc)) from None
        try:
            result = boundaries_import(data=data, user=None, district=districts.get())
        except BoundaryImportError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError("Nothing was imported.") from None
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        self.stdout.write(
            f"Imported {result.communities} community and {result.grids} grid boundaries."
        )
