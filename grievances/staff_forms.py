"""Forms of the staff pages: they parse input; the services in grievances.services decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from grievances.forms import OUTSIDE_AREA, point_fits
from grievances.models import AnswerTemplate, Category, Channel
from grievances.templatetags.staff_tags import person
from portal.models import Community, Compound, Department, User


class ActionForm(forms.Form):
    """An action form on the case page; some need the user and the case to offer choices."""

    def __init__(self, *args, user=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)


class NoteForm(ActionForm):
    """开始办理: an optional note."""

    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea({"rows": 2}))


class TemplateSelect(forms.Select):
    """A select whose options carry their template's text for this case (data-text), which
    grievances/answer_templates.js puts in the note."""

    def __init__(self, *args, texts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.texts = texts or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        text = self.texts.get(str(value))
        if text:
            option["attrs"]["data-text"] = text
        return option


class ResolveForm(ActionForm):
    template = forms.ChoiceField(label=_("start from a template"), required=False)
    note = forms.CharField(
        label=_("what was done"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )

    def __init__(self, *args, user=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        templates = list(AnswerTemplate.for_case(case, AnswerTemplate.Kind.NOTE)) if case else []
        # A stored template that cannot be filled in is left out (and logged), not a 500.
        self.texts = {str(t.pk): t.try_render(case) for t in templates}
        templates = [t for t in templates if self.texts[str(t.pk)] is not None]
        if templates:
            field = self.fields["template"]
            field.choices = [("", _("(write it yourself)"))] + [(t.pk, t.title) for t in templates]
            field.widget = TemplateSelect(
                choices=field.choices, texts=self.texts, attrs={"data-fills": "note"}
            )
        else:
            del self.fields["template"]

    def clean(self):
        data = super().clean()
        note = (data.get("note") or "").strip()
        if not note and data.get("template"):
            note = self.texts.get(str(data["template"]), "")  # no script: the template as is
        if not note:
            self.add_error("note", _("Say what was done."))
        data["note"] = note
        return data


class ReportUpForm(ActionForm):
    reason = forms.CharField(
        label=_("why this level cannot settle it"),
        max_length=2000,
        widget=forms.Textarea({"rows": 3}),
    )


class ExtensionForm(ActionForm):
    """延期申请: more time, in the unit of the case's limit at its level."""

    amount = forms.IntegerField(label=_("more time"), min_value=1, max_value=999)
    reason = forms.CharField(
        label=_("why more time is needed"), max_length=2000, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args, user=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None and case.deadline_basis:
            unit = _("working days") if case.deadline_basis.endswith("wd") else _("hours")
            self.fields["amount"].label = _("more time (%(unit)s)") % {"unit": unit}


class ExtensionDecisionForm(ActionForm):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("approve", _("approve")), ("refuse", _("refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("note (required when refusing)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )


class MergeForm(ActionForm):
    """合并: this case is the same problem as another one, which will be handled."""

    into = forms.CharField(
        label=_("tracking code of the case it duplicates"),
        max_length=16,
        help_text=_("This case is closed and its reporter follows that one."),
    )
    note = forms.CharField(label=_("note"), required=False, max_length=500)

    def clean_into(self):
        return self.cleaned_data["into"].strip().upper()


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


class MapPointForm(forms.Form):
    """An optional map point (staff pin): picked on the page's map, or typed in the two inputs
    when the map cannot load. The case is routed by it like a resident's point."""

    lat = forms.FloatField(
        label=_("latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_(
            "Optional: tap the map below, or type the point (WGS-84, e.g. 30.601234). "
            "A point sends the case to the grid that contains it."
        ),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    long = forms.FloatField(
        label=_("longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        help_text=_("e.g. 114.301234"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    def clean_point(self, data, district_id):
        """Both coordinates or neither, inside the area we serve (Open311's rule)."""
        lat, long = data.get("lat"), data.get("long")
        if lat is None and long is None:
            return
        if lat is None or long is None:
            self.add_error(
                "lat" if lat is None else "long", _("Give both latitude and longitude, or neither.")
            )
            return
        data["lat"], data["long"] = Decimal(f"{lat:.6f}"), Decimal(f"{long:.6f}")
        if district_id and not point_fits(data["lat"], data["long"], district_id):
            self.add_error("lat", OUTSIDE_AREA)


class PhoneIntakeForm(MapPointForm):
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

    field_order = ["channel", "category", "community", "compound", "address", "lat", "long"]

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
        if community:
            self.clean_point(data, community.district_id)
        return data


class OnTheSpotForm(MapPointForm):
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

    field_order = ["category", "address", "lat", "long"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        if data.get("resolve_now") and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what was done."))
        self.clean_point(data, self.user.district_id)
        return data
