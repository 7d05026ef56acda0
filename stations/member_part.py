"""The stations part of a member (registered in apps.py): 我的驿站 on /me/, the export, what
account deletion erases, and the courier badge a scanned member code reports."""

from django.utils.translation import gettext_lazy as _

from members.registry import MemberPart
from stations.models import ActivitySignup, CheckIn, Courier, PartyRegistration

RECENT = 5


def panel(request, member):
    courier = Courier.objects.filter(member=member).first()
    checkins = list(
        CheckIn.objects.filter(member=member)
        .select_related("station")
        .only("created_at", "purpose", "station__name", "station__code")
        .order_by("-created_at")[:RECENT]
    )
    signups = list(
        ActivitySignup.objects.filter(member=member)
        .exclude(status=ActivitySignup.Status.CANCELLED)
        .select_related("activity")
        .order_by("-activity__starts_at")[:RECENT]
    )
    return {"courier": courier, "checkins": checkins, "signups": signups}


def export(member):
    courier = Courier.objects.filter(member=member).first()
    return {
        "courier": courier
        and {
            "platform": courier.platform,
            "name": courier.real_name,
            "work_id_last4": courier.work_id_last4,
            "has_work_id_photo": bool(courier.work_id_photo),
            "status": courier.status,
            "valid_until": courier.valid_until and courier.valid_until.isoformat(),
        },
        "checkins": [
            {"station": c.station.code, "at": c.created_at.isoformat(), "purpose": c.purpose}
            for c in CheckIn.objects.filter(member=member).select_related("station").order_by("id")
        ],
        "activities": [
            {
                "activity": s.activity.title,
                "starts_at": s.activity.starts_at.isoformat(),
                "status": s.status,
                "attended_at": s.attended_at and s.attended_at.isoformat(),
            }
            for s in ActivitySignup.objects.filter(member=member).select_related("activity")
        ],
        "party_registrations": [
            {"station": p.station.code, "organisation": p.organisation, "since": p.member_since}
            for p in PartyRegistration.objects.filter(member=member).select_related("station")
        ],
    }


def erase(member):
    """Name, work ID and party details go; check-ins and attendance stay (the figures)."""
    courier = Courier.objects.filter(member=member).first()
    if courier:
        if courier.work_id_photo:
            courier.work_id_photo.delete(save=False)
        Courier.objects.filter(pk=courier.pk).update(
            real_name="", work_id_last4="", work_id_hash="", work_id_photo="", review_note=""
        )
    PartyRegistration.objects.filter(member=member).update(organisation="")


def eligibility(member):
    courier = Courier.objects.filter(member=member).first()
    return {
        "courier": bool(courier),
        "courier_verified": bool(courier and courier.is_verified_on()),
        "courier_platform": courier.platform if courier else "",
    }


PART = MemberPart(
    key="stations",
    title=_("My rest stations"),
    order=20,
    template="stations/member_panel.html",
    panel=panel,
    export=export,
    erase=erase,
    eligibility=eligibility,
)
