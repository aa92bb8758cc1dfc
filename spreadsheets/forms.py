"""The upload form of an import: which list, and the .xlsx file (its size limited by a setting)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("List"))
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.code, kind.title) for kind in kinds]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.SPREADSHEET_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s: split it into several files.")
                % {"limit": filesizeformat(limit)}
            )
        return upload
