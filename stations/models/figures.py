"""Daily rollups of the check-ins, so a dashboard over months never scans the check-in table.

A check-in is written once and never changed, so a finished local day (Asia/Shanghai) is
rolled up once (`stations.rollups.day_build`: by the nightly beat task, or by the first
dashboard that asks for it) and today is counted live from the check-in table.
"""

from django.db import models


class RolledUpDay(models.Model):
    """A local day whose rollup rows exist (built once, inside the transaction that wrote them)."""

    day = models.DateField(primary_key=True)
    built_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "rolled-up day"

    def __str__(self):
        return str(self.day)


class _Place(models.Model):
    """The station and its nodes, copied as the check-ins carry them."""

    day = models.DateField()
    station = models.ForeignKey("stations.Station", models.CASCADE, related_name="+")
    community = models.ForeignKey(
        "portal.Community", models.CASCADE, related_name="+", db_index=False
    )
    street = models.ForeignKey("portal.Street", models.CASCADE, related_name="+", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        abstract = True


class CheckInDay(_Place):
    """One station's check-ins on one finished day, with their spread over the hours."""

    checkins = models.PositiveIntegerField()
    while_closed = models.PositiveIntegerField()
    by_hour = models.JSONField()  # 24 counts, local hours 0-23

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "station"], name="checkinday_once")]
        indexes = [
            models.Index(fields=["district", "day"], name="checkinday_district"),
            models.Index(fields=["street", "day"], name="checkinday_street"),
            models.Index(fields=["community", "day"], name="checkinday_community"),
        ]

    def __str__(self):
        return f"{self.day} {self.station_id}: {self.checkins}"


class CourierDay(_Place):
    """A courier who checked in at a station on a finished day: distinct couriers over any
    period are the distinct members of these rows (a count of distinct cannot be summed)."""

    member = models.ForeignKey("members.Member", models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "station", "member"], name="courierday_once")
        ]
        indexes = [
            models.Index(fields=["district", "day"], name="courierday_district"),
            models.Index(fields=["street", "day"], name="courierday_street"),
            models.Index(fields=["community", "day"], name="courierday_community"),
        ]

    def __str__(self):
        return f"{self.day} {self.station_id}: {self.member_id}"
