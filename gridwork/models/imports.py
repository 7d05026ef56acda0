"""Register imports run by a Celery worker: the uploaded file is stored, a job row records who
imported what into which community and how far it got; the job page polls its progress."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ImportJobQuerySet(models.QuerySet):
    def for_user(self, user):
        """Only the community's staff and the uploader see a job (the file holds names, phones
        and ID numbers): not the grid workers, not the street or the district."""
        scope = user.scope
        if scope.sees_all:
            return self
        if not user.is_authenticated:
            return self.none()
        mine = Q(by=user)
        if scope.level == "community":
            mine |= Q(community_id=user.community_id)
        return self.filter(mine)


class ImportJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    community = models.ForeignKey(
        "portal.Community", models.PROTECT, related_name="+", verbose_name=_("community")
    )
    file = models.FileField(_("file"), upload_to="gridwork/imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    dry_run = models.BooleanField(_("check only"), default=True)
    # The dry run whose stored file a real import reuses (no second upload).
    checked_by = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    state = models.CharField(_("state"), max_length=8, choices=State, default=State.QUEUED)
    # Progress, written every few thousand rows from a connection of its own (see
    # gridwork.import_jobs) so the page sees it while the import's transaction is open.
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    # {"rows", "households", "created", "updated", "people", "errors": [[row, message]]}
    result = models.JSONField(_("result"), default=dict, blank=True)
    failure = models.CharField(_("why it failed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["community", "-created_at"], name="importjob_recent")]

    def __str__(self):
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self):
        """How far the job is: a dry run reads the file once, a real import twice (check, then
        write), so each pass is its share of the bar. None while the size is not known."""
        if self.finished:
            return 100
        if not self.rows_total:
            return None
        passes = 1 if self.dry_run else 2
        done = self.rows_checked + (0 if self.dry_run else self.rows_written)
        return min(99, int(100 * done / (passes * self.rows_total)))

    @property
    def errors(self):
        return self.result.get("errors", [])

    @property
    def ok(self):
        return self.state == self.State.DONE and not self.errors
