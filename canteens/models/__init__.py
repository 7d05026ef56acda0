from .canteens import (
    ELDERLY_TIERS,
    Canteen,
    CanteenStaff,
    Eligibility,
    SubsidyRate,
    Tier,
    TierPrice,
)
from .figures import DinerDay, MealDay, MealsRolledUpDay
from .meals import MealRecord, MealTime
from .menus import Dish, MenuEntry, SetMeal, WeeklyMenu

__all__ = [
    "ELDERLY_TIERS",
    "Canteen",
    "CanteenStaff",
    "DinerDay",
    "Dish",
    "Eligibility",
    "MealDay",
    "MealRecord",
    "MealsRolledUpDay",
    "MealTime",
    "MenuEntry",
    "SetMeal",
    "SubsidyRate",
    "Tier",
    "TierPrice",
    "WeeklyMenu",
]
