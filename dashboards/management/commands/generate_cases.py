from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from dashboards.generate import generate


class Command(BaseCommand):
    help = (
        "Generate N realistic grievance cases (a year of dates, the demo hierarchy, steps and "
        "ratings) and rebuild the dashboard rollups. Run seed_demo first."
    )

    def add_arguments(self, parser):
        parser.add_argument("n", type=int)
        parser.add_argument("--seed", type=int, default=None, help="random seed (repeatable runs)")
        parser.add_argument("--days", type=int, default=365, help="spread over this many days")
        parser.add_argument("--batch", type=int, default=50_000, help="rows per COPY / INSERT")
        parser.add_argument("--no-events", action="store_true", help="skip the case steps")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, n, seed, days, batch, no_events, quiet, **options):
        if n < 1 or days < 1:
            raise CommandError("N and --days must be positive")
        bar = tqdm(total=n, unit="case", disable=quiet, file=self.stderr._out)
        try:
            first, last = generate(
                n, seed=seed, days=days, batch=batch, events=not no_events, progress=bar.update
            )
        except ValueError as e:
            raise CommandError(str(e)) from e
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(f"Generated {n} cases (ids {first}–{last})."))
