from django.core.management.base import BaseCommand

from grievances.open311.keys import api_key_issue


class Command(BaseCommand):
    help = "Issue an Open311 API key and print it (it is stored hashed and never shown again)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="who the key is for, e.g. a 311 app")
        parser.add_argument("--organisation", default="", help="the organisation that owns it")

    def handle(self, *args, name, organisation, **options):
        key, raw = api_key_issue(name=name, organisation=organisation)
        self.stderr.write(f"Issued Open311 key #{key.pk} for {key}. Copy it now:")
        self.stdout.write(raw)
