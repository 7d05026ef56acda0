"""Certificates of volunteer service (志愿服务证明, 民政部令第67号): issued by the body that
recorded the hours, from its confirmed records only, with the facts frozen at issue."""

import re
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedQuerySet
from volunteers.models.volunteers import SCOPE_LOOKUPS

# Crockford's base32 without look-alikes: a number read off paper is typed back right.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_PATTERN = re.compile(r"ZM\d{4}[0-9A-Z]{12}")


def new_certificate_number(year):
    """ZM + year + 12 random characters (60 bits): not guessable from another certificate's."""
    return f"ZM{year}" + "".join(secrets.choice(ALPHABET) for _ in range(12))


class Certificate(models.Model):
    """A certificate, asked for by the volunteer or started by staff, and issued by staff of the
    issuing body. At issue the facts (name, number, period, activities, hours) are copied in,
    so a later correction of a record never changes a certificate already handed out."""

    SCOPE_LOOKUPS = SCOPE_LOOKUPS

    class Status(models.TextChoices):
        REQUESTED = "requested", _("asked for")
        ISSUED = "issued", _("issued")

    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        models.PROTECT,
        related_name="certificates",
        verbose_name=_("volunteer"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status)
    number = models.CharField(
        _("certificate number"), max_length=20, unique=True, null=True, blank=True
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    asked_at = models.DateTimeField(_("asked at"), null=True, blank=True)
    # The snapshot, frozen at issue.
    real_name = models.CharField(_("name"), max_length=30, blank=True)
    volunteer_number = models.CharField(_("volunteer number"), max_length=20, blank=True)
    activities = models.JSONField(_("activities"), default=list, blank=True)
    minutes = models.PositiveIntegerField(_("confirmed minutes"), null=True, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=80, blank=True)
    handler = models.CharField(_("handler"), max_length=30, blank=True)
    contact = models.CharField(_("contact"), max_length=40, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    # The issuing body's node (a request: the volunteer's community, whose staff issue it).
    community = models.ForeignKey("portal.Community", models.PROTECT, null=True, related_name="+")
    street = models.ForeignKey("portal.Street", models.PROTECT, related_name="+", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", db_index=False
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("certificate of volunteer service")
        verbose_name_plural = _("certificates of volunteer service")
        constraints = [
            models.CheckConstraint(
                name="vol_certificate_issued_whole",
                condition=Q(status="requested")
                | Q(
                    number__isnull=False,
                    minutes__isnull=False,
                    issued_at__isnull=False,
                )
                & ~Q(issuing_body=""),
            ),
            models.CheckConstraint(
                name="vol_certificate_period", condition=Q(period_end__gte=models.F("period_start"))
            ),
        ]
        indexes = [
            # The staff's queue of requests.
            models.Index(
                fields=["community", "asked_at"],
                condition=Q(status="requested"),
                name="vol_certificate_requests",
            )
        ]

    def __str__(self):
        return self.number or f"{self.volunteer} · {self.get_status_display()}"

    @property
    def hours(self):
        return None if self.minutes is None else self.minutes / 60

    def rows_html(self):
        """The frozen activities as table rows (escaped), built in one pass: a certificate of a
        thousand records renders in milliseconds, not through a template loop."""
        return format_html_join(
            "",
            '<tr><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td></tr>',
            (
                (a["date"], a["title"], a["organiser"], f"{a['minutes'] / 60:.2f}")
                for a in self.activities
            ),
        )
