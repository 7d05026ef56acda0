"""`{% load points_tags %}{% activity_points activity as p %}` for any app's activity page."""

from django import template

from points import selectors

register = template.Library()


@register.simple_tag
def activity_points(activity):
    """{"kind": ..., "points_per_hour": n} for the activity (0 when staff set no rate)."""
    return selectors.activity_points(activity)
