"""Answer templates: a resolve note started from one, the resident's message on resolution
following one, placeholders filled with the case's fields and checked when saved."""

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from grievances import services
from grievances.models import AnswerTemplate, Case, Status
from tests.grievances.factories import CategoryFactory, submit
from tests.grievances.test_notify import RecordingBackend, to


@pytest.fixture
def case(two_streets, staff):
    return submit(
        two_streets["communities"][0],
        category=CategoryFactory(name="楼道照明"),
        address="3栋2单元",
        reporter_phone="13812345678",
        may_contact=True,
    )


def note_template(**kw):
    kw.setdefault("title", "已现场处理")
    kw.setdefault("text", "已到现场（{address}）处理{category}问题，查询码{code}。")
    template = AnswerTemplate(kind=AnswerTemplate.Kind.NOTE, **kw)
    template.full_clean()
    template.save()
    return template


def test_placeholders_are_filled_with_the_case(case):
    text = note_template().render(case)
    assert text == f"已到现场（3栋2单元）处理楼道照明问题，查询码{case.code}。"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("已处理 {phone}", "note"),  # not a placeholder we know
        ("已处理 {code", "note"),  # brace not closed
        ("办结：{resolution}", "note"),  # the note is the resolution
        ("已处理 {}", "note"),  # parses, but names nothing to fill in
        ("查询码 {code:d}", "resident"),  # a format code a text cannot take
        ("查询码 {code!z}", "note"),  # no such conversion
    ],
)
def test_a_bad_template_is_refused_with_a_message_on_the_text(db, text, kind):
    with pytest.raises(ValidationError) as refused:
        AnswerTemplate(kind=kind, title="坏模板", text=text).full_clean()
    assert "text" in refused.value.message_dict


def test_the_case_page_offers_the_templates_of_its_category_filled_in(client, case, staff):
    note_template()
    note_template(title="别的类别", category=CategoryFactory(name="别的"))
    client.force_login(staff["grid"])
    page = client.get(reverse("grievances_staff:case", args=[case.code])).content.decode()
    assert "已现场处理" in page and "别的类别" not in page
    assert f'data-text="已到现场（3栋2单元）处理楼道照明问题，查询码{case.code}。"' in page
    assert "grievances/answer_templates.js" in page


def test_resolving_with_a_template_and_no_note_uses_the_template(client, case, staff):
    template = note_template()
    client.force_login(staff["grid"])
    url = reverse("grievances_staff:action", args=[case.code, "resolve"])
    client.post(url, {"resolve-template": template.pk, "resolve-note": ""}, follow=True)
    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.RESOLVED and case.resolution == template.render(case)


def test_the_resident_message_follows_the_category_template(case, staff, settings):
    settings.NOTIFY_BACKEND = "tests.grievances.test_notify.RecordingBackend"
    RecordingBackend.sent = []
    AnswerTemplate.objects.create(
        kind=AnswerTemplate.Kind.RESIDENT,
        title="通用",
        text="通用模板 {code}",
    )
    AnswerTemplate.objects.create(
        kind=AnswerTemplate.Kind.RESIDENT,
        category=case.category,
        title="本类别",
        text="您反映的{category}（{code}）已办结：{resolution}请评价。",
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_resolve(case=case, by=staff["grid"], note="已更换灯泡。")
    (text,) = to(RecordingBackend.sent, "13812345678")
    assert text == f"您反映的楼道照明（{case.code}）已办结：已更换灯泡。请评价。"


def test_a_template_that_cannot_be_filled_in_is_refused_in_the_admin_in_chinese(admin_client):
    page = admin_client.post(
        reverse("admin:grievances_answertemplate_add"),
        {"kind": "note", "title": "坏模板", "text": "查询码 {code:d}", "active": "on", "order": 0},
    )
    assert page.status_code == 200
    assert "无法填入" in page.content.decode()
    assert not AnswerTemplate.objects.exists()


def stored_broken(**kw):
    """A template saved past the check (an old row, or edited in the database)."""
    kw.setdefault("kind", AnswerTemplate.Kind.NOTE)
    return AnswerTemplate.objects.create(title="坏模板", text="查询码 {code:d} {}", **kw)


def test_a_broken_stored_template_does_not_break_the_case_page(client, case, staff, caplog):
    stored_broken()
    note_template()
    client.force_login(staff["grid"])
    page = client.get(reverse("grievances_staff:case", args=[case.code]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "已现场处理" in text and "坏模板" not in text  # the good one offered, the bad left out
    assert "cannot be filled in" in caplog.text


def test_a_broken_stored_template_renders_as_written(case):
    assert stored_broken().render(case) == "查询码 {code:d} {}"


def test_a_broken_resident_template_gives_the_standard_message(case, staff, settings):
    settings.NOTIFY_BACKEND = "tests.grievances.test_notify.RecordingBackend"
    RecordingBackend.sent = []
    stored_broken(kind=AnswerTemplate.Kind.RESIDENT, category=case.category)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_resolve(case=case, by=staff["grid"], note="已更换灯泡。")
    (text,) = to(RecordingBackend.sent, "13812345678")
    assert case.code in text and "已更换灯泡。" in text and "{" not in text
