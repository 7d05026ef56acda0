"""Forms of the resident (public) pages: the intake form, the tracking-code form, the rating form.

The intake POST is the hot path (it is benchmarked against a bare one-INSERT view), so choices
are validated against a per-process lookup of categories and places that is re-read once a
minute, never against ModelChoiceField queries.
"""

import copy
import re
import threading
import time
from decimal import Decimal

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from grievances.models import Category, Rating
from grievances.models.cases import CODE_ALPHABET, CODE_LENGTH
from grievances.routing import area_is_mapped, point_in_area
from portal.models import Community, Compound, Street
from portal.photos import clean_photo

# Cached lookups ---------------------------------------------------------------------------------

LOOKUP_TTL = 60.0  # seconds: a new category or compound shows on the form within a minute


class IntakeLookup:
    """Active categories and the place tree (street → community → compound), as model instances
    with their parents already attached, so `case_submit` needs no further query."""

    def __init__(self):
        self.categories = {c.pk: c for c in Category.objects.filter(is_active=True)}
        self.streets = {s.pk: s for s in Street.objects.order_by("district_id", "code", "pk")}
        self.communities = {}
        for c in Community.objects.order_by("code", "pk"):
            c.street = self.streets[c.street_id]
            self.communities[c.pk] = c
        self.compounds = {}
        for c in Compound.objects.order_by("name", "pk"):
            if c.community_id in self.communities:
                c.community = self.communities[c.community_id]
                self.compounds[c.pk] = c
        # Choices for the selects, grouped by parent (<optgroup>), built once per load.
        self.street_choices = [(s.pk, s.name) for s in self.streets.values()]
        self.community_choices = _grouped(self.communities.values(), self.streets, "street_id")
        self.compound_choices = _grouped(self.compounds.values(), self.communities, "community_id")
        self.community_parents = {c.pk: c.street_id for c in self.communities.values()}
        self.compound_parents = {c.pk: c.community_id for c in self.compounds.values()}
        self._category_choices = {}
        self._form_fields = {}
        self.loaded_at = time.monotonic()

    def category_choices(self):
        """Category names in the page's language (memoised per language)."""
        lang = get_language()
        if lang not in self._category_choices:
            public = _("description public")
            self._category_choices[lang] = [
                (c.pk, f"{c.display_name}（{public}）" if c.public_details else c.display_name)
                for c in self.categories.values()
            ]
        return self._category_choices[lang]

    def form_fields(self, build):
        """The intake form's configured fields, built by `build(lookup)` once per load and
        language and then shared read-only by every form (see CaseForm.__init__)."""
        lang = get_language()
        if lang not in self._form_fields:
            self._form_fields[lang] = build(self)
        return self._form_fields[lang]


def _grouped(items, parents, parent_field):
    """[(parent name, [(pk, name), ...]), ...] in the parents' order."""
    groups = {pk: [] for pk in parents}
    for item in items:
        groups[getattr(item, parent_field)].append((item.pk, item.name))
    return [(parents[pk].name, options) for pk, options in groups.items() if options]


_lookup = None
_lookup_lock = threading.Lock()


def intake_lookup():
    global _lookup
    current = _lookup
    if current is None or time.monotonic() - current.loaded_at > LOOKUP_TTL:
        with _lookup_lock:
            if _lookup is None or time.monotonic() - _lookup.loaded_at > LOOKUP_TTL:
                _lookup = IntakeLookup()
            current = _lookup
    return current


def intake_lookup_clear():
    """Forget the lookup (tests, and after seeding data)."""
    global _lookup
    _lookup = None


# Widgets ------------------------------------------------------------------------------------------


class LookupSelect(forms.Select):
    """A <select> whose options carry `data-parent` (their street or community), so the page's
    script can narrow them down; without the script the optgroups still make them findable.

    Its choices come ready-made from the lookup: Django would otherwise re-normalise hundreds
    of options on every request, even on a POST that renders nothing.
    """

    parents = {}  # option value → parent id

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = value

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        parent = self.parents.get(value)
        if parent is not None:
            option["attrs"]["data-parent"] = str(parent)
        return option


