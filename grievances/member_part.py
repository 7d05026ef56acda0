"""The grievances part of a member (registered in apps.py): 我的诉求 on /me/, the cases in the
data download, and the erasure of contact details when the account is deleted."""

from django.utils.translation import gettext_lazy as _

from grievances import services
from grievances.forms import TrackForm
from grievances.models import Case
from members.registry import MemberPart

PANEL_ROWS = 20


def panel(request, member):
    cases = list(
        Case.objects.filter(member=member)
        .select_related("category")
        .only("code", "status", "created_at", "category__name", "category__name_en")
        .order_by("-created_at")[: PANEL_ROWS + 1]
    )
    return {
        "cases": cases[:PANEL_ROWS],
        "more": len(cases) > PANEL_ROWS,
        "attach_form": TrackForm(auto_id="attach_%s"),
    }


def export(member):
    return [
        {
            "code": c.code,
            "category": c.category.name,
            "description": c.description,
            "address": c.address,
            "status": c.status,
            "filed": c.created_at.isoformat(),
            "resolved": c.resolved_at.isoformat() if c.resolved_at else None,
            "rating": c.rating,
        }
        for c in Case.objects.filter(member=member).select_related("category").order_by("id")
    ]


def erase(member):
    services.cases_erase_member(member=member)


PART = MemberPart(
    key="cases",
    title=_("My requests"),
    order=10,
    template="grievances/member_panel.html",
    panel=panel,
    export=export,
    erase=erase,
)
