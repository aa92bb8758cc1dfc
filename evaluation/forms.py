"""The form of a unit's evaluation meeting: its data, the attendance and a row per nominee.

The forms only parse what was typed; the invariants (chair present, votes within the members
present, dossiers of the unit and period) are the models' and the service's.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.bounds import DATE_VALIDATORS
from dossiers.choice_fields import IdChoiceField
from dossiers.models import Person

VOTES, UNANIMOUS = "votes", "unanimous"


class MeetingForm(forms.Form):
    held_on = forms.DateField(validators=DATE_VALIDATORS,
        label=_("Date of the meeting"), input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}),
    )  # fmt: skip
    starts_at = forms.TimeField(label=_("Started at"), widget=forms.TimeInput(format="%H:%M"))
    ended_at = forms.TimeField(label=_("Ended at"), widget=forms.TimeInput(format="%H:%M"))
    place = forms.CharField(label=_("Place"), max_length=200)
    chair = IdChoiceField(label=_("Chair"), queryset=Person.objects.none())
    secretary = IdChoiceField(
        label=_("Secretary (took the minutes)"), queryset=Person.objects.none()
    )
    content = forms.CharField(
        label=_("Content of the meeting"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, members: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(pk__in=[m.pk for m in members]).order_by("full_name")
        self.fields["chair"].queryset = people
        self.fields["secretary"].queryset = people

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ended_at") and data["ended_at"] <= data["starts_at"]:
            self.add_error("ended_at", _("The meeting must end after it starts."))
        return data

    def meeting_fields(self) -> dict:
        data = self.cleaned_data
        held_on = datetime.datetime.combine(data["held_on"], data["starts_at"])
        return {
            "held_on": timezone.make_aware(held_on),
            "ended_at": data["ended_at"],
            "place": data["place"],
            "chair": data["chair"],
            "secretary": data["secretary"],
            "content": data["content"],
        }

    @staticmethod
    def initial_of(meeting) -> dict:
        held_on = timezone.localtime(meeting.held_on)
        return {
            "held_on": held_on.date(), "starts_at": held_on.time(), "ended_at": meeting.ended_at,
            "place": meeting.place, "chair": meeting.chair_id, "secretary": meeting.secretary_id,
            "content": meeting.content,
        }  # fmt: skip


class AttendanceRow(forms.Form):
    """One member: present (ticked), or absent with an optional reason."""

    person = forms.IntegerField(widget=forms.HiddenInput)
    present = forms.BooleanField(label=_("Present"), required=False)
    absence_reason = forms.CharField(label=_("Reason for absence"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("present") and (data.get("absence_reason") or "").strip():
            self.add_error("absence_reason", _("A member present has no reason for absence."))
        return data


class NomineeRow(forms.Form):
    """One dossier of the unit: evaluated or not, and its result."""

    dossier = forms.IntegerField(widget=forms.HiddenInput)
    evaluated = forms.BooleanField(label=_("Evaluated"), required=False)
    result = forms.ChoiceField(
        label=_("Result"), required=False, widget=forms.RadioSelect,
        choices=[(VOTES, _("By votes")), (UNANIMOUS, _("Agreed unanimously (show of hands)"))],
    )  # fmt: skip
    agree = forms.IntegerField(label=_("Agree"), min_value=0, required=False)
    disagree = forms.IntegerField(label=_("Disagree"), min_value=0, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("evaluated"):
            return data
        counts = (data.get("agree"), data.get("disagree"))
        if data.get("result") == UNANIMOUS:
            if counts != (None, None):
                self.add_error("agree", _("Leave the votes empty when agreed unanimously."))
        elif data.get("result") == VOTES:
            if None in counts:
                self.add_error("agree", _("Give the votes for and against."))
        else:
            self.add_error("result", _("Choose how the meeting decided."))
        return data


AttendanceFormSet = forms.formset_factory(AttendanceRow, extra=0)
NomineeFormSet = forms.formset_factory(NomineeRow, extra=0)
