"""Many cases at once, straight into the table (the fault tests need thousands, fast)."""

from django.utils import timezone

from grievances.models import Case, Level, Status
from grievances.models.cases import new_tracking_code


def bulk_cases(community, category, n, **fields):
    cases = [
        Case(
            code=new_tracking_code(),
            category=category,
            description="路灯不亮",
            community=community,
            street_id=community.street_id,
            district_id=community.street.district_id,
            **fields,
        )
        for _ in range(n)
    ]
    return Case.objects.bulk_create(cases, batch_size=2000)


def bulk_overdue(community, category, n, now=None):
    now = now or timezone.now()
    return bulk_cases(
        community,
        category,
        n,
        status=Status.ASSIGNED,
        level=Level.GRID,
        routed_at=now,
        deadline=now - timezone.timedelta(hours=1),
    )
