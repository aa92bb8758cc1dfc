"""Forms of the meeting and ballot pages; they parse input and leave every rule to the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from council.models import AgendaItem, Choice, MeetingMember
from dossiers.bounds import DATETIME_VALIDATORS
from dossiers.choice_fields import IdChoiceField, IdsChoiceField
from dossiers.uploads import check_upload


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateTimeField(
        validators=DATETIME_VALIDATORS,
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    chair = IdChoiceField(queryset=None, label=_("Chair"))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = members.order_by("full_name")


class DossierChoiceField(IdsChoiceField):
    def label_from_instance(self, dossier):
        return f"{dossier.nominee} — {dossier.award_type} — {dossier.unit.name}"


class AgendaForm(forms.Form):
    # Not required: the service says why an empty agenda is refused.
    dossiers = DossierChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label=_("Agenda")
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossiers"].queryset = candidates

    def dossier_ids(self) -> list[int]:
        """The chosen dossiers in the order the candidates are listed."""
        return [dossier.pk for dossier in self.cleaned_data["dossiers"]]


class AttendanceForm(forms.Form):
    """One attendance choice per member of the meeting."""

    def __init__(self, *args, members: list[MeetingMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            self.fields[f"member_{member.person_id}"] = forms.ChoiceField(
                label=member.person.full_name,
                choices=MeetingMember.Attendance.choices,
                initial=member.attendance,
            )

    def rows(self):
        return [(m, self[f"member_{m.person_id}"]) for m in self.members]

    def attendance(self) -> dict[int, str]:
        return {m.person_id: self.cleaned_data[f"member_{m.person_id}"] for m in self.members}


class BallotForm(forms.Form):
    """One choice per agenda item, none on an item the member is recused from. Completeness is
    the service's rule, so no field is required."""

    def __init__(self, *args, items: list[AgendaItem], recused: set[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.recused = recused
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.ChoiceField(
                label=str(item.dossier.nominee),
                choices=Choice.choices,
                widget=forms.RadioSelect(attrs={"required": item.pk not in recused}),
                required=False,
            )

    def rows(self):
        """(item, its field, whether the member is recused from it) in agenda order."""
        return [(item, self[f"item_{item.pk}"], item.pk in self.recused) for item in self.items]

    def choices(self) -> dict[int, str]:
        return {
            item.pk: self.cleaned_data[f"item_{item.pk}"]
            for item in self.items
            if self.cleaned_data.get(f"item_{item.pk}")
        }


class WrittenBallotForm(BallotForm):
    """The secretary enters an absent member's written opinion, with the scan of it."""

    member = IdChoiceField(queryset=None, label=_("Member (opinion in writing)"))
    opinion = forms.FileField(
        label=_("Scan of the signed written opinion"),
        help_text=_("PDF, JPEG or PNG of the paper the member signed."),
    )

    def __init__(self, *args, awaiting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = awaiting
        for item in self.items:  # a member may be recused from some: the service checks
            self.fields[f"item_{item.pk}"].widget.attrs.pop("required", None)

    def clean_opinion(self):
        upload = self.cleaned_data["opinion"]
        check_upload(upload)
        return upload
