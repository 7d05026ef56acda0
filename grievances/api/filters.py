"""The cases API filters: the staff work queue's filterset plus what an API client also asks
for (a creation range and the community or street)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from grievances.filters import CaseFilterSet


class CaseApiFilterSet(CaseFilterSet):
    # ?created_after=...&created_before=... (ISO 8601 datetimes)
    created = django_filters.IsoDateTimeFromToRangeFilter(
        field_name="created_at", label=_("submitted between")
    )
    # Plain ids: no lookup query to validate them, and for_user has already scoped the rows.
    community = django_filters.NumberFilter(field_name="community_id", label=_("community"))
    street = django_filters.NumberFilter(field_name="street_id", label=_("street"))

    class Meta(CaseFilterSet.Meta):
        fields = [*CaseFilterSet.Meta.fields, "created", "community", "street"]
