"""Grievance models arrive with the grievances issue."""
