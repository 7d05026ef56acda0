"""Forms of the grid worker's pages: they parse input; gridwork.services decides."""

import zipfile

from django import forms
from django.utils.translation import gettext_lazy as _

from gridwork.models import Colour, Visit
from grievances.models import Category
from portal.photos import clean_photo


class VisitForm(forms.Form):
    """One tap: the outcome button submits; the rest is optional, folded away."""

    outcome = forms.ChoiceField(label=_("outcome"), choices=Visit.Outcome.choices)
    mode = forms.ChoiceField(
        label=_("mode"), choices=Visit.Mode.choices, initial=Visit.Mode.DOOR, required=False
    )
    note = forms.CharField(
        label=_("note"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )
    photo = forms.ImageField(label=_("photo"), required=False)
    follow_up = forms.BooleanField(label=_("needs a follow-up"), required=False)
    finding_category = forms.ModelChoiceField(
        label=_("category of what you found"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
    )
    finding = forms.CharField(
        label=_("a problem to hand on as a case"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        return clean_photo(photo) if photo else None


class ColourForm(forms.Form):
    colour = forms.ChoiceField(label=_("colour"), choices=Colour.choices)
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class OneOffForm(forms.Form):
    due_on = forms.DateField(
        label=_("visit due by"), widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class LookUpForm(forms.Form):
    reason = forms.CharField(label=_("why you need to see the residents"), max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("register spreadsheet (.xlsx)"))
    dry_run = forms.BooleanField(label=_("check only (dry run)"), required=False, initial=True)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload the register as an .xlsx file."))
        if not zipfile.is_zipfile(f):  # an .xlsx is a zip archive; anything else is not one
            raise forms.ValidationError(_("This file could not be read as an Excel workbook."))
        f.seek(0)
        return f


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("from"), widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("to"), widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class ProblemForm(forms.Form):
    title = forms.CharField(label=_("problem"), max_length=200)
    source = forms.ChoiceField(label=_("source"), choices=[])

    def __init__(self, *args, **kwargs):
        from gridwork.models import Problem

        super().__init__(*args, **kwargs)
        self.fields["source"].choices = Problem.Source.choices


class TaskForm(forms.Form):
    what = forms.CharField(label=_("task"), max_length=200)
    owner = forms.CharField(label=_("who"), max_length=60)
    due_on = forms.DateField(
        label=_("by when"), widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )


class EffectForm(forms.Form):
    effect = forms.CharField(label=_("effect"), max_length=2000, widget=forms.Textarea({"rows": 2}))
