"""A refusal reason that renders in any language: a translatable template and its values."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation


@dataclass(frozen=True)
class Reason:
    template: str  # a gettext_lazy string with {named} placeholders
    values: dict = field(default_factory=dict)

    def text(self, language: str | None = None) -> str:
        with translation.override(language or translation.get_language()):
            values = {k: _render(v) for k, v in self.values.items()}
            return str(self.template).format(**values)

    def __str__(self) -> str:
        return self.text()


def _render(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
