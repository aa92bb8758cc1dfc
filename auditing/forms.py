"""The trail's filter form: GET parameters in, a TrailFilter out.

The parameter names are TrailFilter's field names, so `TrailFilter.as_query()` writes exactly what
this form reads: the "older events" link and the export links carry the filter unchanged.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.actions import title_of
from auditing.selectors import actions_present
from auditing.trail import DATE_VALIDATORS, TrailFilter
from dossiers.forms import MAX_ID, parse_id
from dossiers.models import Institution, Period, Person, State, Unit

# As offices write dates (05/01/2027), and ISO as `as_query()` writes them.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        validators=DATE_VALIDATORS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )


def _id_field(label, everything) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None,
                                  choices=[("", everything)])  # fmt: skip


class TrailFilterForm(forms.Form):
    period_id = _id_field(_("Period"), _("All periods"))
    unit_id = _id_field(_("Unit"), _("All units"))
    dossier_id = forms.IntegerField(
        label=_("Dossier no."), required=False, min_value=1, max_value=MAX_ID
    )
    # A select of every person would be thousands of options; the name is searched instead, and
    # one chosen person (a link's actor_id) is offered alone, so that it can be seen and cleared.
    person = forms.CharField(
        label=_("Person's name contains (acting or on whose behalf)"),
        required=False,
        max_length=100,
    )
    actor_id = _id_field(_("Person (acting or on whose behalf)"), _("Everyone"))
    action = forms.ChoiceField(label=_("Action"), required=False)
    state = forms.ChoiceField(
        label=_("State (from or to)"),
        required=False,
        choices=[("", _("All states")), *State.choices],
    )
    date_from = _date_field(_("From (dd/mm/yyyy)"))
    date_to = _date_field(_("To (dd/mm/yyyy)"))
    text = forms.CharField(label=_("Reason contains"), required=False, max_length=200)
    # The keyset cursor of the "older events" link; not part of the filter.
    before = forms.IntegerField(
        label=_("Older than event no."),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, institution: Institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_id"].choices += list(
            Period.objects.of(institution).values_list("pk", "name")
        )
        self.fields["unit_id"].choices += list(
            Unit.objects.of(institution).order_by("name").values_list("pk", "name")
        )
        self._offer_the_chosen_person(institution)
        self.fields["action"].choices = [("", _("All actions"))] + [
            (code, title_of(code)) for code in actions_present(institution)
        ]

    def _offer_the_chosen_person(self, institution: Institution) -> None:
        """The person select holds the chosen person only, and is hidden when none is chosen."""
        field = self.fields["actor_id"]
        chosen = parse_id(self.data.get("actor_id"))
        if chosen is None:
            field.widget = forms.HiddenInput()
            return
        field.choices += list(
            Person.objects.of(institution).filter(pk=chosen).values_list("pk", "full_name")
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def trail_filter(self) -> TrailFilter:
        """The filter the valid form describes (call after is_valid())."""
        data = self.cleaned_data
        return TrailFilter(
            period_id=data["period_id"],
            unit_id=data["unit_id"],
            dossier_id=data["dossier_id"],
            actor_id=data["actor_id"],
            person=data["person"].strip(),
            action=data["action"],
            state=data["state"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            text=data["text"].strip(),
        )
