"""Factories for the hierarchy and staff. Other apps' factories live beside their tests."""

import factory

from portal.models import Community, Compound, Department, District, Grid, Street, User
from portal.roles import staff_assign


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"D{n:04d}")
    name = factory.Sequence(lambda n: f"测试区{n}")


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"测试街道{n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    district = factory.SelfAttribute("street.district")
    code = factory.Sequence(lambda n: f"C{n:04d}")
    name = factory.Sequence(lambda n: f"测试社区{n}")


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    community = factory.SubFactory(CommunityFactory)
    street = factory.SelfAttribute("community.street")
    district = factory.SelfAttribute("community.district")
    code = factory.Sequence(lambda n: f"G{n:04d}")
    name = factory.Sequence(lambda n: f"测试网格{n}")
    kind = Grid.Kind.INNER


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    community = factory.SubFactory(CommunityFactory)
    grid = factory.SubFactory(GridFactory, community=factory.SelfAttribute("..community"))
    street = factory.SelfAttribute("community.street")
    district = factory.SelfAttribute("community.district")
    name = factory.Sequence(lambda n: f"小区{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"区职能部门{n}")


def make_staff(role, node, username=None, department=None, **extra):
    """A staff account with its role group, placed at `node`, password 'pw'."""
    user = User.objects.create_user(
        username=username or f"{role}-{node._meta.model_name}-{node.pk}-{User.objects.count()}",
        password="pw",
        **extra,
    )
    return staff_assign(user=user, role=role, node=node, department=department)
