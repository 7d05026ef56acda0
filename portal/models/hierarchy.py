"""The administrative tree: District 区 → Street 街道 → Community 社区/村 → Grid 网格.

Below a grid: compound 小区 → building 楼栋 (households come with the grid-work issue).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedManager


class Node(models.Model):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=60)

    objects = ScopedManager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.name


class Bounded(models.Model):
    """A node that may carry its boundary: a GeoJSON Polygon/MultiPolygon in WGS-84 (lon, lat),
    written only by `portal.boundaries.boundaries_import`, which also sets the bounding box (a
    cheap prefilter) and bumps `boundary_changed_at` so every process rebuilds its index."""

    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True, editable=False)
    bbox = models.JSONField(_("bounding box"), null=True, blank=True, editable=False)
    boundary_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class District(Node):
    SCOPE_LOOKUPS = {"district": "id"}

    class Meta(Node.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        constraints = [models.UniqueConstraint(fields=["code"], name="district_code_unique")]


class Street(Node):
    SCOPE_LOOKUPS = {"district": "district_id", "street": "id"}

    district = models.ForeignKey(
        District, models.PROTECT, related_name="streets", verbose_name=_("district")
    )

    class Meta(Node.Meta):
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="street_code_unique")
        ]


class Community(Node, Bounded):
    SCOPE_LOOKUPS = {"district": "district_id", "street": "street_id", "community": "id"}

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("community")
        VILLAGE = "village", _("village")

    street = models.ForeignKey(
        Street, models.PROTECT, related_name="communities", verbose_name=_("street")
    )
    district = models.ForeignKey(
        District, models.PROTECT, related_name="+", editable=False, verbose_name=_("district")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.COMMUNITY)
    # The community's centre: a reported map point is routed to the nearest community.
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta(Node.Meta):
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        constraints = [
            models.UniqueConstraint(fields=["street", "code"], name="community_code_unique")
        ]

    def copy_ancestors(self):
        self.district_id = self.street.district_id


class Grid(Node, Bounded):
    """A grid is inner (内网: inside compounds, the community handles it) or outer (外网: roads
    and shop fronts, the street office handles it): "墙内事社区办、墙外事街道管"."""

    SCOPE_LOOKUPS = {
        "district": "district_id",
        "street": "street_id",
        "community": "community_id",
        "grid": "id",
    }

    class Kind(models.TextChoices):
        INNER = "inner", _("inner grid")
        OUTER = "outer", _("outer grid")

    community = models.ForeignKey(
        Community, models.PROTECT, related_name="grids", verbose_name=_("community")
    )
    street = models.ForeignKey(
        Street, models.PROTECT, related_name="+", editable=False, verbose_name=_("street")
    )
    district = models.ForeignKey(
        District, models.PROTECT, related_name="+", editable=False, verbose_name=_("district")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.INNER)

    class Meta(Node.Meta):
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="grid_code_unique")
        ]

    def copy_ancestors(self):
        self.street_id = self.community.street_id
        self.district_id = self.community.district_id


class Compound(models.Model):
    """A residential compound 小区, inside one community and usually one inner grid."""

    SCOPE_LOOKUPS = Grid.SCOPE_LOOKUPS | {"grid": "grid_id"}

    name = models.CharField(_("name"), max_length=60)
    address = models.CharField(_("address"), max_length=200, blank=True)
    community = models.ForeignKey(
        Community, models.PROTECT, related_name="compounds", verbose_name=_("community")
    )
    grid = models.ForeignKey(
        Grid,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="compounds",
        verbose_name=_("grid"),
    )
    street = models.ForeignKey(Street, models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey(District, models.PROTECT, related_name="+", editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="compound_name_unique")
        ]

    def __str__(self):
        return self.name

    def copy_ancestors(self):
        self.street_id = self.community.street_id
        self.district_id = self.community.district_id


class Building(models.Model):
    """A building 楼栋 in a compound."""

    SCOPE_LOOKUPS = Compound.SCOPE_LOOKUPS

    compound = models.ForeignKey(
        Compound, models.CASCADE, related_name="buildings", verbose_name=_("compound")
    )
    name = models.CharField(_("name"), max_length=30)
    grid = models.ForeignKey(Grid, models.PROTECT, null=True, related_name="+", editable=False)
    community = models.ForeignKey(Community, models.PROTECT, related_name="+", editable=False)
    street = models.ForeignKey(Street, models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey(District, models.PROTECT, related_name="+", editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["compound", "name"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "name"], name="building_name_unique")
        ]

    def __str__(self):
        return f"{self.compound.name} {self.name}"

    def copy_ancestors(self):
        c = self.compound
        self.grid_id, self.community_id = c.grid_id, c.community_id
        self.street_id, self.district_id = c.street_id, c.district_id


class Department(models.Model):
    """A district department (住建、民政、市场监管、城管 ...) that a street can summon (吹哨)."""

    SCOPE_LOOKUPS = {"district": "district_id"}

    district = models.ForeignKey(
        District, models.PROTECT, related_name="departments", verbose_name=_("district")
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=60)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("district department")
        verbose_name_plural = _("district departments")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="department_code_unique")
        ]

    def __str__(self):
        return self.name
