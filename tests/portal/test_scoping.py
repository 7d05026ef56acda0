from portal.models import Community, Grid, Street, User


def test_street_staff_sees_all_communities_of_their_street_and_no_other(two_streets, staff):
    seen = set(Community.objects.for_user(staff["street"]))
    assert seen == set(two_streets["communities"][:2])


def test_community_staff_sees_only_their_community(two_streets, staff):
    assert list(Community.objects.for_user(staff["community"])) == [two_streets["communities"][0]]


def test_community_staff_sees_their_own_street_but_not_the_neighbouring_one(two_streets, staff):
    assert list(Street.objects.for_user(staff["community"])) == [two_streets["streets"][0]]


def test_grid_worker_sees_only_their_grid(two_streets, staff):
    assert list(Grid.objects.for_user(staff["grid"])) == [two_streets["grids"][0]]


def test_district_official_sees_everything_in_the_district(two_streets, staff):
    assert Community.objects.for_user(staff["district"]).count() == 4


def test_account_without_a_node_sees_nothing(two_streets, db):
    nobody = User.objects.create_user("nobody", password="pw")
    assert not Community.objects.for_user(nobody).exists()


def test_superuser_sees_everything(two_streets, db):
    root = User.objects.create_superuser("root", password="pw")
    assert Grid.objects.for_user(root).count() == 4


def test_staff_accounts_are_scoped_too(two_streets, staff):
    visible = set(User.objects.for_user(staff["community"]).values_list("username", flat=True))
    assert visible == {"community-a1", "grid-a1"}
