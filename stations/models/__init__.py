from .activities import Activity, ActivitySignup
from .couriers import Courier, PartyRegistration, Programme, ProgrammeEnrolment
from .figures import CheckInDay, CourierDay, RolledUpDay
from .stations import CheckIn, Facility, Service, Station

__all__ = [
    "Activity",
    "ActivitySignup",
    "CheckIn",
    "CheckInDay",
    "Courier",
    "CourierDay",
    "Facility",
    "PartyRegistration",
    "Programme",
    "ProgrammeEnrolment",
    "RolledUpDay",
    "Service",
    "Station",
]
