from .activities import Activity, ServiceRecord, Signup
from .volunteers import Team, TeamMembership, Volunteer

__all__ = ["Activity", "ServiceRecord", "Signup", "Team", "TeamMembership", "Volunteer"]
