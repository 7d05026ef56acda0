import pytest

from gridwork import services
from gridwork.models import Colour
from portal.models import Building
from tests.factories import CompoundFactory

ID_OK = "11010519491231002X"  # a valid GB 11643 check digit


@pytest.fixture
def compound_a1(two_streets):
    compound = CompoundFactory(
        community=two_streets["communities"][0], grid=two_streets["grids"][0], name="幸福小区"
    )
    return compound


@pytest.fixture
def building_a1(compound_a1):
    b = Building(compound=compound_a1, name="3栋")
    b.copy_ancestors()
    b.save()
    return b


def make_household(by, grid, number, colour=Colour.BLUE, compound=None, building=None, **kw):
    return services.household_register(
        by=by,
        grid=grid,
        number=number,
        compound=compound,
        building=building,
        address="" if compound else kw.pop("address", "村东头1号"),
        colour=colour,
        colour_reason="" if colour == Colour.BLUE else "独居老人",
        **kw,
    )


@pytest.fixture
def red_home(staff, two_streets, compound_a1, building_a1):
    home = make_household(
        staff["grid"],
        two_streets["grids"][0],
        "A1-0001",
        Colour.RED,
        compound=compound_a1,
        building=building_a1,
        unit="2",
        door="301",
    )
    services.person_add(
        by=staff["grid"],
        household=home,
        name="王秀英",
        birth_year=1941,
        phone="13811112222",
        id_number=ID_OK,
        care_tags=["alone_elderly"],
    )
    return home


@pytest.fixture(autouse=True)
def default_visit_policies(request):
    """The migration seeds the policies; a transactional test's flush empties the table, so put
    the defaults back for each test."""
    names = set(request.fixturenames)
    if "transactional_db" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return
    import importlib

    from django.apps import apps

    seed = importlib.import_module("gridwork.migrations.0002_default_visit_policies").seed
    seed(apps, None)
