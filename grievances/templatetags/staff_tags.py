from django import template

register = template.Library()


@register.filter
def person(user):
    """A staff member's name the Chinese way (surname first), or their login."""
    if user is None:
        return ""
    return f"{user.last_name}{user.first_name}" or user.username
