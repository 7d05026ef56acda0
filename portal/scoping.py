"""The one scoping rule: which rows of the hierarchy a user may see and change.

A staff account belongs to one node (district, street, community or grid) and sees that node and
everything below it. Scoped rows carry copies of their ancestors' ids (district_id, street_id,
community_id, grid_id), so the rule is one indexed equality filter, never a join chain.
"""

from dataclasses import dataclass

from django.db import models

LEVELS = ("district", "street", "community", "grid")


@dataclass(frozen=True)
class Scope:
    """Where a user sits: `level` is the finest node they belong to, `ids` its ancestry."""

    sees_all: bool = False
    level: str | None = None
    ids: tuple = ()  # (district_id, street_id, community_id, grid_id), None below `level`
    department_id: int | None = None

    @classmethod
    def of(cls, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return cls()
        if user.is_superuser:
            return cls(sees_all=True)
        ids = (user.district_id, user.street_id, user.community_id, user.grid_id)
        level = None
        for name, node_id in zip(LEVELS, ids, strict=True):
            if node_id is None:
                break
            level = name
        return cls(level=level, ids=ids, department_id=user.department_id)

    def id_at(self, level):
        return self.ids[LEVELS.index(level)]

    def q(self, lookups):
        """A Q object restricting a model whose ancestor ids sit in `lookups` to this scope.

        `lookups` maps a level to the field holding that ancestor's id ("id" for the model's
        own level). A user finer than the model (a community's staff looking at streets) sees
        the one row that is their own ancestor.
        """
        if self.sees_all:
            return models.Q()
        if self.level is None:
            return models.Q(pk__in=[])
        if self.level in lookups:
            return models.Q(**{lookups[self.level]: self.id_at(self.level)})
        finest = [lvl for lvl in LEVELS if lvl in lookups][-1]
        return models.Q(**{lookups[finest]: self.id_at(finest)})

    def covers(self, obj, lookups):
        """Whether one already-loaded row lies inside this scope (no query)."""
        if self.sees_all:
            return True
        if self.level is None:
            return False
        level = self.level if self.level in lookups else [x for x in LEVELS if x in lookups][-1]
        field = lookups[level]
        value = obj.pk if field == "id" else getattr(obj, field)
        return value == self.id_at(level)


class ScopedQuerySet(models.QuerySet):
    """Every queryset a staff user sees goes through `for_user`."""

    def for_user(self, user):
        return self.filter(Scope.of(user).q(self.model.SCOPE_LOOKUPS))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
