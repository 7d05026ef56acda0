"""The household register 一户一档: dwelling first, then people (先房后人)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.crypto import EncryptedTextField, LookupHashField
from portal.scoping import ScopedManager


class Colour(models.TextChoices):
    """红黄蓝: red needs close care, yellow moves often (renters), blue is an ordinary family."""

    RED = "red", _("red")
    YELLOW = "yellow", _("yellow")
    BLUE = "blue", _("blue")


class CareTag(models.TextChoices):
    ALONE_ELDERLY = "alone_elderly", _("elderly living alone")  # 独居老人
    DISABLED = "disabled", _("disability")  # 残疾
    HARDSHIP = "hardship", _("subsistence allowance / extreme hardship")  # 低保/特困
    SERIOUS_ILLNESS = "illness", _("serious illness")  # 重病
    LEFT_BEHIND_CHILD = "left_behind", _("left-behind child")  # 留守儿童
    TENANT = "tenant", _("tenant")  # 租户


class Household(models.Model):
    """A dwelling and the family in it. Inner grids place it by compound → building → unit →
    door; villages and outer grids by a free address. It carries its ancestors' ids for scoping
    and the visit schedule's one maintained column, `next_due_on`."""

    SCOPE_LOOKUPS = {
        "district": "district_id",
        "street": "street_id",
        "community": "community_id",
        "grid": "grid_id",
    }

    number = models.CharField(_("household number"), max_length=30)
    grid = models.ForeignKey(
        "portal.Grid", models.PROTECT, related_name="households", verbose_name=_("grid")
    )
    community = models.ForeignKey(
        "portal.Community", models.PROTECT, related_name="+", editable=False, db_index=False
    )
    street = models.ForeignKey(
        "portal.Street", models.PROTECT, related_name="+", editable=False, db_index=False
    )
    district = models.ForeignKey(
        "portal.District", models.PROTECT, related_name="+", editable=False, db_index=False
    )
    compound = models.ForeignKey(
        "portal.Compound",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("compound"),
    )
    building = models.ForeignKey(
        "portal.Building",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("building"),
        db_index=False,
    )
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    door = models.CharField(_("door"), max_length=10, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    colour = models.CharField(_("colour"), max_length=8, choices=Colour, default=Colour.BLUE)
    colour_reason = models.CharField(_("reason for the colour"), max_length=200, blank=True)
    colour_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("colour set by"),
    )
    colour_set_at = models.DateTimeField(_("colour set at"), null=True, blank=True)

    # The schedule, maintained by the visit's transaction (gridwork.schedule): due is
    # `next_due_on` (Asia/Shanghai date), overdue is next_due_on < today.
    last_qualifying_visit_on = models.DateField(_("last visited"), null=True, blank=True)
    period_visits = models.PositiveSmallIntegerField(
        _("qualifying visits in that period"), default=0
    )
    next_due_on = models.DateField(_("next visit due by"), null=True, blank=True)
    one_off_due_on = models.DateField(_("one-off visit due by"), null=True, blank=True)
    one_off_reason = models.CharField(_("why the one-off visit"), max_length=200, blank=True)

    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="household_number_unique"),
            # A dwelling is found either by its compound or by an address.
            models.CheckConstraint(
                condition=Q(compound__isnull=False) | ~Q(address=""),
                name="household_has_a_place",
            ),
        ]
        indexes = [
            # The worker's day and the overdue counts: households by due date per node.
            models.Index(fields=["grid", "next_due_on"], name="household_grid_due"),
            models.Index(fields=["community", "next_due_on"], name="household_community_due"),
            models.Index(fields=["street", "next_due_on"], name="household_street_due"),
            models.Index(fields=["district", "next_due_on"], name="household_district_due"),
            # The flag sweep: per colour (grace days differ), households past a due date.
            models.Index(fields=["colour", "next_due_on"], name="household_colour_due"),
        ]

    def __str__(self):
        return self.number

    @property
    def place(self):
        if self.compound_id is None:
            return self.address
        parts = [self.compound.name]
        if self.building_id:
            parts.append(self.building.name)
        parts += [p for p in (self.unit and f"{self.unit}单元", self.door) if p]
        return " ".join(parts)

    def clean(self):
        """The admin's checks (the service checks the same): a place, a unique number."""
        from django.core.exceptions import ValidationError

        errors = {}
        if self.compound_id is None and not self.address.strip():
            errors["address"] = _("Choose the compound or enter an address.")
        if self.grid_id is not None:
            grid = self.grid
            if self.compound_id and self.compound.community_id != grid.community_id:
                errors["compound"] = _("The compound is not in this grid's community.")
            taken = Household.objects.filter(community_id=grid.community_id, number=self.number)
            if taken.exclude(pk=self.pk).exists():
                errors["number"] = _(
                    "This household number is already registered in the community."
                )
        if self.building_id and self.building.compound_id != self.compound_id:
            errors["building"] = _("The building is not in this compound.")
        if errors:
            raise ValidationError(errors)

    def copy_ancestors(self):
        g = self.grid
        self.community_id, self.street_id, self.district_id = (
            g.community_id,
            g.street_id,
            g.district_id,
        )


class Person(models.Model):
    """Someone living in a household. The ID number is kept as its last four characters and a
    keyed hash (enough to find a duplicate, never enough to read it back)."""

    PERSONAL_FIELDS = ("name", "phone", "id_last4", "id_hash")

    class Relation(models.TextChoices):
        HEAD = "head", _("head of household")
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        GRANDCHILD = "grandchild", _("grandchild")
        TENANT = "tenant", _("tenant")
        OTHER = "other", _("other")

    household = models.ForeignKey(
        Household, models.CASCADE, related_name="people", verbose_name=_("household")
    )
    name = models.CharField(_("name"), max_length=40)
    relation = models.CharField(
        _("relation"), max_length=12, choices=Relation, default=Relation.HEAD
    )
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True, kind="phone", hash_field="phone_hash")
    phone_hash = LookupHashField(source="phone")
    id_last4 = models.CharField(_("ID number (last 4)"), max_length=4, blank=True)
    id_hash = models.CharField(max_length=64, blank=True, editable=False)
    care_tags = models.JSONField(_("care tags"), default=list, blank=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["id"]

    def __str__(self):
        return self.name

    def tag_labels(self):
        labels = dict(CareTag.choices)
        return [labels.get(t, t) for t in self.care_tags]


class ColourChange(models.Model):
    """The colour's history: every change with its reason, who and when."""

    household = models.ForeignKey(
        Household, models.CASCADE, related_name="colour_changes", verbose_name=_("household")
    )
    from_colour = models.CharField(_("from"), max_length=8, choices=Colour, blank=True)
    to_colour = models.CharField(_("to"), max_length=8, choices=Colour)
    reason = models.CharField(_("reason"), max_length=200)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("colour change")
        verbose_name_plural = _("colour changes")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="colour_change_has_reason")
        ]

    def __str__(self):
        return f"{self.household} → {self.get_to_colour_display()}"
