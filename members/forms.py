from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.phones import normalize_phone
from portal.models import Community


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "type": "tel",
                "inputmode": "numeric",
                "autocomplete": "tel",
                "placeholder": "138 1234 5678",
            }
        ),
    )
    agree = forms.BooleanField(
        label=_("I have read and accept the terms of service and the privacy notice"),
        error_messages={"required": _("Please read and accept the terms and the privacy notice.")},
    )

    def clean_phone(self):
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["phone"]) from exc


class NewPhoneForm(forms.Form):
    phone = PhoneForm.base_fields["phone"]
    clean_phone = PhoneForm.clean_phone


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        min_length=6,
        max_length=6,
        error_messages={
            "min_length": _("The code has 6 digits."),
            "max_length": _("The code has 6 digits."),
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]*",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise ValidationError(_("The code has 6 digits."))
        return code


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"), max_length=30, error_messages={"required": _("Enter a name.")}
    )
    home_community = forms.ModelChoiceField(
        label=_("Home community"),
        queryset=Community.objects.select_related("street").order_by("street__name", "name"),
        required=False,
        empty_label=_("(not given)"),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        required=False,
        min_value=1900,
        help_text=_("Only the year: it decides age-based benefits such as the elderly meal price."),
    )

    def clean_birth_year(self):
        year = self.cleaned_data["birth_year"]
        if year and year > timezone.localdate().year:
            raise ValidationError(_("Enter a year that has already come."))
        return year

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise ValidationError(_("Enter a name."))
        return name


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand: my personal data will be erased and I will be signed out."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
