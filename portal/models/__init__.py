from .calendar import CalendarDay
from .hierarchy import Building, Community, Compound, Department, District, Grid, Street
from .staff import User

__all__ = [
    "Building",
    "CalendarDay",
    "Community",
    "Compound",
    "Department",
    "District",
    "Grid",
    "Street",
    "User",
]
