"""Staff accounts: each belongs to one node of the hierarchy with one role."""

from django.apps import apps
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import Scope, ScopedQuerySet


class StaffManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    SCOPE_LOOKUPS = {
        "district": "district_id",
        "street": "street_id",
        "community": "community_id",
        "grid": "grid_id",
    }

    class Role(models.TextChoices):
        GRID_WORKER = "grid_worker", _("grid worker")
        COMMUNITY_STAFF = "community_staff", _("community staff")
        STREET_STAFF = "street_staff", _("street staff")
        DISTRICT_OFFICIAL = "district_official", _("district official")
        DEPARTMENT = "department", _("district department staff")

    # The node each role must sit at; the finer node fields stay empty.
    ROLE_LEVEL = {
        Role.GRID_WORKER: "grid",
        Role.COMMUNITY_STAFF: "community",
        Role.STREET_STAFF: "street",
        Role.DISTRICT_OFFICIAL: "district",
        Role.DEPARTMENT: "district",
    }

    role = models.CharField(_("role"), max_length=20, choices=Role, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    district = models.ForeignKey(
        "portal.District",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    street = models.ForeignKey(
        "portal.Street",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("street"),
    )
    community = models.ForeignKey(
        "portal.Community",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    grid = models.ForeignKey(
        "portal.Grid",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="workers",
        verbose_name=_("grid"),
    )
    department = models.ForeignKey(
        "portal.Department",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("department"),
    )

    objects = StaffManager()

    class Meta:
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")
        constraints = [
            # A role sits at exactly its level: its node is set, the finer ones are empty.
            models.CheckConstraint(
                name="staff_role_matches_node",
                condition=Q(role="")
                | Q(role="grid_worker", grid__isnull=False, community__isnull=False)
                | Q(role="community_staff", community__isnull=False, grid__isnull=True)
                | Q(role="street_staff", street__isnull=False, community__isnull=True)
                | Q(
                    role="district_official",
                    district__isnull=False,
                    street__isnull=True,
                    department__isnull=True,
                )
                | Q(
                    role="department",
                    district__isnull=False,
                    street__isnull=True,
                    department__isnull=False,
                ),
            ),
        ]

    def get_full_name(self):
        """Chinese order, no space: 赵磊 (surname 赵, given name 磊)."""
        return f"{self.last_name}{self.first_name}".strip()

    def get_short_name(self):
        # The admin greets with this: 欢迎，赵磊 rather than a bare given name.
        return self.get_full_name() or self.get_username()

    def clean(self):
        super().clean()
        if not self.role:
            return
        node = self.node
        level = self.ROLE_LEVEL[self.role]
        if node is None or node._meta.model_name != level:
            raise ValidationError(
                _("A %(role)s must be placed at a %(level)s, and at nothing finer.")
                % {
                    "role": self.get_role_display(),
                    "level": apps.get_model("portal", level)._meta.verbose_name,
                }
            )
        if self.role == self.Role.DEPARTMENT and self.department_id is None:
            raise ValidationError({"department": _("Choose the department.")})
        self.place_at(node)

    @property
    def scope(self):
        return Scope.of(self)

    @property
    def node(self):
        """The node this account belongs to (its finest one)."""
        return self.grid or self.community or self.street or self.district

    def place_at(self, node):
        """Set this account's node and copy that node's ancestors."""
        from portal.models import Community, District, Grid, Street

        self.district = self.street = self.community = self.grid = None
        if isinstance(node, Grid):
            self.grid = node
            self.community_id, self.street_id = node.community_id, node.street_id
            self.district_id = node.district_id
        elif isinstance(node, Community):
            self.community = node
            self.street_id, self.district_id = node.street_id, node.district_id
        elif isinstance(node, Street):
            self.street = node
            self.district_id = node.district_id
        elif isinstance(node, District):
            self.district = node
