from .canteens import (
    ELDERLY_TIERS,
    Canteen,
    CanteenStaff,
    Eligibility,
    SubsidyRate,
    Tier,
    TierPrice,
)
from .meals import MealRecord, MealTime
from .menus import Dish, MenuEntry, SetMeal, WeeklyMenu

__all__ = [
    "ELDERLY_TIERS",
    "Canteen",
    "CanteenStaff",
    "Dish",
    "Eligibility",
    "MealRecord",
    "MealTime",
    "MenuEntry",
    "SetMeal",
    "SubsidyRate",
    "Tier",
    "TierPrice",
    "WeeklyMenu",
]
