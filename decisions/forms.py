"""Forms of the decision pages; they parse input and leave every rule to the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from decisions.models import Decision
from dossiers.choice_fields import IdChoiceField, IdsChoiceField


class AwardChoiceForm(forms.Form):
    """Step one of preparing: which award the decision grants (a GET form)."""

    award = IdChoiceField(queryset=None, label=_("Award"), empty_label=None)

    def __init__(self, *args, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].queryset = awards


class CandidateField(IdsChoiceField):
    def label_from_instance(self, dossier):
        return f"{dossier.nominee} — {dossier.unit.name}"


class PrepareDecisionForm(forms.Form):
    # Not required: the service says why an empty decision is refused, and fills a blank
    # subject or recitals with the defaults.
    dossiers = CandidateField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label=_("Dossiers")
    )
    subject = forms.CharField(
        label=_("Subject"), max_length=Decision._meta.get_field("subject").max_length,
        required=False,
    )  # fmt: skip
    recitals = forms.CharField(
        label=_("Legal bases and recitals"),
        help_text=Decision._meta.get_field("recitals").help_text,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=Decision._meta.get_field("recitals").max_length,
        required=False,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossiers"].queryset = candidates

    def dossier_ids(self) -> list[int]:
        return [dossier.pk for dossier in self.cleaned_data["dossiers"]]


class RevocationForm(forms.Form):
    """Which of a signed decision's dossiers to revoke, and why (the service requires a reason)."""

    dossiers = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label=_("Awardees")
    )
    reason = forms.CharField(
        label=_("Reason for the revocation"), widget=forms.Textarea(attrs={"rows": 3}),
        max_length=Decision._meta.get_field("reason").max_length, required=False,
    )  # fmt: skip

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossiers"].choices = [
            (item.dossier_id, f"{item.dossier.nominee} — {item.dossier.unit.name}")
            for item in items
        ]


class ItemForm(forms.Form):
    """One dossier of a decision, named by a button."""

    dossier = forms.IntegerField(widget=forms.HiddenInput)


class ChooseCredentialForm(forms.Form):
    """Which of the signer's own certificates to sign with."""

    credential = IdChoiceField(queryset=None, label=_("Signing certificate"),
                                        empty_label=None)  # fmt: skip

    def __init__(self, *args, credentials, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credential"].queryset = credentials
        self.fields["credential"].label_from_instance = _credential_label

    def chosen(self) -> int | None:
        """The chosen one's id; None (the service then says what is missing) when invalid."""
        return self.cleaned_data["credential"].pk if self.is_valid() else None


class SignForm(ChooseCredentialForm):
    """A certificate whose key is on the server, and its PIN or passphrase."""

    secret = forms.CharField(
        label=_("PIN or passphrase"), required=False, strip=False, max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Typed at each signing and never stored."),
    )  # fmt: skip


class CompleteSigningForm(forms.Form):
    """The CMS signature the signing tool wrote at the signer's computer."""

    MAX_BYTES = 256 * 1024
    signature = forms.FileField(label=_("Signature file (.p7s)"))

    def clean_signature(self) -> bytes:
        upload = self.cleaned_data["signature"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("A signature file is a few kilobytes; this one is too "
                                          "large to be one."))  # fmt: skip
        return upload.read()


def _credential_label(credential) -> str:
    until = credential.not_after.strftime("%d/%m/%Y")
    return f"{credential.label} — {credential.subject_name} ({_('until')} {until})"
