from .activities import Activity, ActivitySignup
from .couriers import Courier, PartyRegistration, Programme, ProgrammeEnrolment
from .stations import CheckIn, Facility, Service, Station

__all__ = [
    "Activity",
    "ActivitySignup",
    "CheckIn",
    "Courier",
    "Facility",
    "PartyRegistration",
    "Programme",
    "ProgrammeEnrolment",
    "Service",
    "Station",
]
