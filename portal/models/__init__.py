from .calendar import CalendarDay
from .hierarchy import Building, Community, Compound, Department, District, Grid, Street
from .keys import DataKey
from .staff import User

__all__ = [
    "Building",
    "CalendarDay",
    "Community",
    "DataKey",
    "Compound",
    "Department",
    "District",
    "Grid",
    "Street",
    "User",
]
