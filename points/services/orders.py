"""Service orders: a resident orders, the community dispatches, the partner accepts and
completes, the resident rates. Each step is one conditional state change (a double click or
two desks at once move an order once)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from points import rollups
from points.models import Order, Partner, PartnerStaff
from portal.scoping import Scope

from .ledger import Refused
from .rewards import counter_user_create

PLACE = {"district": "district_id", "street": "street_id", "community": "community_id"}


def _step(order, from_status, *, figures=False, **values):
    """Move the order on if it is still at `from_status`. With `figures` (the change alters a
    dashboard figure of the days it was placed and done), those days are rolled up again in
    the same transaction."""
    with transaction.atomic():
        if not Order.objects.filter(pk=order.pk, status=from_status).update(**values):
            raise Refused(_("This order has moved on already."), "moved")
        order.refresh_from_db()
        if figures:
            rollups.order_changed(order)
    return order


def order_place(*, service, member, note, wanted_by):
    note = (note or "").strip()
    errors = {}
    if not service.is_active:
        errors["service"] = _("This service is not offered now.")
    if not note:
        errors["note"] = _("Say what is needed.")
    if wanted_by is None or wanted_by < timezone.localdate():
        errors["wanted_by"] = _("Choose a date from today on.")
    if errors:
        raise ValidationError(errors)
    order = Order(
        service=service,
        member=member,
        note=note[:200],
        wanted_by=wanted_by,
        community_id=service.community_id,
        street_id=service.street_id,
        district_id=service.district_id,
        created_at=timezone.now(),
    )
    order.save()
    return order


def order_dispatch(*, order, partner, by):
    """Staff of the order's community send it to a partner of their area."""
    scope = Scope.of(by)
    if not (by.is_superuser or by.role) or not scope.covers(order, PLACE):
        raise PermissionDenied
    if not Partner.objects.for_user(by).filter(pk=partner.pk, is_active=True).exists():
        raise ValidationError({"partner": _("Choose a partner of your area.")})
    return _step(
        order,
        Order.Status.ORDERED,
        status=Order.Status.DISPATCHED,
        figures=True,
        partner=partner,
        dispatched_by=by,
    )


@transaction.atomic
def partner_staff_create(*, partner, username, password, name, by):
    """An account for one partner's order desk, made by staff of the partner's area."""
    if not Partner.objects.for_user(by).filter(pk=partner.pk).exists():
        raise PermissionDenied(_("You can only add accounts to partners in your area."))
    user = counter_user_create(username=username, password=password, name=name)
    return PartnerStaff.objects.create(partner=partner, user=user)


def _partner_only(order, by):
    if not Partner.objects.for_desk(by).filter(pk=order.partner_id).exists():
        raise PermissionDenied


def order_accept(*, order, by):
    _partner_only(order, by)
    return _step(order, Order.Status.DISPATCHED, status=Order.Status.ACCEPTED)


def order_complete(*, order, by):
    _partner_only(order, by)
    return _step(order, Order.Status.ACCEPTED, status=Order.Status.DONE, done_at=timezone.now())


def order_rate(*, order, member, rating):
    if order.member_id != member.pk:
        raise PermissionDenied
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Rate from 1 to 5 stars.")})
    return _step(order, Order.Status.DONE, figures=True, status=Order.Status.RATED, rating=rating)


def orders_overdue(user, today=None):
    """Open orders of the user's area past the date the resident wanted."""
    today = today or timezone.localdate()
    return (
        Order.objects.for_user(user)
        .filter(status__in=Order.OPEN, wanted_by__lt=today)
        .select_related("service", "partner")
        .order_by("wanted_by")
    )
