from django.apps import apps
from django.core.management import call_command

from portal.boundaries import boundary_index
from portal.models import Community, Grid, Street, User


def row_counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_seed_demo_builds_a_realistic_district(db):
    call_command("seed_demo", verbosity=0)
    assert Street.objects.count() == 7
    assert 55 <= Community.objects.count() <= 65
    assert Grid.objects.filter(kind=Grid.Kind.OUTER).count() == Community.objects.count()
    for role in User.Role:
        assert User.objects.filter(role=role).exists()
    # every grid has its grid worker
    assert not Grid.objects.exclude(workers__role=User.Role.GRID_WORKER).exists()
    # every community and grid has its boundary, and a point in a grid finds that grid
    assert not Community.objects.filter(boundary=None).exists()
    assert not Grid.objects.filter(boundary=None).exists()
    grid = Grid.objects.get(code="0010102")
    west, south, east, north = grid.bbox
    place = boundary_index().locate((south + north) / 2, (west + east) / 2)
    assert place.grids == {"inner": grid.pk} and place.community_id == grid.community_id


def test_seed_demo_twice_changes_nothing(db):
    call_command("seed_demo", verbosity=0)
    first = row_counts()
    call_command("seed_demo", verbosity=0)
    assert row_counts() == first


def test_demo_logins_work(client, db, settings):
    settings.DEBUG = True  # the embedded demo (with DEBUG off the published password is refused)
    call_command("seed_demo", verbosity=0)
    assert client.login(username="c00101", password="demo12345")
    assert client.get("/admin/portal/grid/").status_code == 200
