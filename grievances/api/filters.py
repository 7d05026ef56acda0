"""The cases API filters: the staff work queue's filterset plus what an API client also asks
for (a creation range and the community or street)."""

from datetime import timedelta

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from grievances.filters import CaseFilterSet

BIGINT_MAX = 2**63 - 1
MAX_OFFSET = timedelta(hours=15, minutes=59)  # what PostgreSQL's timestamptz accepts


class CaseApiFilterForm(forms.Form):
    def clean_created(self):
        span = self.cleaned_data.get("created")
        for moment in (span.start, span.stop) if span else ():
            offset = moment and moment.utcoffset()
            if offset is not None and abs(offset) > MAX_OFFSET:
                raise forms.ValidationError(_("A UTC offset is at most ±15:59."))
        return span


class CaseApiFilterSet(CaseFilterSet):
    # ?created_after=...&created_before=... (ISO 8601 datetimes)
    created = django_filters.IsoDateTimeFromToRangeFilter(
        field_name="created_at", label=_("submitted between")
    )
    # Plain ids: no lookup query to validate them, and for_user has already scoped the rows.
    community = django_filters.NumberFilter(
        field_name="community_id", label=_("community"), min_value=1, max_value=BIGINT_MAX
    )
    street = django_filters.NumberFilter(
        field_name="street_id", label=_("street"), min_value=1, max_value=BIGINT_MAX
    )

    class Meta(CaseFilterSet.Meta):
        form = CaseApiFilterForm
        fields = [*CaseFilterSet.Meta.fields, "created", "community", "street"]
