"""Reads for the dashboards: which node a user may open, and the names the figures show."""

from django.http import Http404

from dashboards.figures import Figures, NodeFilter
from portal.models import Community, District, Grid, Street, User
from portal.scoping import (
    LEVELS,  # top-down: district, street, community, grid
    Scope,
)

NODE_MODELS = {"district": District, "street": Street, "community": Community, "grid": Grid}
# Roles that see dashboards: every node's staff; district departments work on summoned cases.
DASHBOARD_ROLES = {
    User.Role.DISTRICT_OFFICIAL,
    User.Role.STREET_STAFF,
    User.Role.COMMUNITY_STAFF,
    User.Role.GRID_WORKER,
}


def may_see_dashboards(user):
    return user.is_superuser or user.role in DASHBOARD_ROLES


def dashboard_node(user, level, node_id):
    """The node whose dashboard `user` may open, or 404: it must lie inside the user's scope and
    not above their own node (a community's staff may not open their street's page)."""
    if level not in NODE_MODELS:
        raise Http404
    scope = Scope.of(user)
    if not scope.sees_all and (
        scope.level is None or LEVELS.index(level) < LEVELS.index(scope.level)
    ):
        raise Http404
    model = NODE_MODELS[level]
    qs = model.objects.for_user(user)
    if level != "district":
        qs = qs.select_related(*LEVELS[1 : LEVELS.index(level)], "district")
    try:
        return qs.get(pk=node_id)
    except model.DoesNotExist:
        raise Http404 from None


def home_node(user):
    """(level, id) of the dashboard a user lands on: their own node, or the first district."""
    scope = Scope.of(user)
    if scope.sees_all:
        district = District.objects.order_by("id").first()
        return ("district", district.pk) if district else None
    if scope.level is None:
        return None
    return scope.level, scope.id_at(scope.level)


def breadcrumbs(node, level, user):
    """[(level, id, name, may open)] from the district down to `node`; the user's own node
    and those below are links, the ones above are plain names."""
    scope = Scope.of(user)
    top = 0 if scope.sees_all else LEVELS.index(scope.level)
    out = []
    for i, lvl in enumerate(LEVELS[: LEVELS.index(level)]):
        parent = getattr(node, lvl)
        out.append((lvl, parent.pk, parent.name, i >= top))
    out.append((level, node.pk, node.name, True))
    return out


def names_for(node_filter):
    """Display names the figures of this node need: children, ranked nodes, categories."""
    from grievances.models import Category

    f = node_filter
    names = {"category": dict(Category.objects.values_list("id", "name"))}
    wanted = {f.child} if f.child else set()
    if f.level == "district":
        wanted.add("community")
    for lvl in wanted:
        model = NODE_MODELS[lvl]
        names[lvl] = dict(
            model.objects.filter(**{f"{f.level}_id": f.node_id})
            .order_by("code", "id")
            .values_list("id", "name")
        )
    return names


def figures_for(level, node_id, start, end):
    f = NodeFilter(level=level, node_id=node_id, start=start, end=end)
    return Figures(f, names=names_for(f))
