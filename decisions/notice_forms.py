"""Forms of the public-notice and upward pages; they parse input and leave every rule to the
services (decisions.notices, decisions.upward)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from decisions.notices import OBJECTION_MAX_LENGTH
from dossiers.bounds import DATE_VALIDATORS
from dossiers.choice_fields import IdsChoiceField


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("Your objection"),
        max_length=OBJECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResolutionForm(forms.Form):
    resolution = forms.CharField(
        label=_("How it was resolved"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


class DossierChoiceField(IdsChoiceField):
    def label_from_instance(self, dossier):
        return f"{dossier.nominee} — {dossier.award_type} — {dossier.unit.name}"


class DossierSelectionForm(forms.Form):
    """Checkboxes over the candidates a page lists; the service says why a choice is refused."""

    dossiers = DossierChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label=_("Dossiers")
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossiers"].queryset = candidates

    def dossier_ids(self) -> list[int]:
        return [dossier.pk for dossier in self.cleaned_data["dossiers"]]


class OutcomeForm(forms.Form):
    granted = forms.TypedChoiceField(
        label=_("Higher authority's decision"),
        choices=[("yes", _("Granted")), ("no", _("Not granted"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    decision_number = forms.CharField(
        label=_("Decision number"), max_length=100, help_text=_("e.g. 125/QĐ-UBND")
    )
    decision_date = forms.DateField(
        validators=DATE_VALIDATORS,
        label=_("Decision date"),
        input_formats=["%d/%m/%Y"],
        help_text=_("dd/mm/yyyy"),
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )
