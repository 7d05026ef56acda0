"""Every change in the canteens app goes through one function here, and the price rule lives
here too (`price_for`): the till, the public menu and the API all ask it."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from canteens import rollups
from canteens.models import (
    Canteen,
    CanteenStaff,
    Dish,
    Eligibility,
    MealRecord,
    MealTime,
    MenuEntry,
    Tier,
    TierPrice,
    WeeklyMenu,
)
from canteens.models.canteens import SCOPE_LOOKUPS
from members.models import Member
from members.services import member_mark_served
from portal.inserts import insert_unless_duplicate
from portal.scoping import Scope
from portal.workdays import SHANGHAI
from stations.selectors import courier_verified

CENT = Decimal("0.01")
ELDERLY_AGE, OLD_ELDERLY_AGE = 60, 80
# When two tiers cost the same, the first in this order is recorded.
TIER_ORDER = [Tier.SPECIAL, Tier.ELDERLY_80, Tier.ELDERLY_60, Tier.COURIER, Tier.STANDARD]


class AlreadySubsidised(ValidationError):
    """A second subsidised meal for one person in one meal time."""


# Canteens and cashiers ---------------------------------------------------------------------------


def canteen_save(*, canteen, by):
    """Create or change a canteen inside the user's area; ancestors copied, hours validated."""
    if not Scope.of(by).covers(canteen.community, SCOPE_LOOKUPS | {"community": "id"}):
        raise PermissionDenied(_("You can only keep canteens in your own area."))
    if canteen.station_id and canteen.station.community_id != canteen.community_id:
        raise ValidationError({"station": _("The rest station must be in the same community.")})
    canteen.copy_ancestors()
    canteen.full_clean()
    canteen.save()
    return canteen


@transaction.atomic
def cashier_create(*, canteen, username, password, name, by):
    """A cashier account for one canteen's till: no node, no admin, only that till."""
    if not Canteen.objects.for_user(by).filter(pk=canteen.pk).exists():
        raise PermissionDenied(_("You can only add cashiers to canteens in your area."))
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("Enter a login name.")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This login name is taken.")})
    if len(password or "") < 8:
        raise ValidationError({"password": _("The password needs at least 8 characters.")})
    user = User(username=username, first_name=(name or "").strip()[:30], is_staff=False)
    user.set_password(password)
    user.save()
    return CanteenStaff.objects.create(canteen=canteen, user=user, created_by=by)


def is_cashier(user):
    """A non-staff account linked to a canteen may scan member codes (at that till)."""
    return bool(user.pk) and CanteenStaff.objects.filter(user_id=user.pk).exists()


# Eligibility -------------------------------------------------------------------------------------


