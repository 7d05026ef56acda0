import pytest

from portal.models import User
from portal.roles import sync_role_groups
from tests.factories import CommunityFactory, GridFactory, StreetFactory, make_staff


@pytest.fixture
def roles(db):
    sync_role_groups()


@pytest.fixture
def two_streets(roles):
    """Two streets of one district, two communities each, one inner grid per community."""
    a = StreetFactory(name="甲街道")
    b = StreetFactory(name="乙街道", district=a.district)
    tree = {"district": a.district, "streets": [a, b], "communities": [], "grids": []}
    for street in (a, b):
        for _ in range(2):
            community = CommunityFactory(street=street)
            tree["communities"].append(community)
            tree["grids"].append(GridFactory(community=community))
    return tree


@pytest.fixture
def staff(two_streets):
    """One account per level: district official, street A, community A1, grid of A1."""
    t = two_streets
    return {
        "district": make_staff(User.Role.DISTRICT_OFFICIAL, t["district"], "district"),
        "street": make_staff(User.Role.STREET_STAFF, t["streets"][0], "street-a"),
        "community": make_staff(User.Role.COMMUNITY_STAFF, t["communities"][0], "community-a1"),
        "grid": make_staff(User.Role.GRID_WORKER, t["grids"][0], "grid-a1"),
    }
