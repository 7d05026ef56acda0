"""Reads other apps use: who is signed in, and their cases' owner check."""


def member_of(user):
    """The member behind a signed-in user, or None (anonymous, staff, erased). No query for an
    anonymous visitor; one (cached on the user) for a signed-in one."""
    if not user.is_authenticated or user.is_staff or getattr(user, "role", ""):
        return None
    try:
        member = user.member
    except user._meta.model.member.RelatedObjectDoesNotExist:
        return None
    return None if member.erased_at else member
