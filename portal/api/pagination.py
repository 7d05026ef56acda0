"""The API's pagination: DRF's limit/offset, refusing numbers the database cannot hold."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

BIGINT_MAX = 2**63 - 1


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """An offset (or limit) past PostgreSQL's 64-bit integers is a 400 with the field's
    message, not a 500 from the database."""

    def paginate_queryset(self, queryset, request, view=None):
        for name in (self.limit_query_param, self.offset_query_param):
            raw = request.query_params.get(name, "")
            if raw.strip().lstrip("+-").isdigit() and abs(int(raw)) > BIGINT_MAX:
                raise ValidationError(
                    {name: [_("Too large: at most %(max)s.") % {"max": BIGINT_MAX}]}
                )
        return super().paginate_queryset(queryset, request, view)
