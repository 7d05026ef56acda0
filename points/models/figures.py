"""Daily rollups of the points app, so a dashboard over months never scans the ledger, the
vouchers, the wishes or the orders.

A finished local day (Asia/Shanghai) is rolled up once (`points.rollups`, on the shared shape of
`dashboards.daily`: by the nightly beat task, or by the first dashboard that asks for it); today
is counted live. Entries, vouchers, uses, wishes and claims are written once on the day they
happen; an order of a finished day still changes (its dispatch names the partner of the day it
was placed, its rating counts on the day it was done): those services roll the day up again.
"""

from django.db import models


class PointsRolledUpDay(models.Model):
    """A local day whose rollup rows exist; its row is the lock a rebuild of the day takes."""

    day = models.DateField(primary_key=True)
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = "points rolled-up day"

    def __str__(self):
        return str(self.day)


class _Place(models.Model):
    """The node a row counts for, as the record carries it (a staff adjustment made above the
    communities has no community)."""

    day = models.DateField()
    community = models.ForeignKey(
        "portal.Community", models.CASCADE, null=True, related_name="+", db_index=False
    )
    street = models.ForeignKey(
        "portal.Street", models.CASCADE, null=True, related_name="+", db_index=False
    )
    district = models.ForeignKey(
        "portal.District", models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        abstract = True


def _node_indexes(prefix):
    return [
        models.Index(fields=["district", "day"], name=f"{prefix}_district"),
        models.Index(fields=["street", "day"], name=f"{prefix}_street"),
        models.Index(fields=["community", "day"], name=f"{prefix}_community"),
    ]


class LedgerDay(_Place):
    """Entries of one kind written on a finished day in a node: their count and signed sum."""

    kind = models.CharField(max_length=10)
    entries = models.PositiveIntegerField()
    points = models.IntegerField()  # signed, as the entries are

    class Meta:
        indexes = _node_indexes("pts_ledgerday")

    def __str__(self):
        return f"{self.day} {self.kind}: {self.points}"


class EarnerDay(_Place):
    """A member who earned points in a node on a finished day: the members who earned over any
    period are the distinct accounts of these rows."""

    account = models.ForeignKey("points.Account", models.CASCADE, related_name="+")

    class Meta:
        indexes = _node_indexes("pts_earnerday")

    def __str__(self):
        return f"{self.day}: {self.account_id}"


class VoucherDay(_Place):
    """One merchant's vouchers of a finished day: issued (and their points) and used."""

    merchant = models.ForeignKey("points.Merchant", models.CASCADE, related_name="+")
    issued = models.PositiveIntegerField()
    points = models.PositiveIntegerField()
    used = models.PositiveIntegerField()

    class Meta:
        indexes = _node_indexes("pts_voucherday")

    def __str__(self):
        return f"{self.day} {self.merchant_id}: {self.issued}/{self.used}"


class WishDay(_Place):
    """Micro-wishes of a node on a finished day: posted, claims made, wishes fulfilled and
    confirmed, and the seconds those took from posting (for the mean days to fulfil)."""

    posted = models.PositiveIntegerField()
    claims = models.PositiveIntegerField()
    done = models.PositiveIntegerField()
    done_seconds = models.BigIntegerField()

    class Meta:
        indexes = _node_indexes("pts_wishday")

    def __str__(self):
        return f"{self.day}: {self.posted}/{self.claims}/{self.done}"


class OrderDay(_Place):
    """Service orders of a node and partner (none: not dispatched yet) on a finished day:
    placed that day, done that day, and the ratings of those done."""

    partner = models.ForeignKey("points.Partner", models.CASCADE, null=True, related_name="+")
    placed = models.PositiveIntegerField()
    done = models.PositiveIntegerField()
    rated = models.PositiveIntegerField()
    rating_sum = models.PositiveIntegerField()

    class Meta:
        indexes = _node_indexes("pts_orderday")

    def __str__(self):
        return f"{self.day} {self.partner_id}: {self.placed}/{self.done}"
