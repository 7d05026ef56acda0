from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Community
from portal.photos import clean_photo


class WishForm(forms.Form):
    title = forms.CharField(label=_("What is wished for"), max_length=80)
    reason = forms.CharField(label=_("Why"), max_length=200)
    wanted_by = forms.DateField(
        label=_("Wanted by"), widget=forms.DateInput(attrs={"type": "date"})
    )
    community = forms.ModelChoiceField(label=_("Community"), queryset=Community.objects.none())
    shares = forms.IntegerField(label=_("Shares"), min_value=1, max_value=100, initial=1)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["wanted_by"].initial = timezone.localdate() + timedelta(days=14)


class StaffWishForm(WishForm):
    points = forms.IntegerField(label=_("Points for the claimer"), min_value=0, initial=20)
    beneficiary_name = forms.CharField(label=_("For whom"), max_length=30, required=False)
    beneficiary_phone = forms.CharField(label=_("Their phone"), max_length=11, required=False)
    beneficiary_note = forms.CharField(label=_("Note for staff"), max_length=200, required=False)


class AdjustForm(forms.Form):
    phone = forms.RegexField(
        label=_("Member's mobile number"),
        regex=r"^1[3-9][0-9]{9}$",
        error_messages={"invalid": _("Enter an 11-digit mobile number.")},
    )
    amount = forms.IntegerField(label=_("Points (negative to take)"))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class FulfilForm(forms.Form):
    """How a claimed wish was fulfilled: a note, and a photo if the claimer has one."""

    note = forms.CharField(label=_("How it was fulfilled"), max_length=200)
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB; where it was taken is not kept."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        return clean_photo(photo) if photo else None
