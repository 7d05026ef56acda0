"""Service orders (群众点单、社区派单、合伙人接单): partner organisations' services, a resident's
order, the community's dispatch to a partner, the partner's acceptance and completion, the
resident's rating."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import Scope, ScopedQuerySet

from .ledger import SCOPE_LOOKUPS
from .rewards import PlacedModel


class PartnerQuerySet(ScopedQuerySet):
    def for_desk(self, user):
        """Partners whose order desk the user may work: staff of the area, or its own accounts."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        scope = Scope.of(user)
        if scope.sees_all or (user.role and scope.level):
            return self.filter(scope.q(SCOPE_LOOKUPS))
        return self.filter(staff__user=user)


class Partner(PlacedModel):
    """A community partner (社区合伙人): an organisation serving residents free or at low cost."""

    name = models.CharField(_("name"), max_length=60)
    services_offered = models.CharField(_("services offered"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("community partner")
        verbose_name_plural = _("community partners")

    def __str__(self):
        return self.name


class PartnerStaff(models.Model):
    """An account of one partner: it works that partner's order desk and nothing else."""

    SCOPE_LOOKUPS = {
        "district": "partner__district_id",
        "street": "partner__street_id",
        "community": "partner__community_id",
    }

    partner = models.ForeignKey(
        Partner, models.CASCADE, related_name="staff", verbose_name=_("community partner")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="partner_links",
        verbose_name=_("account"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner account")
        verbose_name_plural = _("partner accounts")
        constraints = [
            models.UniqueConstraint(fields=["partner", "user"], name="partnerstaff_once")
        ]

    def __str__(self):
        return f"{self.partner} · {self.user}"


class Service(PlacedModel):
    class Kind(models.TextChoices):
        CHILDCARE = "childcare", _("childcare")
        CLEANING = "cleaning", _("home cleaning")
        CLINIC = "clinic", _("free clinic")
        REPAIR = "repair", _("elder-friendly home repair")
        MEALS = "meals", _("meal delivery")

    partner = models.ForeignKey(
        Partner, models.PROTECT, related_name="services", verbose_name=_("partner")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    title = models.CharField(_("title"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    price = models.CharField(_("price"), max_length=30, default="免费")
    is_active = models.BooleanField(_("offered"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self):
        return self.title


class Order(PlacedModel):
    class Status(models.TextChoices):
        ORDERED = "ordered", _("ordered, waiting for dispatch")
        DISPATCHED = "dispatched", _("dispatched to a partner")
        ACCEPTED = "accepted", _("accepted by the partner")
        DONE = "done", _("done")
        RATED = "rated", _("done and rated")

    OPEN = (Status.ORDERED, Status.DISPATCHED, Status.ACCEPTED)

    service = models.ForeignKey(Service, models.PROTECT, related_name="orders")
    member = models.ForeignKey("members.Member", models.PROTECT, related_name="service_orders")
    note = models.CharField(_("what is needed"), max_length=200)
    wanted_by = models.DateField(_("wanted by"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ORDERED)
    partner = models.ForeignKey(
        Partner, models.PROTECT, null=True, blank=True, related_name="orders"
    )
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    created_at = models.DateTimeField(_("ordered at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        constraints = [
            models.CheckConstraint(
                name="order_rating_1_to_5",
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
            ),
            models.CheckConstraint(
                name="order_dispatched_has_partner",
                condition=Q(status="ordered") | Q(partner__isnull=False),
            ),
        ]
        indexes = [
            # Overdue orders of a community: open ones past their date.
            models.Index(
                fields=["community", "wanted_by"],
                condition=Q(status__in=["ordered", "dispatched", "accepted"]),
                name="order_open_due",
            )
        ]

    def __str__(self):
        return f"{self.service} · {self.get_status_display()}"
