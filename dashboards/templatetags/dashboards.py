import math

from django import template

register = template.Library()


@register.filter
def pct(value):
    """0.934 → "93.4%"; no data → "—"."""
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def change(value):
    """A change in a rate, in percentage points with an arrow."""
    if value is None:
        return ""
    points = value * 100
    if abs(points) < 0.05:
        return "±0.0"
    return f"{'▲' if points > 0 else '▼'}{abs(points):.1f}"


@register.filter
def rank_change(value):
    if not value:
        return ""
    return f"{'▲' if value > 0 else '▼'}{abs(value)}"


@register.filter
def hours(value):
    if value is None:
        return "—"
    if value == math.inf:
        return ">720"
    return f"{value:.1f}" if isinstance(value, float) else str(value)
