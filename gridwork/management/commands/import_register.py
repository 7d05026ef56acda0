"""Import a big register file from the shell, with a progress bar in the terminal.

    manage.py import_register FILE --community 12 --as zhang [--for-real]

It runs the same import as the web page's job (checked first; written all or nothing), in this
process, and records the job so the community sees it among its imports.
"""

import sys
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from gridwork import import_jobs
from gridwork.models import ImportJob
from portal.models import Community, User


class TerminalBar(import_jobs.JobProgress):
    """The job's progress, also drawn as a bar on stderr."""

    def __init__(self, job_id, dry_run, out):
        super().__init__(job_id)
        self.out, self.passes, self.total = out, 1 if dry_run else 2, None
        self.rows = {"checked": 0, "written": 0}

    def _draw(self):
        done = self.rows["checked"] + self.rows["written"]
        if self.total:
            share = min(1.0, done / (self.passes * self.total))
            bar = "#" * int(40 * share)
            self.out.write(f"\r[{bar:<40}] {100 * share:5.1f}%  {done} rows")
        else:
            self.out.write(f"\r{done} rows")
        self.out.flush()

    def sized(self, rows):
        super().sized(rows)
        self.total = rows or self.total
        self._draw()

    def checked(self, rows):
        super().checked(rows)
        self.rows["checked"] = rows
        self._draw()

    def written(self, rows):
        super().written(rows)
        self.rows["written"] = rows
        self._draw()


class Command(BaseCommand):
    help = "Import a household register spreadsheet (.xlsx) into a community, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--community", type=int, required=True, help="the community's id")
        parser.add_argument("--as", dest="username", required=True, help="a community staff user")
        parser.add_argument("--for-real", action="store_true", help="write (default: check only)")

    def handle(self, *args, file, community, username, for_real, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        community = Community.objects.filter(pk=community).first()
        by = User.objects.filter(username=username).first()
        if community is None or by is None:
            raise CommandError("unknown community or user")
        with path.open("rb") as f:
            job = import_jobs.import_job_start(
                by=by,
                community=community,
                upload=File(f, name=path.name),
                dry_run=not for_real,
                enqueue=False,
            )
        import_jobs.import_job_run(job.pk, progress=TerminalBar(job.pk, job.dry_run, sys.stderr))
        sys.stderr.write("\n")
        job.refresh_from_db()
        if job.state == ImportJob.State.FAILED:
            raise CommandError(job.failure)
        for n, message in job.errors:
            self.stdout.write(f"{n}\t{message}")
        r = job.result
        self.stdout.write(
            f"{job.get_state_display()}: {r['rows']} rows, {r['created']} new, "
            f"{r['updated']} updated, {r['people']} residents"
        )
