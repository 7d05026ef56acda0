"""Reads for the staff pages, the admin and notifications. Every one is scoped by `for_user`."""

import math
from datetime import timedelta

from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone

from grievances.models import Case, CaseEvent, Level, Summons
from grievances.models.cases import OPEN_STATUSES
from portal.models import User

# The handler rule of `services.can_handle`, as a query: each level's cases belong to the staff
# role sitting at that level, inside their own node. tests/grievances/test_staff_views.py holds
# the two to the same answer for every account and case.
HANDLER_ROLE = {
    Level.GRID: (User.Role.GRID_WORKER, "grid_id"),
    Level.COMMUNITY: (User.Role.COMMUNITY_STAFF, "community_id"),
    Level.STREET: (User.Role.STREET_STAFF, "street_id"),
    Level.DISTRICT: (User.Role.DISTRICT_OFFICIAL, "district_id"),
}
ROLE_LEVEL = {role: level for level, (role, _) in HANDLER_ROLE.items()}

QUEUE_RELATED = ["category", "community", "grid", "assignee"]


def cases_visible_to(user):
    """辖区全部: every case in the user's node (a department: the cases it was summoned to)."""
    return Case.objects.for_user(user).select_related(*QUEUE_RELATED)


def cases_to_handle(user):
    """我的待办: open cases the user can act on now.

    Staff: the open cases at their own level inside their node. A department: the cases with a
    summons to it still unanswered.
    """
    qs = cases_visible_to(user).filter(status__in=OPEN_STATUSES)
    if user.is_superuser:
        return qs
    if user.role == User.Role.DEPARTMENT:
        return qs.filter(
            summonses__department_id=user.department_id, summonses__answered_at__isnull=True
        )
    level = ROLE_LEVEL.get(user.role)
    if level is None:
        return qs.none()
    field = HANDLER_ROLE[level][1]
    return qs.filter(level=level, **{field: getattr(user, field)})


def order_by_urgency(qs):
    """Supervised first, then the nearest (or longest-passed) time limit."""
    return qs.order_by(F("supervised").desc(), F("deadline").asc(nulls_last=True), "-id")


def handlers_at(places):
    """The staff accounts who may act at each (level, node id) place, for notifications.

    One query per level asked about, whatever the number of places (an escalation sweep
    notifies thousands of cases at once). Returns {(level, node_id): [users]}.
    """
    by_level = {}
    for level, node_id in places:
        if node_id is not None:
            by_level.setdefault(Level(level), set()).add(node_id)
    found = {}
    for level, ids in by_level.items():
        role, field = HANDLER_ROLE[level]
        users = User.objects.filter(role=role, is_active=True, **{f"{field}__in": ids})
        for user in users.order_by("id"):
            found.setdefault((level, getattr(user, field)), []).append(user)
    return found


def place_of(case, level=None):
    """The (level, node id) whose staff handle `case` at `level` (default: where it is now)."""
    level = Level(level or case.level)
    return level, getattr(case, HANDLER_ROLE[level][1])


def case_for_staff(user, code):
    """One case by tracking code, or 404 when it lies outside the user's node."""
    return get_object_or_404(
        cases_visible_to(user).select_related("lead_official", "compound", "street"), code=code
    )


def case_timeline(case):
    return CaseEvent.objects.filter(case=case).select_related("actor").order_by("created_at", "id")


def case_summonses(case):
    return Summons.objects.filter(case=case).select_related("department").order_by("id")


def summonses_for_user(user):
    """Summonses on cases in the user's node; a department sees only its own."""
    qs = Summons.objects.filter(case__in=Case.objects.for_user(user))
    if user.role == User.Role.DEPARTMENT and not user.is_superuser:
        qs = qs.filter(department_id=user.department_id)
    return qs


def overdue_by(case, now=None):
    """How long an open case is past its time limit at its level (None when it is not)."""
    now = now or timezone.now()
    if case.status in OPEN_STATUSES and case.deadline and case.deadline < now:
        return now - case.deadline
    return None


def case_extensions(case):
    """The case's extension requests (延期申请), newest first, with who asked and decided."""
    return case.extensions.select_related("asked_by", "decided_by").order_by("-asked_at")


def pending_extension(case):
    return case.extensions.filter(state="pending").first()


# Duplicates ------------------------------------------------------------------------------------

DUPLICATE_DAYS = 7  # open cases of the same category reported within this many days
DUPLICATE_METRES = 100  # ... in the same compound or this close


def _near(a, b):
    if a.compound_id and a.compound_id == b.compound_id:
        return True
    if None in (a.lat, a.long, b.lat, b.long):
        return False
    dy = (float(a.lat) - float(b.lat)) * 111_320
    dx = (float(a.long) - float(b.long)) * 111_320 * math.cos(math.radians(float(a.lat)))
    return math.hypot(dx, dy) <= DUPLICATE_METRES


def _duplicate_pool(cases, user):
    """Open, unmerged cases `user` may see that could duplicate any of `cases`: one query
    (for a page of the queue, whatever it holds)."""
    cases = list(cases)
    if not cases:
        return []
    since = min(c.created_at for c in cases) - timedelta(days=DUPLICATE_DAYS)
    visible = Case.objects.all() if user is None else cases_visible_to(user)
    return list(
        visible.filter(
            status__in=OPEN_STATUSES,
            parent__isnull=True,
            category_id__in={c.category_id for c in cases},
            community_id__in={c.community_id for c in cases},
            created_at__gte=since,
        )
        .select_related("category", "community", "compound")
        .order_by("created_at")
    )


def duplicate_candidates(case, user=None):
    """Open cases that look like the same problem as `case`: same category, reported within
    DUPLICATE_DAYS before or after it, in the same compound or within DUPLICATE_METRES."""
    if case.parent_id or not (case.compound_id or case.lat is not None):
        return []
    return [
        other
        for other in _duplicate_pool([case], user)
        if other.pk != case.pk
        and other.category_id == case.category_id
        and abs(other.created_at - case.created_at) <= timedelta(days=DUPLICATE_DAYS)
        and _near(case, other)
    ][:5]


def duplicate_counts(cases, user):
    """{case id: how many possible duplicates} for a page of the queue, in one query."""
    pool = _duplicate_pool(cases, user)
    counts = {}
    for case in cases:
        n = sum(
            1
            for other in pool
            if other.pk != case.pk
            and other.category_id == case.category_id
            and abs(other.created_at - case.created_at) <= timedelta(days=DUPLICATE_DAYS)
            and _near(case, other)
        )
        if n:
            counts[case.pk] = n
    return counts
