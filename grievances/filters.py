"""The one case filterset, shared by the staff work queue and the cases API (NetBox-style).

It only narrows a queryset it is given; scoping (`for_user`) happens before, in the view.
"""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grievances.models import Case, Category, Channel, Level, Status


class CaseFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=Status.choices)
    level = django_filters.ChoiceFilter(label=_("level"), choices=Level.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("category"), queryset=Category.objects.filter(is_active=True)
    )
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Channel.choices)
    # A checkbox: ticked (or ?overdue=true) keeps only overdue cases; unticked filters nothing.
    overdue = django_filters.BooleanFilter(
        label=_("overdue only"), method="filter_overdue", widget=forms.CheckboxInput
    )
    code = django_filters.CharFilter(label=_("tracking code"), method="filter_code")

    class Meta:
        model = Case
        fields = ["status", "level", "category", "channel", "overdue", "code"]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.now()) if value else queryset

    def filter_code(self, queryset, name, value):
        value = value.strip().upper()
        return queryset.filter(code=value) if value else queryset
