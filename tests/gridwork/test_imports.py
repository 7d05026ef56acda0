"""Excel import (dry run, row errors in Chinese, atomic) and de-identified export."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from gridwork import imports
from gridwork.models import Household, Person
from security.models import AuditEvent

from .conftest import ID_OK

HEAD = [t for _, t in imports.COLUMNS]


def sheet(rows):
    book = Workbook()
    ws = book.active
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def row(number, grid, name="张三", compound="幸福小区", building="3栋", colour="蓝", **kw):
    values = {
        "number": number,
        "grid": grid,
        "compound": compound,
        "building": building,
        "unit": "1",
        "door": "101",
        "address": "",
        "colour": colour,
        "colour_reason": "独居" if colour != "蓝" else "",
        "name": name,
        "relation": "户主",
        "birth_year": 1950,
        "phone": "13900001111",
        "id_number": "",
        "care_tags": "",
    }
    values.update(kw)
    return [values[k] for k, _ in imports.COLUMNS]


@pytest.fixture
def grid_code(two_streets, building_a1):
    return two_streets["grids"][0].code


def test_a_dry_run_lists_chinese_row_errors_and_saves_nothing(staff, grid_code, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    from django.utils import translation

    f = sheet(
        [
            row("H1", grid_code),
            row("H2", grid_code, building="99栋"),
            row("H3", "NOPE"),
            row("H4", grid_code, phone="123", id_number="110105194912310021"),
            row("H5", grid_code, colour="红", colour_reason=""),
        ]
    )
    with translation.override("zh-hans"):
        result = imports.households_import(
            by=staff["community"], community=staff["community"].community, file=f, dry_run=True
        )
    messages = [m for _, m in result.errors]
    assert [n for n, _ in result.errors] == [3, 4, 5, 5, 6]
    assert "第3行" in messages[0] and "99栋" in messages[0]
    assert "网格" in messages[1]
    assert "手机" in messages[2] and "身份证" in messages[3]
    assert not Household.objects.exists()


def test_an_import_with_one_bad_row_imports_nothing(staff, grid_code):
    f = sheet([row("H1", grid_code), row("H2", grid_code, care_tags="外星人")])
    result = imports.households_import(
        by=staff["community"], community=staff["community"].community, file=f, dry_run=False
    )
    assert len(result.errors) == 1
    assert not Household.objects.exists() and not Person.objects.exists()


def test_an_import_creates_then_updates_on_the_household_number(staff, grid_code):
    community = staff["community"].community
    f = sheet(
        [
            row("H1", grid_code, "王秀英", colour="红", id_number=ID_OK, care_tags="独居老人"),
            row("H2", grid_code, "李四"),
            row("H2", grid_code, "李小四", relation="子女"),
        ]
    )
    result = imports.households_import(
        by=staff["community"], community=community, file=f, dry_run=False
    )
    assert result.ok and (result.created, result.people) == (2, 3)
    h1 = Household.objects.get(number="H1")
    assert h1.colour == "red" and h1.next_due_on is not None
    assert h1.people.get().id_last4 == ID_OK[-4:] and h1.people.get().care_tags == ["alone_elderly"]
    again = sheet([row("H2", grid_code, "李四", colour="黄", colour_reason="出租")])
    result = imports.households_import(
        by=staff["community"], community=community, file=again, dry_run=False
    )
    assert (result.created, result.updated) == (0, 1)
    h2 = Household.objects.get(number="H2")
    assert h2.colour == "yellow" and list(h2.people.values_list("name", flat=True)) == ["李四"]
    assert [(c.from_colour, c.to_colour) for c in h2.colour_changes.order_by("id")] == [
        ("", "blue"),
        ("blue", "yellow"),
    ]


def test_a_failure_while_writing_leaves_nothing_half_imported(staff, grid_code, monkeypatch):
    f = sheet([row(f"H{i}", grid_code) for i in range(5)])
    monkeypatch.setattr(imports, "CHUNK", 2)
    original = Person.objects.bulk_create
    calls = {"n": 0}

    def failing(objs, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(objs, **kw)

    monkeypatch.setattr(Person.objects, "bulk_create", failing)
    with pytest.raises(RuntimeError):
        imports.households_import(
            by=staff["community"], community=staff["community"].community, file=f, dry_run=False
        )
    assert not Household.objects.exists() and not Person.objects.exists()


def test_only_the_communitys_staff_import(
    client, staff, grid_code, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff["street"])
    assert client.get("/staff/visits/import/").status_code == 403
    client.force_login(staff["community"])
    upload = SimpleUploadedFile("r.xlsx", sheet([row("H1", grid_code)]).getvalue())
    page = client.post("/staff/visits/import/", {"file": upload, "dry_run": "on"}, follow=True)
    assert page.status_code == 200 and not Household.objects.exists()
    upload = SimpleUploadedFile("r.xlsx", sheet([row("H1", grid_code)]).getvalue())
    with django_capture_on_commit_callbacks(execute=True):  # the task runs inline on commit
        client.post("/staff/visits/import/", {"file": upload})
    assert Household.objects.count() == 1
    junk = SimpleUploadedFile("r.xlsx", b"not a workbook")
    assert client.post("/staff/visits/import/", {"file": junk}).status_code == 400
    template = client.get("/staff/visits/import/template.xlsx")
    assert load_workbook(io.BytesIO(template.content)).active["A1"].value == "户编号"


def _export_text(response):
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(
        str(v) for ws in book for r in ws.iter_rows(values_only=True) for v in r if v is not None
    )


def test_the_export_is_de_identified_above_the_community(client, staff, red_home):
    client.force_login(staff["street"])
    text = _export_text(client.get("/staff/visits/export.xlsx"))
    assert "幸福小区" in text and "红" in text
    for secret in ("王秀英", "13811112222", ID_OK[-4:], "A1-0001", "301"):
        assert secret not in text
    client.force_login(staff["community"])
    full = _export_text(client.get("/staff/visits/export.xlsx"))
    assert "王秀英" in full and "13811112222" in full
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).count() == 2


def _import(staff, rows, dry_run=False):
    return imports.households_import(
        by=staff["community"],
        community=staff["community"].community,
        file=sheet(rows),
        dry_run=dry_run,
    )


def test_a_household_number_twice_with_another_dwelling_is_a_row_error_naming_the_first_row(
    staff, grid_code
):
    from django.utils import translation

    rows = [
        row("H1", grid_code, "王秀英", colour="红"),
        row("H1", grid_code, "王小英", relation="子女", colour="", colour_reason=""),  # agrees
        row("H2", grid_code, "李四"),
        row("H1", grid_code, "赵六", door="102", colour="黄", colour_reason="出租"),
    ]
    with translation.override("zh-hans"):
        result = _import(staff, rows, dry_run=True)
    assert [n for n, _ in result.errors] == [5, 5]
    door, colour = (m for _, m in result.errors)
    assert "第5行" in door and "第2行" in door and "H1" in door and "门牌" in door
    assert "颜色" in colour and "红" in colour and "黄" in colour
    with translation.override("zh-hans"):
        result = _import(staff, rows)
    assert len(result.errors) == 2
    assert not Household.objects.exists() and not Person.objects.exists()
    result = _import(staff, rows[:3])
    assert result.ok and (result.created, result.people) == (2, 3)
    assert Household.objects.get(number="H1").people.count() == 2


def test_a_reimport_that_recolours_keeps_the_visits_made_and_the_one_off_date(staff, grid_code):
    from datetime import timedelta

    from gridwork import schedule, services

    _import(staff, [row("H1", grid_code, colour="红"), row("H2", grid_code, colour="红")])
    today = schedule.today()
    h1, h2 = Household.objects.order_by("number")
    for home in (h1, h2):
        services.visit_log(by=staff["community"], household=home, outcome="met")
    services.household_set_one_off_due(
        by=staff["community"], household=h2, due_on=today + timedelta(days=1), reason="住院"
    )
    result = _import(
        staff,
        [
            row("H1", grid_code, colour="黄", colour_reason="出租"),
            row("H2", grid_code, colour="黄", colour_reason="出租"),
        ],
    )
    assert result.ok
    h1.refresh_from_db()
    h2.refresh_from_db()
    # Visited this month: the yellow schedule wants the next visit by the end of next month.
    next_month = schedule.period_bounds(
        "month", schedule.period_bounds("month", today)[1] + timedelta(days=1)
    )[1]
    assert (h1.colour, h1.last_qualifying_visit_on, h1.next_due_on) == ("yellow", today, next_month)
    assert h2.one_off_due_on == today + timedelta(days=1)
    assert h2.next_due_on == today + timedelta(days=1)


def test_a_reimport_does_not_query_per_household(staff, grid_code, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def reimport(n):
        rows = [row(f"H{i}", grid_code) for i in range(n)]
        _import(staff, rows)
        with CaptureQueriesContext(connection) as ctx:
            assert _import(staff, rows).ok
        return len(ctx.captured_queries)

    assert reimport(3) == reimport(30)