def check_birth_year(value):
    """A year of birth staff may record: 1900 to this year."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"birth_year": _("Enter the year of birth.")}) from None
    if not (1900 <= year <= timezone.localdate().year):
        raise ValidationError({"birth_year": _("Enter a year of birth between 1900 and now.")})
    return year


@transaction.atomic
def eligibility_verify(*, member, birth_year, need="", by, note=""):
    """Staff saw the ID card once: the year of birth (and 低保/特困 status) are recorded with who
    verified them and when. The elderly prices read this, never a year the member typed."""
    if not Member.objects.for_user(by).filter(pk=member.pk).exists():
        raise PermissionDenied(_("This member is not in your area."))
    birth_year = check_birth_year(birth_year)
    if need not in Eligibility.Need.values:
        raise ValidationError({"need": _("Choose a special-needs status.")})
    row, _created = Eligibility.objects.update_or_create(
        member=member,
        defaults={
            "birth_year": birth_year,
            "need": need,
            "verified_by": by,
            "verified_at": timezone.now(),
            "note": (note or "").strip(),
        },
    )
    return row


# Prices ------------------------------------------------------------------------------------------


def apply_tier(rule, standard):
    """The price one tier rule gives for a standard price, to the fen, never above standard."""
    if rule.mode == TierPrice.Mode.PERCENT:
        price = standard * rule.value / 100
    elif rule.mode == TierPrice.Mode.AMOUNT_OFF:
        price = standard - rule.value
    else:
        price = rule.value
    return min(max(price, Decimal("0")), standard).quantize(CENT, ROUND_HALF_UP)


def member_tiers(member, day):
    """The tiers a member qualifies for on `day`: a courier whose work ID is verified and not
    expired that day; elderly by the age reached in that year (only the year of birth is kept),
    from the year staff verified; special needs from 60 on."""
    if member is None:
        return []
    tiers = []
    if courier_verified(member, day):
        tiers.append(Tier.COURIER)
    eligibility = Eligibility.objects.filter(member=member).first()
    if eligibility:
        age = day.year - eligibility.birth_year
        if age >= OLD_ELDERLY_AGE:
            tiers.append(Tier.ELDERLY_80)
        elif age >= ELDERLY_AGE:
            tiers.append(Tier.ELDERLY_60)
        if eligibility.need and age >= ELDERLY_AGE:
            tiers.append(Tier.SPECIAL)
    return tiers


@dataclass(frozen=True)
class Quote:
    tier: str
    price: Decimal
    standard_price: Decimal
    served_on: object  # date
    meal_time: str
    limit_reached: bool = False  # a subsidised meal was had already: standard price

    @property
    def subsidised(self):
        return self.tier != Tier.STANDARD

    @property
    def saved(self):
        return self.standard_price - self.price

    def get_tier_display(self):
        return Tier(self.tier).label


def local_moment(when):
    return timezone.localtime(when, SHANGHAI)


def price_for(*, member, canteen, set_meal, when=None, meal_time=None, rules=None):
    """The one price rule: the cheapest tier the member qualifies for on that day that the
    canteen prices (inside its time window, if it has one), else standard; a member who has had
    a subsidised meal in this meal time already pays standard (the database holds the limit)."""
    when = when or timezone.now()
    local = local_moment(when)
    meal_time = meal_time or MealTime.at(local.time())
    standard = set_meal.standard_price
    best = (Tier.STANDARD, standard)
    tiers = member_tiers(member, local.date())
    if tiers:
        if rules is None:
            rules = {r.tier: r for r in TierPrice.objects.filter(canteen_id=canteen.pk)}
        for tier in TIER_ORDER:
            rule = rules.get(tier)
            if tier not in tiers or rule is None:
                continue
            if rule.window_start and not (rule.window_start <= local.time() < rule.window_end):
                continue
            price = apply_tier(rule, standard)
            if price < best[1] or (price == best[1] and best[0] == Tier.STANDARD):
                best = (tier, price)
    limit = False
    if best[0] != Tier.STANDARD and had_subsidised(member, local.date(), meal_time):
        best, limit = (Tier.STANDARD, standard), True
    return Quote(best[0], best[1], standard, local.date(), meal_time, limit)


def had_subsidised(member, day, meal_time):
    return MealRecord.objects.filter(
        member=member, served_on=day, meal_time=meal_time, subsidised=True, voided_at__isnull=True
    ).exists()


def prices_by_tier(canteen, set_meal, rules):
    """Each tier's price of a set (the public menu): standard first, then the canteen's tiers."""
    out = [(Tier.STANDARD.label, set_meal.standard_price, None)]
    for tier in reversed(TIER_ORDER[:-1]):
        rule = rules.get(tier)
        if rule is not None:
            window = rule.window_start and (rule.window_start, rule.window_end)
            out.append((Tier(tier).label, apply_tier(rule, set_meal.standard_price), window))
    return out


# Menus -------------------------------------------------------------------------------------------


def check_composition(set_meal, dishes):
    """A set like 两荤两素 gets exactly two meat and two vegetable dishes of its canteen."""
    dishes = list(dishes)
    if any(d.canteen_id != set_meal.canteen_id for d in dishes):
        raise ValidationError({"dishes": _("Choose dishes of this canteen.")})
    meat = sum(d.kind == Dish.Kind.MEAT for d in dishes)
    veg = len(dishes) - meat
    if (meat, veg) != (set_meal.meat, set_meal.veg):
        raise ValidationError(
            {
                "dishes": _(
                    "“%(set)s” needs %(m)d meat and %(v)d vegetable dishes; "
                    "%(gm)d meat and %(gv)d vegetable were chosen."
                )
                % {
                    "set": set_meal.name,
                    "m": set_meal.meat,
                    "v": set_meal.veg,
                    "gm": meat,
                    "gv": veg,
                }
            }
        )


def week_start_of(day):
    return day - timedelta(days=day.weekday())


def _menu_for(canteen, week_start, by):
    if not Canteen.objects.for_user(by).filter(pk=canteen.pk).exists():
        raise PermissionDenied(_("You can only plan menus of canteens in your area."))
    if week_start.weekday() != 0:
        raise ValidationError({"week_start": _("A menu week starts on a Monday.")})
    return WeeklyMenu.objects.get_or_create(canteen=canteen, week_start=week_start)[0]


@transaction.atomic
def menu_entry_save(*, canteen, day, meal_time, set_meal, dishes, by):
    """Put a set with its dishes on one day's menu (composition checked; nothing half-saved)."""
    if set_meal.canteen_id != canteen.pk:
        raise ValidationError({"set_meal": _("Choose a set meal of this canteen.")})
    if meal_time not in MealTime.values:
        raise ValidationError({"meal_time": _("Choose a meal time.")})
    check_composition(set_meal, dishes)
    menu = _menu_for(canteen, week_start_of(day), by)
    entry, _created = MenuEntry.objects.get_or_create(
        menu=menu, day=day, meal_time=meal_time, set_meal=set_meal
    )
    entry.dishes.set(dishes)
    return entry


