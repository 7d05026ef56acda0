from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_DAYS = 731  # two years: custom ranges beyond that are refused, not slowly answered


class RangeForm(forms.Form):
    """The date-range filter: this week, this month (the default) or custom days."""

    RANGES = [("week", _("this week")), ("month", _("this month")), ("custom", _("custom"))]

    range = forms.ChoiceField(label=_("period"), choices=RANGES, required=False)
    start = forms.DateField(label=_("from"), required=False)
    end = forms.DateField(label=_("to"), required=False)

    def __init__(self, data, *, today):
        super().__init__(data)
        self.today = today

    def clean(self):
        data = super().clean()
        kind = data.get("range") or "month"
        if kind == "week":
            data["start"], data["end"] = self.today - timedelta(self.today.weekday()), self.today
        elif kind == "month":
            data["start"], data["end"] = self.today.replace(day=1), self.today
        else:
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give both the first and the last day."))
            if start > end:
                raise forms.ValidationError(_("The first day must not be after the last day."))
            if (end - start).days > MAX_DAYS:
                raise forms.ValidationError(_("Choose at most two years."))
        data["range"] = kind
        return data

    def period(self):
        """(range kind, start, end): the cleaned filter, or this month when the input is bad."""
        if self.is_valid():
            return self.cleaned_data["range"], self.cleaned_data["start"], self.cleaned_data["end"]
        return "month", self.today.replace(day=1), self.today
