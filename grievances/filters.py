"""The one case filterset, shared by the staff work queue and the cases API (NetBox-style).

It only narrows a queryset it is given; scoping (`for_user`) happens before, in the view.
"""

import django_filters
from django import forms
from django.db.models import Q
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
    card = django_filters.ChoiceFilter(
        label=_("card"),
        choices=[("yellow", _("yellow card")), ("red", _("red card"))],
        method="filter_card",
    )
    code = django_filters.CharFilter(label=_("tracking code"), method="filter_code")

    class Meta:
        model = Case
        fields = ["status", "level", "category", "channel", "overdue", "card", "code"]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.now()) if value else queryset

    def filter_card(self, queryset, name, value):
        """Red: past the limit. Yellow: within it but past the yellow moment (Case.yellow_at,
        emptied once the card was shown)."""
        now = timezone.now()
        if value == "red":
            return queryset.overdue(now)
        if value == "yellow":
            return queryset.open().filter(
                Q(yellow_at__lte=now) | Q(yellow_at__isnull=True), deadline__gt=now
            )
        return queryset

    def filter_code(self, queryset, name, value):
        value = value.strip().upper()
        return queryset.filter(code=value) if value else queryset
