from django import forms
from django.utils.translation import gettext_lazy as _

from grievances.forms import PhotosField
from grievances.models import Category
from portal.models import Community
from volunteers.models import Volunteer
from volunteers.models.volunteers import Availability, Skill


class VolunteerForm(forms.Form):
    real_name = forms.CharField(label=_("Real name"), max_length=30)
    id_type = forms.ChoiceField(label=_("ID type"), choices=Volunteer.IdType.choices)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        help_text=_("Only its last 4 characters are kept; your volunteer number is shown instead."),
    )
    community = forms.ModelChoiceField(
        queryset=Community.objects.order_by("street__name", "name"),
        label=_("Community you serve in"),
        required=False,
        empty_label=_("(my home community)"),
    )
    skills = forms.MultipleChoiceField(
        label=_("Skills"),
        choices=Skill.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.MultipleChoiceField(
        label=_("When you can serve"),
        choices=Availability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    party_member_in_service = forms.BooleanField(
        label=_("I am an in-service party member reporting to my community"), required=False
    )
    work_unit = forms.CharField(label=_("Work unit"), max_length=80, required=False)
    show_publicly = forms.BooleanField(
        label=_("My name may be shown in public rankings of volunteers"), required=False
    )
    consent = forms.BooleanField(
        label=_("I agree to the volunteer terms and to my service being recorded"),
        required=False,
    )


class StaffVolunteerForm(VolunteerForm):
    phone = forms.CharField(label=_("Mobile number"), max_length=11)
    display_name = forms.CharField(label=_("Display name"), max_length=30, required=False)
    paper_ref = forms.CharField(label=_("Number of the signed paper form"), max_length=40)
    consent = None

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["community"].required = True
        self.fields["community"].empty_label = _("(choose)")


class PointForm(forms.Form):
    """The phone's location sent with a QR check-in (optional)."""

    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)

    @property
    def point(self):
        d = self.cleaned_data
        if d.get("lat") is None or d.get("long") is None:
            return None
        return (d["lat"], d["long"])


class AdjustForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=0, max_value=24 * 60)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CheckOutForm(forms.Form):
    at = forms.DateTimeField(label=_("Checked out at"), required=False)


class CorrectionForm(forms.Form):
    note = forms.CharField(label=_("What is wrong"), max_length=200)


class CertificateAskForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))


class CertificateIssueForm(CertificateAskForm):
    volunteer_number = forms.CharField(label=_("Volunteer number"), max_length=20)
    handler = forms.CharField(label=_("Handler"), max_length=30)
    contact = forms.CharField(label=_("Contact phone"), max_length=40)
    request = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    field_order = ["volunteer_number", "period_start", "period_end", "handler", "contact"]

    def clean_volunteer_number(self):
        number = self.cleaned_data["volunteer_number"].strip().upper()
        volunteer = Volunteer.objects.filter(number=number).first()
        if volunteer is None:
            raise forms.ValidationError(_("No volunteer has this number."))
        return volunteer


class LeaderForm(forms.Form):
    """Staff appoint a team's leader by the volunteer's number."""

    volunteer_number = forms.CharField(label=_("Volunteer number"), max_length=20)

    def clean_volunteer_number(self):
        number = self.cleaned_data["volunteer_number"].strip().upper()
        volunteer = Volunteer.objects.filter(number=number).first()
        if volunteer is None:
            raise forms.ValidationError(_("No volunteer has this number."))
        return volunteer


class PatrolForm(forms.Form):
    """A hazard found on patrol (平安合伙人巡查上报)."""

    team = forms.ModelChoiceField(queryset=None, label=_("Patrol team"), empty_label=None)
    category = forms.ModelChoiceField(queryset=None, label=_("Kind of hazard"))
    community = forms.ModelChoiceField(queryset=None, label=_("Community it is in"))
    address = forms.CharField(label=_("Where exactly"), max_length=200, required=False)
    description = forms.CharField(
        label=_("What did you find"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = PhotosField(label=_("Photos"), required=False)
    lat = forms.DecimalField(
        max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput
    )
    long = forms.DecimalField(
        max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by("name")
        self.fields["community"].queryset = Community.objects.order_by("street__name", "name")

    def clean(self):
        data = super().clean()
        lat, long = data.get("lat"), data.get("long")
        if (lat is None) != (long is None) or (
            lat is not None and not (-90 <= lat <= 90 and -180 <= long <= 180)
        ):
            data["lat"] = data["long"] = None  # a half or impossible point: the address stands
        return data
