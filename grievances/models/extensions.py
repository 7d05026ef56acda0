"""Extension requests (延期申请): more time at a level, asked by its handler, decided above."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import workdays

from .cases import Case, Level


class ExtensionRequest(models.Model):
    """The handler asks for `amount` more of the stay's own unit (working days for a limit in
    working days, hours for one in hours), with a reason; the level above approves or refuses.
    An approved extension moves the deadline once per stay at a level (a constraint), and the
    case's limit then reads as the sum ("7个工作日" + 3 → "10个工作日"), so the case page still
    explains its deadline."""

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for a decision")
        APPROVED = "approved", pgettext_lazy("extension", "approved")
        REFUSED = "refused", pgettext_lazy("extension", "refused")

    case = models.ForeignKey(
        Case, models.CASCADE, related_name="extensions", verbose_name=_("case")
    )
    level = models.CharField(_("level"), max_length=10, choices=Level)
    level_since = models.DateTimeField(_("at this level since"))
    amount = models.PositiveSmallIntegerField(_("more time"))
    unit = models.CharField(_("unit"), max_length=2)  # "wd" or "h", the stay's own
    reason = models.TextField(_("reason"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    old_deadline = models.DateTimeField(_("time limit before"))
    state = models.CharField(_("state"), max_length=8, choices=State, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    new_deadline = models.DateTimeField(_("new time limit"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-asked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(state="pending"), name="extension_one_pending"
            ),
            models.UniqueConstraint(
                fields=["case", "level_since"],
                condition=Q(state="approved"),
                name="extension_once_per_stay",
            ),
            models.CheckConstraint(condition=Q(amount__gte=1), name="extension_amount_positive"),
        ]

    def __str__(self):
        return f"{self.case_id} +{self.amount_text()}"

    def amount_text(self):
        return workdays.limit_text(f"{self.amount}{self.unit}")
