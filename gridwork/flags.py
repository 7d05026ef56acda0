"""The two-step overdue flags, raised by a set-based sweep (one INSERT … SELECT per colour and
level). The unique (household, due date, level) makes it idempotent: running it twice, or two
sweeps at once, raises each flag once."""

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from gridwork import schedule
from gridwork.models import Household, OverdueFlag, VisitPolicy

_RAISE = """
INSERT INTO {flag} (household_id, due_on, level, grid_id, community_id, street_id,
                    district_id, raised_at)
SELECT h.id, h.next_due_on, %s, h.grid_id, h.community_id, h.street_id, h.district_id, %s
FROM {household} h
WHERE h.colour = %s AND h.next_due_on < %s
ON CONFLICT (household_id, due_on, level) DO NOTHING
"""


def flags_raise(on=None):
    """Flag every household past its due date: to the grid worker after the colour's worker
    grace days, to the community after its community grace days. Returns {level: raised}."""
    on = on or schedule.today()
    now = timezone.now()
    sql = _RAISE.format(flag=OverdueFlag._meta.db_table, household=Household._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(now)
    raised = {OverdueFlag.Level.WORKER: 0, OverdueFlag.Level.COMMUNITY: 0}
    with transaction.atomic(), connection.cursor() as cursor:
        for policy in VisitPolicy.objects.all():
            for level, grace in (
                (OverdueFlag.Level.WORKER, policy.worker_grace_days),
                (OverdueFlag.Level.COMMUNITY, policy.community_grace_days),
            ):
                # Due by D, grace g: flagged from day D + g + 1 on, i.e. D < on - g.
                cutoff = on - timedelta(days=grace)
                cursor.execute(sql, [str(level), stamp, policy.colour, cutoff])
                raised[level] += max(cursor.rowcount, 0)
    return raised


def flags_close(*, household, visit):
    """A qualifying visit closes the household's open flags (both levels)."""
    return OverdueFlag.objects.filter(household=household, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=visit
    )
