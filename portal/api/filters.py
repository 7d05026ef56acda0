"""Filters of the hierarchy API. A filter naming a node offers and accepts only the nodes inside
the caller's scope (`for_user`): another node's id is refused like an unknown one, and the
browsable API's filter form lists no other node's name."""

import django_filters

from portal.models import Community, District, Grid, Street


def in_scope(model):
    """The choices of a node filter: the caller's part of the tree."""

    def choices(request):
        return model.objects.for_user(getattr(request, "user", None))

    return choices


class StreetFilterSet(django_filters.FilterSet):
    district = django_filters.ModelChoiceFilter(queryset=in_scope(District))

    class Meta:
        model = Street
        fields = ["district", "code"]


class CommunityFilterSet(django_filters.FilterSet):
    street = django_filters.ModelChoiceFilter(queryset=in_scope(Street))

    class Meta:
        model = Community
        fields = ["street", "kind", "code"]


class GridFilterSet(django_filters.FilterSet):
    community = django_filters.ModelChoiceFilter(queryset=in_scope(Community))
    street = django_filters.ModelChoiceFilter(queryset=in_scope(Street))

    class Meta:
        model = Grid
        fields = ["community", "street", "kind"]
