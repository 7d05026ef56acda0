"""The volunteers part of a member (registered in apps.py): 我的志愿服务 on /me/ with the
service records, the export, what account deletion erases, and what a scanned code reports."""

from django.utils.translation import gettext_lazy as _

from members.registry import MemberPart
from volunteers.models import Certificate, PatrolReport, ServiceRecord, Signup, Volunteer
from volunteers.selectors import confirmed_minutes
from volunteers.services import patrol_teams

RECENT = 10


def panel(request, member):
    volunteer = Volunteer.objects.filter(member=member).first()
    if volunteer is None:
        return {"volunteer": None}
    records = list(
        ServiceRecord.objects.filter(volunteer=volunteer)
        .select_related("activity")
        .order_by("-checked_in_at", "-id")[:RECENT]
    )
    signups = list(
        Signup.objects.filter(volunteer=volunteer)
        .exclude(status=Signup.Status.CANCELLED)
        .select_related("activity")
        .order_by("-activity__starts_at")[:RECENT]
    )
    minutes = confirmed_minutes(volunteer=volunteer)
    certificates = list(Certificate.objects.filter(volunteer=volunteer).order_by("-id")[:RECENT])
    return {
        "volunteer": volunteer,
        "records": records,
        "signups": signups,
        "hours": minutes / 60,
        "certificates": [c for c in certificates if c.status == Certificate.Status.ISSUED],
        "patrols": PatrolReport.objects.filter(volunteer=volunteer).count()
        if patrol_teams(volunteer).exists()
        else None,
        "certificate_asked": next(
            (c for c in certificates if c.status == Certificate.Status.REQUESTED), None
        ),
    }


def export(member):
    volunteer = Volunteer.objects.filter(member=member).first()
    if volunteer is None:
        return {"volunteer": None}
    return {
        "volunteer": {
            "number": volunteer.number,
            "name": volunteer.real_name,
            "id_type": volunteer.id_type,
            "id_last4": volunteer.id_last4,
            "skills": volunteer.skills,
            "availability": volunteer.availability,
            "party_member_in_service": volunteer.party_member_in_service,
            "work_unit": volunteer.work_unit,
            "consented_at": volunteer.consented_at.isoformat(),
        },
        "records": [
            {
                "activity": r.activity.title,
                "checked_in_at": r.checked_in_at.isoformat(),
                "checked_out_at": r.checked_out_at and r.checked_out_at.isoformat(),
                "status": r.status,
                "minutes": r.minutes,
                "confirmed_minutes": r.confirmed_minutes,
            }
            for r in ServiceRecord.objects.filter(volunteer=volunteer).select_related("activity")
        ],
        "certificates": [
            {
                "number": c.number,
                "period": [c.period_start.isoformat(), c.period_end.isoformat()],
                "minutes": c.minutes,
                "issuing_body": c.issuing_body,
                "issued_at": c.issued_at.isoformat(),
            }
            for c in Certificate.objects.filter(volunteer=volunteer, status="issued")
        ],
    }


def erase(member):
    """Name, ID and work unit go; the volunteer number and the records stay (the figures)."""
    Volunteer.objects.filter(member=member).update(
        real_name="", id_last4="", id_hash="", work_unit="", party_member_in_service=False
    )


def eligibility(member):
    volunteer = Volunteer.objects.filter(member=member).only("number").first()
    return {"volunteer": bool(volunteer), "volunteer_number": volunteer.number if volunteer else ""}


PART = MemberPart(
    key="volunteers",
    title=_("My volunteer service"),
    order=40,
    template="volunteers/member_panel.html",
    panel=panel,
    export=export,
    erase=erase,
    eligibility=eligibility,
)
