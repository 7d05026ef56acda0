from .activities import Activity, ServiceRecord, Signup
from .certificates import Certificate
from .figures import ActivityDay, ServedDay, VolunteersRolledUpDay
from .patrols import PatrolReport
from .volunteers import Team, TeamMembership, Volunteer

__all__ = [
    "ActivityDay",
    "ServedDay",
    "VolunteersRolledUpDay",
    "Activity",
    "Certificate",
    "PatrolReport",
    "ServiceRecord",
    "Signup",
    "Team",
    "TeamMembership",
    "Volunteer",
]