class LookupField(forms.Field):
    """An id picked from a select, checked against the lookup's dict: no query, no list scan."""

    widget = LookupSelect
    default_error_messages = {
        "invalid_choice": _(
            "Select a valid choice. %(value)s is not one of the available choices."
        ),
    }
    options = {}  # pk → instance, set by the form

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            found = self.options.get(int(value))
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found

    def set_options(self, options, choices, placeholder, parents=None):
        self.options = options
        self.widget.choices = [("", placeholder), *choices]
        if parents is not None:
            self.widget.parents = parents


class MultipleImageInput(forms.FileInput):
    allow_multiple_selected = True


# Photos ------------------------------------------------------------------------------------------

MAX_PHOTOS = 3


class PhotosField(forms.FileField):
    """Up to three photos; each must really be a JPEG, PNG or WebP image of at most 5 MB."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleImageInput(
                attrs={"accept": "image/*", "data-too-many": _("Choose at most 3 photos.")}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("You can upload at most %(n)d photos.") % {"n": MAX_PHOTOS}, code="too_many"
            )
        return [clean_photo(super(PhotosField, self).clean(f, initial)) for f in files]


# The intake form --------------------------------------------------------------------------------

PHONE_RE = re.compile(r"1[3-9]\d{9}")


def question_field(question):
    """A form field for one of a category's extra questions (Open311 attribute datatypes)."""
    label = question.get("label") or question.get("description") or question["code"]
    kind = question.get("datatype", "string")
    values = [(str(v["key"]), v.get("name", v["key"])) for v in question.get("values", [])]
    if kind == "number":
        return forms.DecimalField(label=label, required=False, max_digits=12, decimal_places=4)
    if kind == "text":
        return forms.CharField(
            label=label, required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
        )
    if kind == "datetime":
        return forms.DateTimeField(
            label=label,
            required=False,
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        )
    if kind == "singlevaluelist":
        return forms.ChoiceField(label=label, required=False, choices=[("", "---------"), *values])
    if kind == "multivaluelist":
        return forms.MultipleChoiceField(
            label=label, required=False, choices=values, widget=forms.CheckboxSelectMultiple
        )
    return forms.CharField(label=label, required=False, max_length=200)


OUTSIDE_AREA = _(
    "The map point is outside the district this portal serves, so it was not kept: pick the "
    "place on the map again, or just choose the community and fill in the address."
)


def point_fits(lat, long, district_id):
    """Whether a form's map point lies in the area we serve, by Open311's rule
    (`routing.point_in_area`, in the district of the case). With no community mapped at all
    there is nothing to judge a point by, and it stands."""
    return point_in_area(lat, long, district_id) is not None or not area_is_mapped()


