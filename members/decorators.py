from functools import wraps

from django.shortcuts import redirect, render
from django.urls import reverse

from members.selectors import member_of


def member_required(view):
    """Members only: anonymous people go to the sign-in page, staff get a 403 that says why."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('members:login')}?next={request.path}")
        member = member_of(request.user)
        if member is None:
            return render(request, "members/staff_not_member.html", status=403)
        request.member = member
        return view(request, *args, **kwargs)

    return wrapped
