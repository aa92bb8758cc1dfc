"""The principal's movement form and the unit head's registration form: input only, no rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dossiers.bounds import DATE_VALIDATORS
from dossiers.choice_fields import IdChoiceField, IdsChoiceField
from dossiers.forms import upload_limit_text
from dossiers.models import AwardType, Movement, MovementKind, Period, Person


class MovementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MovementKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    period = IdChoiceField(label=_("Period"), queryset=Period.objects.none())
    theme = forms.CharField(label=_("Theme"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    targets = forms.CharField(label=_("Targets"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    starts_on = forms.DateField(
        validators=DATE_VALIDATORS, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        validators=DATE_VALIDATORS, label=_("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    award_types = IdsChoiceField(
        label=_("Awards it leads to"), queryset=AwardType.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    plan = forms.FileField(label=_("Plan (PDF or Word)"))

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = Period.objects.of(institution)
        self.fields["award_types"].queryset = AwardType.objects.of(institution).filter(
            is_active=True
        )
        self.fields["plan"].help_text = upload_limit_text()

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end date is before the start date."))
        return data


class RegistrationForm(forms.Form):
    award_type = IdChoiceField(
        label=pgettext_lazy("emulation title", "Title"), queryset=AwardType.objects.none()
    )
    nominees = IdsChoiceField(
        label=_("People to register"), queryset=Person.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    the_unit_itself = forms.BooleanField(label=_("The unit itself"), required=False)
    targets = forms.CharField(label=_("Targets"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    movement = IdChoiceField(label=_("Movement"), queryset=Movement.objects.none(),
                                      required=False)  # fmt: skip

    def __init__(self, *args, unit, period, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award_type"].queryset = AwardType.objects.of(unit.institution_id).filter(
            is_active=True, allows_annual=True
        )
        self.fields["nominees"].queryset = Person.objects.filter(unit=unit, is_active=True)
        self.fields["movement"].queryset = Movement.objects.filter(period=period)
