from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.models import Community
from portal.photos import clean_photo
from stations.models import CheckIn, Courier, Facility


class FinderForm(forms.Form):
    """The finder's query: a point (from the phone) or a community (location refused)."""

    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    community = forms.ModelChoiceField(
        queryset=Community.objects.order_by("street__name", "name"),
        required=False,
        label=_("Or choose a community"),
        empty_label=_("(choose)"),
    )
    radius = forms.IntegerField(required=False, min_value=100, max_value=50_000)
    open_now = forms.BooleanField(required=False, label=_("Open now"))
    facility = forms.ModelMultipleChoiceField(
        queryset=Facility.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Has"),
    )
    gcj02 = forms.BooleanField(required=False)  # the point came from AMap / a mini-program

    def clean(self):
        data = super().clean()
        lat, long = data.get("lat"), data.get("long")
        if (lat is None) != (long is None):
            raise ValidationError(_("Give both latitude and longitude."))
        if lat is None and data.get("community") is not None:
            c = data["community"]
            if c.lat is not None and c.long is not None:
                data["lat"], data["long"] = float(c.lat), float(c.long)
        elif lat is not None:
            from stations.geo import gcj02_to_wgs84, in_china

            if not in_china(lat, long):
                raise ValidationError(_("This point is not in China. Check your location."))
            if data.get("gcj02"):
                data["lat"], data["long"] = gcj02_to_wgs84(lat, long)
        return data

    @property
    def point(self):
        d = self.cleaned_data
        return (d["lat"], d["long"]) if d.get("lat") is not None else None


class CheckInForm(forms.Form):
    purpose = forms.ChoiceField(
        choices=CheckIn.Purpose.choices, widget=forms.RadioSelect, initial=CheckIn.Purpose.REST
    )


class CourierForm(forms.ModelForm):
    work_id = forms.CharField(
        label=_("Work ID number"),
        max_length=40,
        required=False,
        help_text=_("Only its last 4 characters are kept, to show staff which card it is."),
    )

    class Meta:
        model = Courier
        fields = ["platform", "real_name", "work_id_photo"]
        widgets = {
            "work_id_photo": forms.ClearableFileInput(
                attrs={"accept": "image/*", "capture": "environment"}
            )
        }

    def clean_work_id_photo(self):
        photo = self.cleaned_data.get("work_id_photo")
        if photo and hasattr(photo, "content_type"):  # a new upload: checked, EXIF stripped
            return clean_photo(photo)
        return photo


class PartyForm(forms.Form):
    organisation = forms.CharField(label=_("Party organisation"), max_length=80)
    member_since = forms.IntegerField(label=_("Member since (year)"), min_value=1921)
