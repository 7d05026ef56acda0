"""Models arrive with the canteens issue, after the grievance slice."""
