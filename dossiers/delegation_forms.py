"""The form of a new delegation; it parses input and leaves every rule to dossiers.delegations."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.formats.vi.formats import DATE_INPUT_FORMATS
from dossiers.bounds import DATE_VALIDATORS
from dossiers.choice_fields import IdChoiceField
from dossiers.models import Person, Role

# Day first in every language: 05/01/2027 is the fifth of January, also on the English pages.
DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy")})


class DelegateField(IdChoiceField):
    def label_from_instance(self, person: Person) -> str:
        return f"{person.full_name} — {person.unit.name}"


class DelegationForm(forms.Form):
    role = forms.ChoiceField(label=_("Role to delegate"))
    delegate = DelegateField(queryset=Person.objects.none(), label=_("Delegate to"))
    starts_on = forms.DateField(
        validators=DATE_VALIDATORS,
        label=_("From"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DATE_WIDGET,
    )
    ends_on = forms.DateField(
        validators=DATE_VALIDATORS,
        label=_("Until"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DATE_WIDGET,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the delegate and kept in the audit trail."),
    )

    def __init__(self, *args, delegator: Person, roles: list[str], **kwargs):
        kwargs.setdefault("initial", {}).setdefault("starts_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]
        self.fields["delegate"].queryset = (
            Person.objects.of(delegator.institution_id)
            .filter(user__isnull=False)
            .exclude(pk=delegator.pk)
            .select_related("unit")
            .order_by("full_name")
        )
