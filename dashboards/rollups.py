"""Dashboard rollups, kept up to date by the grievance services as cases change.

Placeholder interface (the dashboards issue fills it in): `snapshot(case)` captures what a case
contributes to the rollups before a change; `cases_changed(befores, afters)` applies the
difference. Both must be cheap and must run inside the caller's transaction.
"""


def snapshot(case):
    return None


def cases_changed(befores, afters):
    return None
