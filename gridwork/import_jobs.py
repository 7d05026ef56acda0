"""Register imports as Celery jobs: the upload is stored and a job row recorded in the request;
a worker runs the streamed check (and the atomic import) and reports its progress on the row.

Progress must be visible while the import's own transaction is open. On PostgreSQL that
transaction's writes are invisible to others until it commits (and a job row it updated would
stay locked until then), so the progress goes through a second connection of its own, each
update committed at once; the import's connection never touches the job row until it is over.
SQLite (the embedded default) runs tasks inline in the request and has one writer at a time, so
there the progress is written on the one connection.
"""

import logging
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridwork import imports
from gridwork.models import ImportJob

log = logging.getLogger(__name__)

# A run that started longer ago than this is dead (the task's hard time limit is shorter).
STALE = timedelta(minutes=35)
# A job still queued after this lost its message (the broker was down): the sweep enqueues it.
LOST = timedelta(minutes=5)
# A stored register file holds names, phones and ID numbers in the clear: kept a day after its
# job finished (long enough to import a clean dry run for real), then deleted.
FILE_KEPT = timedelta(hours=24)


def _may_import(by, community):
    scope = by.scope
    if not (scope.sees_all or (scope.level == "community" and by.community_id == community.pk)):
        raise PermissionDenied(_("Only the community's staff import its register."))


def _enqueue(job_id):
    from gridwork.tasks import run_import

    try:
        run_import.delay(job_id)
    except Exception:  # noqa: BLE001 - the broker is down: the job stays queued, the sweep retries
        log.warning("register import %s left queued: the broker is unreachable", job_id)


def import_job_start(*, by, community, upload, dry_run, enqueue=True):
    """Store an uploaded register file, record its job and hand it to the worker (on commit);
    with `enqueue=False` the caller runs it (the management command, in its own process)."""
    _may_import(by, community)
    name = PurePath(upload.name or "register.xlsx").name[:200]
    with transaction.atomic():
        job = ImportJob(by=by, community=community, dry_run=dry_run, file_name=name)
        job.file.save("register.xlsx", upload, save=False)
        job.save()
        if enqueue:
            transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def import_job_confirm(*, by, job):
    """Import for real the file a dry run found clean, from the stored file (no new upload)."""
    _may_import(by, job.community)
    if not (job.dry_run and job.ok):
        raise ValidationError(_("Only a dry run without errors can be imported for real."))
    with transaction.atomic():
        real = ImportJob.objects.create(
            by=by,
            community=job.community,
            file=job.file.name,
            file_name=job.file_name,
            dry_run=False,
            checked_by=job,
        )
        transaction.on_commit(lambda: _enqueue(real.pk))
    return real


class JobProgress(imports.Progress):
    """Writes an import's progress on its job row where a watcher sees it at once."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.side = None
        if connection.vendor == "postgresql":
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        meta = ImportJob._meta
        self.table = connection.ops.quote_name(meta.db_table)
        self.column = {
            f: connection.ops.quote_name(meta.get_field(f).column)
            for f in ("rows_total", "rows_checked", "rows_written")
        }

    def _set(self, field, value):
        if self.side is None:
            ImportJob.objects.filter(pk=self.job_id).update(**{field: value})
            return
        # Table and column names come from the model; the values are parameters.
        sql = f"UPDATE {self.table} SET {self.column[field]} = %s WHERE id = %s"  # noqa: S608
        with self.side.cursor() as cursor:
            cursor.execute(sql, [value, self.job_id])

    def sized(self, rows):
        if rows is not None:
            self._set("rows_total", rows)

    def checked(self, rows):
        self._set("rows_checked", rows)

    def written(self, rows):
        self._set("rows_written", rows)

    def close(self):
        if self.side is not None:
            self.side.close()


def import_job_run(job_id, progress=None):
    """The worker's part: claim the job, run the import, record the outcome. Running it twice is
    harmless: a finished job is left alone, a running one too unless its run is long dead. A file
    that cannot be read, or any failure, marks the job failed with a Chinese message; the
    import's transaction leaves no half-written households."""
    now = timezone.now()
    claimed = (
        ImportJob.objects.filter(pk=job_id)
        .filter(
            Q(state=ImportJob.State.QUEUED)
            | Q(state=ImportJob.State.RUNNING, started_at__lt=now - STALE)
        )
        .update(state=ImportJob.State.RUNNING, started_at=now, rows_checked=0, rows_written=0)
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("by", "community").get(pk=job_id)
    progress = progress or JobProgress(job_id)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            with job.file.open("rb") as f:
                result = imports.households_import(
                    by=job.by,
                    community=job.community,
                    file=f,
                    dry_run=job.dry_run,
                    progress=progress,
                )
        except PermissionDenied as exc:
            return _fail(job_id, str(exc))
        except FileNotFoundError:
            return _fail(job_id, _("The uploaded file is gone; upload it again."))
        except Exception:  # noqa: BLE001 - a broken file or a crash: the job fails, not the worker
            log.exception("register import %s failed", job_id)
            return _fail(
                job_id,
                _(
                    "The file could not be read as an Excel workbook, or the import broke off."
                    " Nothing was imported."
                ),
            )
        finally:
            progress.close()
    ImportJob.objects.filter(pk=job_id).update(
        state=ImportJob.State.DONE,
        finished_at=timezone.now(),
        rows_total=result.rows,
        rows_checked=result.rows,
        rows_written=0 if job.dry_run or result.errors else result.rows,
        result={
            "rows": result.rows,
            "households": result.households,
            "created": result.created,
            "updated": result.updated,
            "people": result.people,
            "errors": [[n, str(m)] for n, m in result.errors],
        },
    )
    return job_id


def _fail(job_id, message):
    ImportJob.objects.filter(pk=job_id).update(
        state=ImportJob.State.FAILED, finished_at=timezone.now(), failure=message[:300]
    )
    return None


def imports_resume():
    """Beat: enqueue the jobs whose message was lost (queued for long) or whose run died."""
    now = timezone.now()
    lost = ImportJob.objects.filter(
        Q(state=ImportJob.State.QUEUED, created_at__lt=now - LOST)
        | Q(state=ImportJob.State.RUNNING, started_at__lt=now - STALE)
    ).values_list("pk", flat=True)
    ids = list(lost)
    for pk in ids:
        _enqueue(pk)
    imports_purge_files(now)
    return len(ids)


def imports_purge_files(now=None):
    """Delete the stored files of jobs finished more than FILE_KEPT ago (the job rows and their
    results stay). A dry run's real import then asks for the file again."""
    now = now or timezone.now()
    old = ImportJob.objects.filter(finished_at__lt=now - FILE_KEPT).exclude(file="")
    names = set(old.values_list("file", flat=True))
    # A real import reuses its dry run's file: delete a file only when no live job needs it.
    live = set(
        ImportJob.objects.filter(Q(finished_at__isnull=True) | Q(finished_at__gte=now - FILE_KEPT))
        .filter(file__in=names)
        .values_list("file", flat=True)
    )
    gone = names - live
    ImportJob.objects.filter(file__in=gone).update(file="")
    storage = ImportJob._meta.get_field("file").storage
    for name in gone:
        storage.delete(name)
    return len(gone)
