from celery import shared_task

from gridwork import flags, import_jobs


@shared_task(acks_late=True)
def raise_overdue_flags():
    """Beat: flag households past their due date (idempotent, set-based)."""
    return flags.flags_raise()


# 100,000 rows take a minute or two; a district's biggest community's file well under 30.
@shared_task(acks_late=True, soft_time_limit=28 * 60, time_limit=30 * 60)
def run_import(job_id):
    """Run one register import job (idempotent: a finished or running job is left alone)."""
    return import_jobs.import_job_run(job_id)


@shared_task(acks_late=True)
def resume_imports():
    """Beat: hand the worker again the import jobs whose message was lost or whose run died."""
    return import_jobs.imports_resume()


@shared_task(acks_late=True)
def roll_up_yesterday():
    """Beat, after midnight: roll up yesterday's grid work for the dashboards (once; a retry or
    a second run finds the day built)."""
    from datetime import timedelta

    from gridwork import rollups, schedule

    return rollups.day_build(schedule.today() - timedelta(days=1))
