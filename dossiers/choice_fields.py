"""Choice fields over rows, chosen by id: an id no database column can hold is an invalid
choice, never a query (SQLite raised OverflowError, PostgreSQL "bigint out of range": a 500)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from dossiers.bounds import id_or_none


def _checked(field, value) -> None:
    if value in field.empty_values:
        return
    if id_or_none(value) is None:
        raise ValidationError(
            field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        _checked(self, value)
        return super().to_python(value)


class IdsChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for one in value if isinstance(value, list | tuple) else [value]:
            try:
                _checked(self, one)
            except ValidationError as error:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": one},
                ) from error
        return super()._check_values(value)