def _id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CaseForm(forms.Form):
    """我要反映: what, where, photos and (optionally) who. No account needed."""

    category = LookupField(label=_("Problem category"))
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": _("What is the problem, and since when?")}
        ),
    )
    street = LookupField(label=_("Street it is in"), required=False)
    community = LookupField(label=_("Community it is in"))
    compound = LookupField(label=_("Compound it is in"), required=False)
    address = forms.CharField(
        label=_("Address details"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. building 3, unit 2, by the gate")}),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    long = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    photos = PhotosField(label=_("Photos (at most 3)"), required=False)
    reporter_name = forms.CharField(label=_("Name (optional)"), max_length=40, required=False)
    reporter_phone = forms.CharField(
        label=_("Phone (optional, for a call-back)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    may_contact = forms.BooleanField(label=_("Staff may contact me"), required=False)

    def __init__(self, *args, lookup=None, **kwargs):
        self.lookup = lookup or intake_lookup()
        # Django deep-copies every declared field (and its widget and choices) for each form,
        # about a tenth of an intake POST. These fields are never changed per request, so they
        # are configured once per lookup load and shared; each form gets its own dict of them.
        self.base_fields = {}
        super().__init__(*args, **kwargs)
        fields, self.question_groups = self.lookup.form_fields(self._configured_fields)
        self.fields = dict(fields)

    @classmethod
    def _configured_fields(cls, lk):
        f = copy.deepcopy(cls.base_fields)
        f["category"].set_options(lk.categories, lk.category_choices(), _("Choose a category"))
        f["street"].set_options(lk.streets, lk.street_choices, _("Choose a street"))
        f["community"].set_options(
            lk.communities, lk.community_choices, _("Choose a community"), lk.community_parents
        )
        f["compound"].set_options(
            lk.compounds,
            lk.compound_choices,
            _("Not in a compound / not listed"),
            lk.compound_parents,
        )
        # Every category's questions are on the page (the script shows the chosen one's);
        # only the chosen category's answers are validated and kept.
        question_groups = []
        for category in lk.categories.values():
            names = []
            for question in category.questions or []:
                name = f"q{category.pk}_{question['code']}"
                f[name] = question_field(question)
                f[name].question = question
                names.append(name)
            if names:
                question_groups.append((category, names))
        return f, question_groups

    def question_fields(self):
        """(category, [bound fields]) for the template."""
        return [(c, [self[n] for n in names]) for c, names in self.question_groups]

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if not text:
            raise forms.ValidationError(_("Please describe the problem."), code="required")
        return text

    def clean_reporter_phone(self):
        phone = re.sub(r"[\s\-()]", "", self.cleaned_data["reporter_phone"])
        if phone.startswith("+86"):
            phone = phone[3:]
        elif phone.startswith("86") and len(phone) == 13:
            phone = phone[2:]
        if phone and not PHONE_RE.fullmatch(phone):
            raise forms.ValidationError(
                _("Enter an 11-digit mobile number, e.g. 13812345678."), code="invalid"
            )
        return phone

    def clean(self):
        data = super().clean()
        street, community = data.get("street"), data.get("community")
        compound = data.get("compound")
        if street and community and community.street_id != street.pk:
            self.add_error("community", _("This community is not in the chosen street."))
        if community and compound and compound.community_id != community.pk:
            self.add_error("compound", _("This compound is not in the chosen community."))
        if (data.get("lat") is None) != (data.get("long") is None):
            self.add_error(None, _("The map point is incomplete; please locate again."))
        elif data.get("lat") is not None and community and not self._point_fits(data, community):
            self.add_error("lat", OUTSIDE_AREA)
            # The far point is not kept on the page, so the form can be sent again as it is.
            self.data = self.data.copy()
            self.data["lat"] = self.data["long"] = ""
        for name in ("lat", "long"):
            if data.get(name) is not None:
                data[name] = Decimal(f"{data[name]:.6f}")
        # Consent: a phone is only given so staff can call back, so giving one means agreeing
        # to be called; we ask for the tick rather than assume it. No phone, no contact.
        if data.get("reporter_phone") and not data.get("may_contact"):
            self.add_error(
                "may_contact",
                _(
                    "Tick this box so staff may call you back, or leave the phone empty if you "
                    "do not want to be contacted."
                ),
            )
        if not data.get("reporter_phone"):
            data["may_contact"] = False
        data["attributes"] = self._answers(data.get("category"))
        return data

    @staticmethod
    def _point_fits(data, community):
        return point_fits(data["lat"], data["long"], community.street.district_id)

    def _answers(self, category):
        """Validate the chosen category's questions; drop anything typed for other categories."""
        chosen = next((names for c, names in self.question_groups if c == category), [])
        for _c, names in self.question_groups:
            if names is chosen:
                continue
            for name in names:
                self.cleaned_data.pop(name, None)
                self._errors.pop(name, None)
        answers = {}
        for name in chosen:
            question = self.fields[name].question
            value = self.cleaned_data.pop(name, None)
            if value in (None, "", []):
                if question.get("required"):
                    self.add_error(name, _("Please answer this question."))
                continue
            if isinstance(value, Decimal):
                value = float(value) if value % 1 else int(value)
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            answers[question["code"]] = value
        return answers

    def submit_kwargs(self):
        """The cleaned data as `case_submit` keyword arguments."""
        d = self.cleaned_data
        return {
            "category": d["category"],
            "description": d["description"],
            "community": d["community"],
            "compound": d["compound"],
            "address": d["address"].strip(),
            "lat": d["lat"],
            "long": d["long"],
            "reporter_name": d["reporter_name"].strip(),
            "reporter_phone": d["reporter_phone"],
            "may_contact": d["may_contact"],
            "attributes": d["attributes"],
            "photos": d["photos"],
        }


# Tracking and rating -----------------------------------------------------------------------------

CODE_INPUT_RE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


def normalize_code(raw):
    """Codes are case-insensitive and often typed with spaces or dashes."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if not CODE_INPUT_RE.fullmatch(code):
            raise forms.ValidationError(
                _("A tracking code has %(n)d letters and digits, e.g. 7KQ4M2XR9T.")
                % {"n": CODE_LENGTH},
                code="invalid",
            )
        return code


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How satisfied are you with the result?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
