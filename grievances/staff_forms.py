"""Forms of the staff pages: they parse input; the services in grievances.services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from grievances.models import Category, Channel
from grievances.templatetags.staff_tags import person
from portal.models import Community, Compound, Department, User


class ActionForm(forms.Form):
    """An action form on the case page; some need the user and the case to offer choices."""

    def __init__(self, *args, user=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)


class NoteForm(ActionForm):
    """开始办理: an optional note."""

    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea({"rows": 2}))


class ResolveForm(ActionForm):
    note = forms.CharField(
        label=_("what was done"), max_length=2000, widget=forms.Textarea({"rows": 3})
    )


class ReportUpForm(ActionForm):
    reason = forms.CharField(
        label=_("why this level cannot settle it"),
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
    )


class SummonForm(ActionForm):
    departments = forms.ModelMultipleChoiceField(
        label=_("departments to summon"),
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("what is asked"), required=False, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args, user, case, **kwargs):
        super().__init__(*args, user=user, case=case, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(
            district_id=case.district_id
        ).for_user(user)


class SuperviseForm(ActionForm):
    lead_official = forms.ModelChoiceField(
        label=_("leading official"), queryset=User.objects.none(), required=False
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, user, case, **kwargs):
        super().__init__(*args, user=user, case=case, **kwargs)
        officials = User.objects.for_user(user).filter(
            is_active=True, role__in=[User.Role.STREET_STAFF, User.Role.DISTRICT_OFFICIAL]
        )
        self.fields["lead_official"].queryset = officials.order_by("role", "username")
        self.fields["lead_official"].label_from_instance = lambda u: (
            f"{person(u)}（{u.get_role_display()}）"
        )


class AnswerForm(ActionForm):
    answer = forms.CharField(
        label=_("the department's answer"), max_length=2000, widget=forms.Textarea({"rows": 3})
    )


class PhoneIntakeForm(forms.Form):
    """民意直通车: staff type in a phone call, a window visit or a patrol volunteer's report."""

    CHANNELS = [
        (Channel.PHONE, Channel.PHONE.label),
        (Channel.WINDOW, Channel.WINDOW.label),
        (Channel.PATROL, Channel.PATROL.label),
    ]

    channel = forms.ChoiceField(label=_("channel"), choices=CHANNELS)
    category = forms.ModelChoiceField(
        label=_("category"), queryset=Category.objects.filter(is_active=True)
    )
    community = forms.ModelChoiceField(label=_("community"), queryset=Community.objects.none())
    compound = forms.ModelChoiceField(
        label=_("compound"), queryset=Compound.objects.none(), required=False
    )
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    description = forms.CharField(
        label=_("description"), max_length=2000, widget=forms.Textarea({"rows": 4})
    )
    reporter_name = forms.CharField(
        label=_("name of the resident or patrol volunteer"), max_length=40, required=False
    )
    reporter_phone = forms.RegexField(
        label=_("phone"),
        regex=r"^\+?[0-9 -]{5,20}$",
        max_length=20,
        required=False,
        error_messages={"invalid": _("Enter a phone number.")},
    )
    may_contact = forms.BooleanField(
        label=_("may be contacted about the result"), required=False, initial=True
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.for_user(user).order_by("code")
        self.fields["compound"].queryset = Compound.objects.for_user(user).select_related(
            "community"
        )
        self.fields["compound"].label_from_instance = lambda c: f"{c.community.name} {c.name}"

    def clean(self):
        data = super().clean()
        compound, community = data.get("compound"), data.get("community")
        if compound and community and compound.community_id != community.pk:
            self.add_error("compound", _("This compound is not in the chosen community."))
        if data.get("channel") == Channel.PATROL and not data.get("reporter_name"):
            self.add_error("reporter_name", _("Give the patrol volunteer's name."))
        if data.get("may_contact") and not data.get("reporter_phone"):
            data["may_contact"] = False  # nothing to contact them on
        return data


class OnTheSpotForm(forms.Form):
    """随手办: what the grid worker found, and what they did about it."""

    category = forms.ModelChoiceField(
        label=_("category"), queryset=Category.objects.filter(is_active=True)
    )
    address = forms.CharField(label=_("where"), max_length=200, required=False)
    description = forms.CharField(
        label=_("what was found"), max_length=2000, widget=forms.Textarea({"rows": 3})
    )
    resolve_now = forms.BooleanField(label=_("fixed on the spot"), required=False, initial=True)
    note = forms.CharField(
        label=_("what was done"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("resolve_now") and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what was done."))
        return data
