"""Public and member pages: the wish wall (心愿墙) with its redeem button, a voucher's QR, and
the merchant's counter (scan or type a voucher code, mark it used)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from members.decorators import member_required
from members.selectors import member_of
from points import selectors, services, statements
from points.models import Account, EarningRule, Merchant


def _message(exc):
    if hasattr(exc, "error_dict"):
        return " ".join(m for ms in exc.message_dict.values() for m in ms)
    return " ".join(getattr(exc, "messages", [str(exc)]))


def _wall(request, status=200, error=""):
    member = member_of(request.user) if request.user.is_authenticated else None
    balance = None
    if member:
        balance = Account.objects.filter(pk=member.pk).values_list("balance", flat=True).first()
    return render(
        request,
        "points/wall.html",
        {
            "rewards": selectors.rewards_on_wall(),
            "balance": balance or 0,
            "member": member,
            "rules": EarningRule.objects.order_by("kind"),
            "error": error,
        },
        status=status,
    )


def wall(request):
    return _wall(request)


@require_POST
@member_required
def redeem(request, pk):
    try:
        voucher = services.reward_redeem(reward_id=pk, member=request.member)
    except services.Refused as exc:
        return _wall(request, status=409, error=_message(exc))
    messages.success(
        request,
        _("Redeemed: show the voucher %(code)s at %(shop)s.")
        % {"code": voucher.code, "shop": voucher.merchant.name},
    )
    return redirect("members:me")


class CounterLogin(auth_views.LoginView):
    template_name = "points/counter_login.html"


def _counter_merchant(request, pk):
    """The shop whose counter this user may work (its own accounts, staff of its area); 404 to
    staff of another area and other shops' accounts, 403 to anyone else."""
    merchant = Merchant.objects.for_counter(request.user).filter(pk=pk).first()
    if merchant is None:
        if request.user.role or request.user.is_superuser or request.user.merchant_links.exists():
            raise Http404  # staff of another area, or another shop's account
        raise PermissionDenied
    return merchant


@never_cache
@require_http_methods(["GET", "POST"])
def counter(request, pk):
    """The merchant's counter: scan or type a voucher code; it is marked used once."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), "points:counter_login")
    merchant = _counter_merchant(request, pk)
    status, error, used = 200, "", None
    if request.method == "POST":
        try:
            used = services.voucher_use(
                code=request.POST.get("code", ""), merchant=merchant, by=request.user
            )
        except services.Refused as exc:
            status, error = 409, _message(exc)
        except ValidationError as exc:
            status, error = 400, _message(exc)
        else:
            messages.success(
                request,
                _("Used: %(reward)s (%(code)s).")
                % {"reward": used.reward.title, "code": used.code},
            )
            return redirect("points:counter", pk=pk)
    return render(
        request,
        "points/counter.html",
        {
            "merchant": merchant,
            "error": error,
            "code": request.POST.get("code", "") if error else "",
            "uses": selectors.counter_uses(merchant, timezone.localdate()),
            "this_month": timezone.localdate().strftime("%Y-%m"),
            "last_month": statements.previous_month(),
        },
        status=status,
    )


@never_cache
def counter_statement(request, pk):
    """The shop's own monthly statement (?month=YYYY-MM) for its counter accounts, and for
    staff of its area: the same workbook as the staff's link."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), "points:counter_login")
    return statements.statement_response(_counter_merchant(request, pk), request.GET.get("month"))
