"""Forms of the dossier pages; they parse input and leave every rule to models and services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dossiers.bounds import MAX_ID
from dossiers.choice_fields import IdChoiceField
from dossiers.models import AwardType, DocumentKind, Dossier, Movement, Period, Person, Unit
from dossiers.reasons import Reason
from dossiers.uploads import check_upload
from workflow.guards import nominee_problems

ACCEPT = ".pdf,.doc,.docx,.jpg,.jpeg,.png"


class NomineeField(forms.ChoiceField):
    """People of the unit, or the unit itself as a collective: 'p:<id>' or 'u:<id>'."""

    def __init__(self, *, unit: Unit, **kwargs):
        people = Person.objects.filter(unit=unit).order_by("full_name")
        choices = [
            (_("The unit as a collective"), [(f"u:{unit.pk}", unit.name)]),
            (_("Individuals"), [(f"p:{p.pk}", p.full_name) for p in people]),
        ]
        super().__init__(choices=choices, label=_("Nominee"), **kwargs)
        self.unit = unit

    def to_nominee(self, value: str):
        kind, _sep, pk = value.partition(":")
        if kind == "u":
            return None, self.unit
        return Person.objects.get(pk=pk, unit=self.unit), None


class DossierForm(forms.Form):
    award_type = IdChoiceField(queryset=AwardType.objects.none(), label=_("Award"))
    achievement_summary = forms.CharField(
        label=_("Summary of achievements"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
    )

    def __init__(self, *args, unit: Unit, period, initial_dossier: Dossier | None = None, **kw):
        if initial_dossier is not None:
            kw.setdefault("initial", {}).update(
                award_type=initial_dossier.award_type_id,
                achievement_summary=initial_dossier.achievement_summary,
                movement=initial_dossier.movement_id,
                nominee=(
                    f"p:{initial_dossier.nominee_person_id}"
                    if initial_dossier.nominee_person_id
                    else f"u:{initial_dossier.nominee_unit_id}"
                ),
            )
        super().__init__(*args, **kw)
        self.unit, self.period = unit, period
        self.fields["award_type"].queryset = AwardType.objects.of(unit.institution_id).filter(
            is_active=True
        )
        self.fields["nominee"] = NomineeField(unit=unit)
        self.fields["movement"] = IdChoiceField(
            queryset=Movement.objects.filter(period=period), required=False,
            label=_("Movement"), empty_label=_("— the period's annual emulation —"),
            help_text=_("An ad hoc movement's award takes its short path (fewer documents, no "
                        "registration, no public notice)."),
        )  # fmt: skip
        self.order_fields(["nominee", "award_type", "movement", "achievement_summary"])

    def clean(self):
        data = super().clean()
        if "nominee" in data and "award_type" in data:
            person, unit = self.fields["nominee"].to_nominee(data["nominee"])
            data["nominee_person"], data["nominee_unit"] = person, unit
            trial = Dossier(
                unit=self.unit,
                award_type=data["award_type"],
                nominee_person=person,
                nominee_unit=unit,
            )
            movement = data.get("movement")
            if movement is not None and not data["award_type"].allows(movement.kind):
                self.add_error("movement", _(
                    "“%(award)s” is not awarded in a movement of this kind (%(kind)s)."
                ) % {"award": data["award_type"], "kind": movement.get_kind_display()})  # fmt: skip
            problems = nominee_problems(trial)
            if problems:
                raise ValidationError([str(p) for p in problems])
        return data


def forms_trial(data, unit: Unit) -> Dossier | None:
    """The unsaved dossier the form's choices describe (for the live rules), or None when the
    nominee, award or period is not one of the unit's institution."""
    institution = unit.institution_id
    period = Period.objects.of(institution).filter(pk=parse_id(data.get("period"))).first()
    award = AwardType.objects.of(institution).filter(pk=parse_id(data.get("award_type"))).first()
    kind, _sep, pk = (data.get("nominee") or "").partition(":")
    person = None
    if kind == "p":
        person = Person.objects.filter(pk=parse_id(pk), unit=unit).first()
    if period is None or award is None or (person is None and kind != "u"):
        return None
    movement = Movement.objects.filter(period=period, pk=parse_id(data.get("movement"))).first()
    return Dossier(
        institution_id=institution, unit=unit, period=period, award_type=award,
        nominee_person=person, nominee_unit=None if person else unit, movement=movement,
    )  # fmt: skip


class NewDossierForm(DossierForm):
    """A new dossier may come with its first documents, one file per kind."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        for kind in DocumentKind.objects.order_by("code"):
            self.fields[f"document_{kind.code}"] = forms.FileField(
                label=str(kind),
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )

    def clean(self):
        data = super().clean()
        documents = []
        for kind in DocumentKind.objects.order_by("code"):
            upload = data.get(f"document_{kind.code}")
            if upload:
                try:
                    check_upload(upload)
                except ValidationError as error:
                    self.add_error(f"document_{kind.code}", error)
                documents.append((kind, upload))
        data["documents"] = documents
        return data

    def document_fields(self):
        return [self[name] for name in self.fields if name.startswith("document_")]


class DocumentForm(forms.Form):
    kind = IdChoiceField(queryset=DocumentKind.objects.order_by("code"), label=_("Kind"))
    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload


class ActionForm(forms.Form):
    """One lifecycle button's form; an action the registry asks to confirm needs the tick."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition

    def clean(self):
        data = super().clean()
        if self.transition.button.confirm and not data.get("confirmed"):
            raise forms.ValidationError(_("Tick the box to confirm this action."))
        return data


def upload_limit_text() -> str:
    from django.template.defaultfilters import filesizeformat

    return str(
        Reason(
            _("PDF, DOC, DOCX, JPEG or PNG, at most {limit}."),
            {"limit": filesizeformat(settings.UPLOAD_MAX_BYTES)},
        )
    )


def parse_id(value) -> int | None:
    """A row id from a query parameter, or None when it cannot be one (no database error)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None