@transaction.atomic
def menu_entry_remove(*, entry, by):
    """Take a set off a day's menu (a published week shows the change at once)."""
    if not WeeklyMenu.objects.for_user(by).filter(pk=entry.menu_id).exists():
        raise PermissionDenied(_("You can only plan menus of canteens in your area."))
    entry.delete()


@transaction.atomic
def menu_copy_previous_week(*, canteen, week_start, by):
    """Plan a week by copying the one before (each day moved seven days on), then edit. A week
    that has entries already is left alone."""
    menu = _menu_for(canteen, week_start, by)
    if menu.entries.exists():
        raise ValidationError(_("This week has a menu already: edit it instead."))
    previous = WeeklyMenu.objects.filter(
        canteen=canteen, week_start=week_start - timedelta(days=7)
    ).first()
    if previous is None or not previous.entries.exists():
        raise ValidationError(_("The week before has no menu to copy."))
    for entry in previous.entries.prefetch_related("dishes"):
        copy = MenuEntry.objects.create(
            menu=menu,
            day=entry.day + timedelta(days=7),
            meal_time=entry.meal_time,
            set_meal_id=entry.set_meal_id,
        )
        copy.dishes.set(entry.dishes.all())
    return menu


@transaction.atomic
def menu_publish(*, menu, by):
    """Publish a week (every entry's composition checked again: dishes may have changed)."""
    if not WeeklyMenu.objects.for_user(by).filter(pk=menu.pk).exists():
        raise PermissionDenied(_("You can only publish menus of canteens in your area."))
    entries = list(menu.entries.select_related("set_meal").prefetch_related("dishes"))
    if not entries:
        raise ValidationError(_("The menu is empty."))
    for entry in entries:
        check_composition(entry.set_meal, entry.dishes.all())
    WeeklyMenu.objects.filter(pk=menu.pk).update(published_at=timezone.now(), published_by=by)
    menu.refresh_from_db()
    return menu


# Meals -------------------------------------------------------------------------------------------


def meal_record(*, canteen, set_meal, by, member=None, when=None, delivered=False):
    """One tap at the till: the meal with the tier and both prices as they are now (snapshots).
    A walk-in (no member) pays the standard price. The one-subsidised-meal-per-meal-time limit
    is the database's partial unique index: of two taps at once, one records the subsidised
    meal and the other is refused with AlreadySubsidised."""
    if not canteen.is_active:
        raise ValidationError(_("This canteen is closed."))
    if set_meal.canteen_id != canteen.pk or not set_meal.is_active:
        raise ValidationError({"set_meal": _("Choose a set meal of this canteen.")})
    if delivered and member is None:
        raise ValidationError({"delivered": _("A home delivery needs the member's code.")})
    when = when or timezone.now()
    quote = price_for(member=member, canteen=canteen, set_meal=set_meal, when=when)
    record = MealRecord(
        canteen=canteen,
        member=member,
        set_meal=set_meal,
        tier=quote.tier,
        subsidised=quote.subsidised,
        standard_price=quote.standard_price,
        charged_price=quote.price,
        served_on=quote.served_on,
        meal_time=quote.meal_time,
        served_at=when,
        delivered=delivered,
        cashier=by,
        community_id=canteen.community_id,
        street_id=canteen.street_id,
        district_id=canteen.district_id,
    )
    if not insert_unless_duplicate(record):  # one INSERT; the partial unique index decides
        raise AlreadySubsidised(_("This person has had a subsidised meal this meal time already."))
    if member is not None:
        member_mark_served(
            member=member,
            community_id=canteen.community_id,
            street_id=canteen.street_id,
            district_id=canteen.district_id,
        )
    record.quote = quote
    return record


@transaction.atomic
def meal_void(*, record, by, reason):
    """Void a wrong record with a reason; it stays in the table (never deleted) and leaves the
    figures. One conditional UPDATE: voiding twice is refused."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the record is voided.")})
    if not Canteen.objects.for_till(by).filter(pk=record.canteen_id).exists():
        raise PermissionDenied(_("This record is not at your canteen."))
    done = MealRecord.objects.filter(pk=record.pk, voided_at__isnull=True).update(
        voided_at=timezone.now(), voided_by=by, void_reason=reason[:200]
    )
    if not done:
        raise ValidationError(_("This record was voided already."))
    record.refresh_from_db()
    rollups.day_rebuild(record.served_on)  # a finished day's figures leave the record out too
    return record
