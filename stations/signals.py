"""Keep each station's `facility_codes` equal to its facilities (see Station.facility_codes)."""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from stations.models import Facility, Station


@receiver(m2m_changed, sender=Station.facilities.through)
def facilities_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        instance.refresh_facility_codes()
        return
    # From the facility's side: every station it was added to or removed from.
    stations = Station.objects.filter(pk__in=pk_set) if pk_set else Station.objects.all()
    for station in stations:
        station.refresh_facility_codes()


@receiver(post_save, sender=Facility)
def facility_saved(sender, instance, created, **kwargs):
    """A renamed code or a new order shows in every station that has the facility."""
    if not created:
        for station in Station.objects.filter(facilities=instance):
            station.refresh_facility_codes()
