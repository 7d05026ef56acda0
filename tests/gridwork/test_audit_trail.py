"""The register in the audit trail (等保 安全审计): a grid worker opening a household file is one
read record; staff changes of households and residents are recorded with personal values
masked."""

import json

import pytest

from gridwork import services
from security.model_changes import current_request
from security.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_grid_worker_opening_a_household_file_is_one_read_record(client, staff, red_home):
    client.force_login(staff["grid"])
    page = client.get(f"/staff/visits/households/{red_home.pk}/")
    assert page.status_code == 200 and "王秀英" in page.text
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.READ_PERSONAL)
    assert event.actor == staff["grid"].username
    assert event.object_id == str(red_home.pk) and "phone" in event.changes["fields"]


def test_a_colour_change_is_recorded_with_its_reason_masked(client, staff, red_home):
    client.force_login(staff["grid"])
    response = client.post(
        f"/staff/visits/households/{red_home.pk}/colour/",
        {"colour": "yellow", "reason": "女儿搬回同住"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(
        kind=AuditEvent.Kind.UPDATE, object_type="gridwork.household", object_id=str(red_home.pk)
    )
    assert event.actor == staff["grid"].username
    assert event.changes["changed"]["colour"] == ["red", "yellow"]
    assert event.changes["changed"]["colour_reason"] == ["***", "***"]
    assert "女儿搬回同住" not in json.dumps(event.changes, ensure_ascii=False)


def test_a_resident_added_by_staff_is_recorded_without_their_phone(rf, staff, red_home):
    request = rf.post("/")
    request.user = staff["community"]
    token = current_request.set(request)
    try:
        person = services.person_add(
            by=staff["community"],
            household=red_home,
            name="李建国",
            birth_year=1950,
            phone="13855556666",
            care_tags=["disabled"],
        )
    finally:
        current_request.reset(token)
    event = AuditEvent.objects.get(
        kind=AuditEvent.Kind.CREATE, object_type="gridwork.person", object_id=str(person.pk)
    )
    assert "phone" in event.changes["fields"] and "name" in event.changes["fields"]
    text = json.dumps(event.changes, ensure_ascii=False)
    assert "13855556666" not in text and "李建国" not in text
