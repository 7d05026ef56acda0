"""The canteens part of a member (registered in apps.py): 我的食堂 on /me/ (recent meals and
what they saved), the export, what account deletion erases, what a scanned code tells the till,
and the till's cashiers as scanners of member codes."""

from django.db.models import F, Sum
from django.utils.translation import gettext_lazy as _

from canteens.models import Eligibility, MealRecord
from canteens.services import is_cashier
from members.registry import MemberPart

RECENT = 5


def panel(request, member):
    meals = MealRecord.objects.filter(member=member, voided_at__isnull=True)
    recent = list(meals.select_related("canteen", "set_meal").order_by("-served_at")[:RECENT])
    if not recent and not Eligibility.objects.filter(member=member).exists():
        return {"meals": [], "saved": None, "eligibility": None}
    saved = meals.aggregate(s=Sum(F("standard_price") - F("charged_price")))["s"]
    return {
        "meals": recent,
        "saved": saved,
        "eligibility": Eligibility.objects.filter(member=member).first(),
    }


def export(member):
    eligibility = Eligibility.objects.filter(member=member).first()
    return {
        "eligibility": eligibility
        and {
            "birth_year": eligibility.birth_year,
            "special_needs": eligibility.need,
            "verified_at": eligibility.verified_at.isoformat(),
        },
        "meals": [
            {
                "canteen": m.canteen.name,
                "at": m.served_at.isoformat(),
                "tier": m.tier,
                "standard_price": str(m.standard_price),
                "charged_price": str(m.charged_price),
                "delivered": m.delivered,
                "voided": m.voided_at is not None,
            }
            for m in MealRecord.objects.filter(member=member).select_related("canteen")
        ],
    }


def erase(member):
    """The verified age and needs go; meal records stay (the figures and the subsidy paid)."""
    Eligibility.objects.filter(member=member).delete()


def eligibility(member):
    row = Eligibility.objects.filter(member=member).first()
    return {"elderly_verified": bool(row), "special_needs": bool(row and row.need)}


PART = MemberPart(
    key="canteens",
    title=_("My canteen meals"),
    order=30,
    template="canteens/member_panel.html",
    panel=panel,
    export=export,
    erase=erase,
    eligibility=eligibility,
    scanner=is_cashier,
)
