from .activities import Activity, ServiceRecord, Signup
from .certificates import Certificate
from .patrols import PatrolReport
from .volunteers import Team, TeamMembership, Volunteer

__all__ = [
    "Activity",
    "Certificate",
    "PatrolReport",
    "ServiceRecord",
    "Signup",
    "Team",
    "TeamMembership",
    "Volunteer",
]
