"""Models arrive with the stations issue, after the grievance slice."""
