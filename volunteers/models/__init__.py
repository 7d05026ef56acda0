from .activities import Activity, ServiceRecord, Signup
from .certificates import Certificate
from .volunteers import Team, TeamMembership, Volunteer

__all__ = [
    "Activity",
    "Certificate",
    "ServiceRecord",
    "Signup",
    "Team",
    "TeamMembership",
    "Volunteer",
]
