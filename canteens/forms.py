from django import forms
from django.utils.translation import gettext_lazy as _

from canteens.models import Dish, MealRecord, MealTime, SetMeal


def apply_errors(form, exc):
    """Put a service's ValidationError on the form (field messages where it names a field)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ScanForm(forms.Form):
    code = forms.CharField(
        label=_("Member code (scan, or type the 8 digits)"),
        max_length=200,
        error_messages={"required": _("Scan or type the member code.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class MealForm(forms.Form):
    """A tap at the till: which set, and (for a member) whether it goes to their home."""

    set_meal = forms.ModelChoiceField(
        queryset=SetMeal.objects.none(),
        error_messages={
            "required": _("Choose a set meal."),
            "invalid_choice": _("Choose a set meal of this canteen."),
        },
    )
    delivered = forms.BooleanField(required=False, label=_("delivered to the home"))

    def __init__(self, *args, canteen, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["set_meal"].queryset = SetMeal.objects.filter(canteen=canteen, is_active=True)


class VoidForm(forms.Form):
    record = forms.ModelChoiceField(
        queryset=MealRecord.objects.none(),
        error_messages={"invalid_choice": _("No such meal record at this canteen.")},
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=200,
        error_messages={"required": _("Say why the record is voided.")},
    )

    def __init__(self, *args, canteen, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].queryset = MealRecord.objects.filter(canteen=canteen)


class MenuEntryForm(forms.Form):
    day = forms.TypedChoiceField(label=_("day"), coerce=str)
    meal_time = forms.ChoiceField(label=_("meal time"), choices=MealTime.choices)
    set_meal = forms.ModelChoiceField(
        label=_("set meal"),
        queryset=SetMeal.objects.none(),
        error_messages={"required": _("Choose a set meal.")},
    )
    dishes = forms.ModelMultipleChoiceField(
        label=_("dishes"),
        queryset=Dish.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the dishes of the set.")},
    )

    def __init__(self, *args, canteen, days, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].choices = [(d.isoformat(), d.strftime("%m-%d")) for d in days]
        self.fields["set_meal"].queryset = SetMeal.objects.filter(canteen=canteen, is_active=True)
        self.fields["dishes"].queryset = Dish.objects.filter(canteen=canteen, is_active=True)


class MonthForm(forms.Form):
    month = forms.RegexField(
        regex=r"^20[0-9]{2}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("Give the month as YYYY-MM.")},
    )
