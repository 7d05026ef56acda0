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
