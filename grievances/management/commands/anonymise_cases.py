"""Erase the personal data of cases resolved more than N days ago, now, with progress."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from grievances import services
from grievances.models import Case
from grievances.models.cases import DONE_STATUSES


class Command(BaseCommand):
    help = (
        "Erase the reporter's name, phone, e-mail and the photos of cases resolved more than "
        "--days days ago (default: CASE_ANONYMISE_AFTER_DAYS). The cases and the figures stay."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.CASE_ANONYMISE_AFTER_DAYS)
        parser.add_argument("--batch", type=int, default=services.ANONYMISE_BATCH)

    def handle(self, *args, days, batch, **options):
        if days < 0 or batch < 1:
            raise CommandError("--days must be 0 or more and --batch at least 1.")
        before = timezone.now() - timedelta(days=days)
        total = Case.objects.filter(
            status__in=DONE_STATUSES, anonymised_at__isnull=True, resolved_at__lt=before
        ).count()
        self.stdout.write(f"{total} cases resolved before {before:%Y-%m-%d} hold personal data.")
        done = 0
        while n := services.cases_anonymise(before=before, batch=batch):
            done += n
            self._progress(done, max(total, done))
        if done:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Erased the personal data of {done} cases."))

    def _progress(self, done, total, width=40):
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        self.stdout.write(f"\r[{bar}] {done}/{total}", ending="")
        self.stdout.flush()
