"""Models arrive with the volunteers issue, after the grievance slice."""
