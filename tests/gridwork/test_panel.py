"""The grid-work dashboard panel: counts only, for the node and period asked."""

from dataclasses import dataclass
from datetime import date, timedelta

from gridwork import panels, schedule, services
from gridwork.models import Household


@dataclass
class Filter:
    level: str
    node_id: int
    start: date
    end: date


def test_the_panel_counts_colours_overdue_visits_and_cases_without_names(staff, red_home):
    services.visit_log(by=staff["grid"], household=red_home, outcome="not_home")
    services.visit_log(by=staff["grid"], household=red_home, outcome="met")
    Household.objects.filter(pk=red_home.pk).update(
        next_due_on=schedule.today() - timedelta(days=1)
    )
    today = schedule.today()
    street = staff["street"].street_id
    d = panels.figures({"filter": Filter("street", street, today - timedelta(days=6), today)})
    assert d["households"] == 1 and d["overdue"] == 1
    assert (d["visits"], d["qualifying"], d["qualifying_pct"]) == (2, 1, 50.0)
    sheet = panels.tables({"gridwork_data": d})[0]
    assert "王秀英" not in repr(sheet.rows)
    other = panels.figures(
        {"filter": Filter("community", staff["grid"].community_id + 999, today, today)}
    )
    assert other["households"] == 0


def test_the_panel_shows_on_time_rate_overdue_by_worker_patrols_per_day_and_problems(
    staff, two_streets, red_home
):
    from django.utils import timezone, translation

    from gridwork.models import Visit

    today = schedule.today()
    registered = Household.objects.filter(pk=red_home.pk)
    registered.update(created_at=timezone.now() - timedelta(days=10), next_due_on=today)
    services.visit_log(by=staff["grid"], household=red_home, outcome="met")  # due today: on time
    registered.update(next_due_on=today - timedelta(days=1))  # and one due yesterday, missed
    services.problem_take(by=staff["community"], title="楼道堆物", source="visit")
    services.patrol_start(by=staff["grid"])
    week = (today - timedelta(days=6), today)
    community = staff["community"].community_id
    d = panels.figures({"filter": Filter("community", community, *week)})
    assert Visit.objects.get().answered_due_on is not None
    assert (d["due"], d["due_on_time"], d["on_time_rate"]) == (2, 1, 0.5)
    assert d["overdue"] == 1 and d["overdue_by_worker"]
    row = next(r for r in d["overdue_rows"] if r["overdue"])
    assert row["workers"] == staff["grid"].get_username()
    assert dict(d["patrols_per_day"])[today] == 1 and len(d["patrols_per_day"]) == 7
    assert (d["problems_taken"], d["problems_done"]) == (1, 0)
    with translation.override("en"):
        sheets = {str(t.title): t.rows for t in panels.tables({"gridwork_data": d})}
    assert [staff["grid"].get_username(), 1] == sheets["Overdue by grid worker"][0][1:]
    assert [today.isoformat(), 1] == sheets["Patrols per day"][-1]
    assert [v for _label, v in sheets["On-time visits"]] == [0.5, 1.0]

    street = panels.figures({"filter": Filter("street", staff["street"].street_id, *week)})
    assert not street["overdue_by_worker"] and street["overdue"] == 1
    assert {r["workers"] for r in street["overdue_rows"]} == {""}
    sheets = panels.tables({"gridwork_data": street})
    assert "王秀英" not in repr([t.rows for t in sheets])
