import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.models import Grid, User
from tests.factories import CommunityFactory, GridFactory


def test_grid_codes_are_unique_within_a_community(db):
    grid = GridFactory(code="01")
    with pytest.raises(IntegrityError), transaction.atomic():
        GridFactory(community=grid.community, code="01")
    GridFactory(code="01")  # the same code in another community is fine


def test_a_grid_copies_its_ancestors(db):
    community = CommunityFactory()
    grid = Grid(community=community, code="x", name="x")
    grid.copy_ancestors()
    assert (grid.street_id, grid.district_id) == (community.street_id, community.district_id)


def test_database_refuses_a_grid_worker_without_a_grid(db):
    community = CommunityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(
            "bad", role=User.Role.GRID_WORKER, community=community, street=community.street
        )


def test_model_validation_explains_a_misplaced_role_in_chinese(db):
    community = CommunityFactory()
    user = User(username="x", role=User.Role.STREET_STAFF, community=community)
    with pytest.raises(ValidationError) as err:
        user.clean()
    assert "街道" in str(err.value)


def test_staff_names_read_in_chinese_order(db):
    user = User(username="g1", last_name="赵", first_name="磊")
    assert user.get_full_name() == "赵磊"
    assert user.get_short_name() == "赵磊"
    assert User(username="nobody").get_short_name() == "nobody"
