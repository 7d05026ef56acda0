import pytest

from members import services as member_services
from stations.models import Facility, Station


def make_station(community, code, lat, long, hours="24/7", facilities=(), **extra):
    station = Station(
        code=code,
        name=f"{code}驿站",
        host="社区党委",
        community=community,
        address="测试路1号",
        lat=lat,
        long=long,
        opening_hours=hours,
        **extra,
    )
    station.copy_ancestors()
    station.full_clean()
    station.save()
    if facilities:
        station.facilities.set(Facility.objects.filter(code__in=facilities))
    return station


def make_member(phone, name="测试"):
    return member_services._member_create(phone=phone, display_name=name)


@pytest.fixture
def station(two_streets):
    return make_station(two_streets["communities"][0], "ST-A1", 30.60, 114.30)


@pytest.fixture
def rider(db):
    return make_member("13600000001", "骑手甲")


@pytest.fixture
def sms_outbox(settings):
    from django.core.cache import cache

    from portal.notify import MemoryBackend

    settings.NOTIFY_BACKEND = "portal.notify.MemoryBackend"
    MemoryBackend.outbox = []
    cache.clear()
    return MemoryBackend.outbox
