import factory
from django.test import TestCase

from grievances.models import Category, Channel
from grievances.services import case_submit


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"cat-{n}")
    name = factory.Sequence(lambda n: f"测试分类{n}")
    name_en = factory.Sequence(lambda n: f"Test category {n}")
    wall = Category.Wall.INSIDE
    grid_hours = 24
    community_hours = 72
    street_hours = 168
    district_hours = 360


def submit(community, category=None, **kw):
    """A web-form case in `community`, committed and (inline Celery) routed."""
    kw.setdefault("description", "楼道灯坏了，晚上很黑")
    kw.setdefault("channel", Channel.WEB)
    category = category or CategoryFactory()
    # The test runs inside one transaction: run the on-commit routing as the commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return case_submit(category=category, community=community, **kw)
