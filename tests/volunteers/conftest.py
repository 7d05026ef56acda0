from datetime import timedelta

import pytest
from django.utils import timezone

from tests.stations.conftest import make_member
from volunteers import services
from volunteers.models import Activity

# Valid resident ID numbers (GB 11643 check digits) for tests.
IDS = ["11010519491231002X", "110105194912310029", "440524188001010014"]


def make_volunteer(community, phone, name="志愿者", id_number=None, **extra):
    member = make_member(phone, name)
    return services.volunteer_register(
        member=member,
        real_name=name,
        id_type="passport",
        id_number=id_number or f"E{phone}",
        consent=True,
        community=community,
        **extra,
    )


def make_activity(community=None, street=None, capacity=3, starts_in=timedelta(days=1), **extra):
    start = timezone.now() + starts_in
    activity = Activity(
        title="清洁家园",
        community=community,
        street=street or (community.street if community else None),
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        place="社区广场",
        capacity=capacity,
        **extra,
    )
    activity.copy_ancestors()
    activity.full_clean(exclude=["taken"])
    activity.save()
    return activity


@pytest.fixture
def community(two_streets):
    return two_streets["communities"][0]


@pytest.fixture
def volunteer(community):
    return make_volunteer(community, "13700000001", "张志愿")


@pytest.fixture
def sms_outbox(settings):
    from django.core.cache import cache

    from portal.notify import MemoryBackend

    settings.NOTIFY_BACKEND = "portal.notify.MemoryBackend"
    MemoryBackend.outbox = []
    cache.clear()
    return MemoryBackend.outbox


def confirmed_record(community, volunteer, by, served=timedelta(hours=2), days_ago=3, **extra):
    """A past activity of the community the volunteer served at, checked out and confirmed."""
    activity = make_activity(community, capacity=5, starts_in=-timedelta(days=days_ago), **extra)
    services.check_in(activity=activity, volunteer=volunteer, now=activity.starts_at)
    record = services.check_out(
        activity=activity,
        volunteer=volunteer,
        by=by,
        at=activity.starts_at + served,
        now=activity.ends_at + timedelta(hours=1),
    )
    return services.record_confirm(record=record, by=by)
