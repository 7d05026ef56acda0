"""Dishes (荤/素), set meals with their standard price, and the weekly menu (一周菜谱)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.scoping import ScopedQuerySet

from .canteens import MONEY, Canteen
from .meals import MealTime


class Dish(models.Model):
    class Kind(models.TextChoices):
        MEAT = "meat", _("荤 (meat)")
        VEG = "veg", _("素 (vegetable)")

    canteen = models.ForeignKey(Canteen, models.CASCADE, related_name="dishes")
    name = models.CharField(_("name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind)
    is_active = models.BooleanField(_("on offer"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("dish")
        verbose_name_plural = _("dishes")
        constraints = [models.UniqueConstraint(fields=["canteen", "name"], name="dish_name_once")]

    def __str__(self):
        return f"{self.name}（{'荤' if self.kind == self.Kind.MEAT else '素'}）"


class SetMeal(models.Model):
    """A set like 两荤两素 at a standard price: the menu checks each day's dishes against it."""

    canteen = models.ForeignKey(Canteen, models.CASCADE, related_name="set_meals")
    name = models.CharField(_("name"), max_length=40)
    meat = models.PositiveSmallIntegerField(_("meat dishes (荤)"))
    veg = models.PositiveSmallIntegerField(_("vegetable dishes (素)"))
    standard_price = models.DecimalField(
        _("standard price (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    is_active = models.BooleanField(_("on offer"), default=True)

    class Meta:
        ordering = ["standard_price", "name"]
        verbose_name = _("set meal")
        verbose_name_plural = _("set meals")
        constraints = [
            models.UniqueConstraint(fields=["canteen", "name"], name="setmeal_name_once"),
            models.CheckConstraint(
                name="setmeal_price_positive", condition=Q(standard_price__gt=0)
            ),
            models.CheckConstraint(
                name="setmeal_has_dishes", condition=Q(meat__gt=0) | Q(veg__gt=0)
            ),
        ]

    def __str__(self):
        return f"{self.name} ¥{self.standard_price}"


class WeeklyMenu(models.Model):
    """一周菜谱: one canteen's week from Monday, planned ahead and published."""

    canteen = models.ForeignKey(Canteen, models.CASCADE, related_name="menus")
    week_start = models.DateField(_("week from (Monday)"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    SCOPE_LOOKUPS = {
        "district": "canteen__district_id",
        "street": "canteen__street_id",
        "community": "canteen__community_id",
    }

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-week_start"]
        verbose_name = _("weekly menu")
        verbose_name_plural = _("weekly menus")
        constraints = [
            models.UniqueConstraint(fields=["canteen", "week_start"], name="menu_week_once")
        ]

    def __str__(self):
        return f"{self.canteen} {self.week_start:%Y-%m-%d}"


class MenuEntry(models.Model):
    """One set meal offered on one day at one meal time, with its dishes."""

    menu = models.ForeignKey(WeeklyMenu, models.CASCADE, related_name="entries")
    day = models.DateField(_("day"))
    meal_time = models.CharField(_("meal time"), max_length=10, choices=MealTime)
    set_meal = models.ForeignKey(
        SetMeal, models.PROTECT, related_name="+", verbose_name=_("set meal")
    )
    dishes = models.ManyToManyField(Dish, related_name="+", verbose_name=_("dishes"))

    class Meta:
        ordering = ["day", "meal_time", "set_meal__standard_price"]
        verbose_name = _("menu entry")
        verbose_name_plural = _("menu entries")
        constraints = [
            models.UniqueConstraint(
                fields=["menu", "day", "meal_time", "set_meal"], name="menuentry_once"
            )
        ]

    def __str__(self):
        return f"{self.day:%m-%d} {self.get_meal_time_display()} {self.set_meal.name}"
