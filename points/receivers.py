"""What the points app does when another app's hook fires (connected in apps.py)."""

from points.services import points_award_for_record


def award_points(sender, record, **kwargs):
    """Confirmed hours earn points inside the confirming transaction (once per record)."""
    points_award_for_record(record=record)
