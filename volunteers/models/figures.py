"""Daily rollups of the volunteer activities, so a dashboard over months never scans the
sign-up and service-record tables.

A finished local day (Asia/Shanghai, the day an activity starts) is rolled up once
(`volunteers.rollups.day_build`: by the nightly beat task, or by the first dashboard that asks
for it); today is counted live. Records of a finished day still change (a late check-out, the
organiser's confirmation, a correction, a cancellation): the service that changes them rolls that
day up again in the same transaction (`volunteers.rollups.day_rebuild`).
"""

from django.db import models


class VolunteersRolledUpDay(models.Model):
    """A local day whose rollup rows exist; its row is the lock a rebuild of the day takes."""

    day = models.DateField(primary_key=True)
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = "volunteers rolled-up day"

    def __str__(self):
        return str(self.day)


class _Place(models.Model):
    """The activity and its organiser's nodes, copied as the activity carries them."""

    day = models.DateField()
    activity = models.ForeignKey("volunteers.Activity", models.CASCADE, related_name="+")
    team = models.ForeignKey(
        "volunteers.Team", models.CASCADE, null=True, related_name="+", db_index=False
    )
    community = models.ForeignKey(
        "portal.Community", models.CASCADE, null=True, related_name="+", db_index=False
    )
    street = models.ForeignKey("portal.Street", models.CASCADE, related_name="+", db_index=False)
    district = models.ForeignKey(
        "portal.District", models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        abstract = True


class ActivityDay(_Place):
    """One activity of a finished day: places taken, attendance, confirmed service."""

    signups = models.PositiveIntegerField()  # places confirmed (not waiting, not cancelled)
    attended = models.PositiveIntegerField()  # volunteers checked in
    served = models.PositiveIntegerField()  # volunteers with confirmed hours
    minutes = models.PositiveIntegerField()  # confirmed minutes

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "activity"], name="vol_activityday_once")
        ]
        indexes = [
            models.Index(fields=["district", "day"], name="vol_activityday_district"),
            models.Index(fields=["street", "day"], name="vol_activityday_street"),
            models.Index(fields=["community", "day"], name="vol_activityday_community"),
        ]

    def __str__(self):
        return f"{self.day} {self.activity_id}: {self.minutes}"


class ServedDay(_Place):
    """A volunteer with confirmed hours at an activity of a finished day: the active
    volunteers of any period are the distinct volunteers of these rows."""

    volunteer = models.ForeignKey("volunteers.Volunteer", models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "activity", "volunteer"], name="vol_servedday_once"
            )
        ]
        indexes = [
            models.Index(fields=["district", "day"], name="vol_servedday_district"),
            models.Index(fields=["street", "day"], name="vol_servedday_street"),
            models.Index(fields=["community", "day"], name="vol_servedday_community"),
        ]

    def __str__(self):
        return f"{self.day} {self.activity_id}: {self.volunteer_id}"
