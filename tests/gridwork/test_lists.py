"""问题清单 → 任务清单 → 效果清单: taken, tasked, done with an effect; summary by period."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridwork import schedule, selectors, services
from gridwork.models import Problem


def test_a_problem_is_done_only_with_its_effect_and_the_summary_counts_it(staff):
    street = staff["street"]
    lamp = services.problem_take(by=street, title="背街小巷路灯不亮", source="case")
    services.problem_take(by=street, title="菜市场占道经营", source="meeting")
    task = services.task_add(
        by=street, problem=lamp, what="城管所更换灯具", owner="城管所", due_on=schedule.today()
    )
    services.task_done(by=street, task=task)
    with pytest.raises(ValidationError):
        services.problem_done(by=street, problem=lamp, effect=" ")
    services.problem_done(by=street, problem=lamp, effect="12盏路灯恢复照明")
    today = schedule.today()
    problems, summary = selectors.problem_lists(street, today - timedelta(days=1), today)
    assert summary == {"taken": 2, "done": 1}
    lamp.refresh_from_db()
    assert lamp.done_on == today and lamp.tasks.get().done_on == today


def test_grid_workers_keep_no_list_and_another_community_sees_none(staff, two_streets):
    with pytest.raises(PermissionDenied):
        services.problem_take(by=staff["grid"], title="x", source="visit")
    mine = services.problem_take(by=staff["community"], title="加装电梯意见", source="direct")
    assert mine.community_id == staff["community"].community_id
    assert Problem.objects.for_user(staff["street"]).filter(pk=mine.pk).exists()


def test_the_printable_page_shows_the_summary_and_rejects_bad_input(client, staff):
    client.force_login(staff["street"])
    assert (
        client.post("/staff/visits/lists/", {"action": "problem", "title": ""}).status_code == 400
    )
    client.post("/staff/visits/lists/", {"action": "problem", "title": "积水点", "source": "visit"})
    problem = Problem.objects.get()
    bad = client.post(
        "/staff/visits/lists/",
        {"action": "task", "target": problem.pk, "what": "疏通", "owner": "", "due_on": "x"},
    )
    assert bad.status_code == 400 and not problem.tasks.exists()
    page = client.get("/staff/visits/lists/")
    assert page.status_code == 200 and "积水点" in page.text
    assert page.context["summary"] == {"taken": 1, "done": 0}
    client.force_login(staff["community"])  # below the street: the street's own list is not theirs
    post = client.post(
        "/staff/visits/lists/", {"action": "effect", "target": problem.pk, "effect": "已疏通"}
    )
    assert post.status_code == 404
